//! Reading item lists: the root lists (`resources`, `search`, ...) and the lists nested
//! under objectives and countries, which batch across parents.

use std::sync::Arc;

use async_graphql::Context;
use gcm_store::models::item_pages::{self, Parent};

use super::connection::{ItemPage, PageArgs, Total, decode_item_cursor, page_request};
use super::enums::ItemSort;
use super::filter::ItemFilter;
use crate::error::{ApiError, ApiResult, gql};
use crate::loaders::{ItemCountOf, ItemPageOf, Loaders};

/// A validated list request: the store's filter, order and page plan.
struct ListRequest {
    filter: Arc<item_pages::ItemFilter>,
    sort: item_pages::ItemSort,
    plan: super::connection::PagePlan<item_pages::Keyset>,
}

fn validate(
    kind: Option<gcm_domain::ItemKind>,
    filter: Option<&ItemFilter>,
    sort: Option<ItemSort>,
    args: &PageArgs,
    default_sort: ItemSort,
) -> Result<ListRequest, ApiError> {
    let filter = filter.cloned().unwrap_or_default().to_store(kind)?;
    let sort: item_pages::ItemSort = sort.unwrap_or(default_sort).into();
    if sort == item_pages::ItemSort::Relevance && filter.text.is_none() {
        return Err(ApiError::bad_input(
            "sort RELEVANCE needs a search text (filter.text)",
        ));
    }
    let plan = args.plan(|cursor| decode_item_cursor(sort, cursor))?;
    Ok(ListRequest {
        filter: Arc::new(filter),
        sort,
        plan,
    })
}

/// A root list: one statement for the page, one more only if `totalCount` is asked for.
pub async fn root_items(
    ctx: &Context<'_>,
    kind: Option<gcm_domain::ItemKind>,
    filter: Option<&ItemFilter>,
    sort: Option<ItemSort>,
    args: &PageArgs,
    default_sort: ItemSort,
) -> ApiResult<ItemPage> {
    let list = validate(kind, filter, sort, args, default_sort).map_err(gql)?;
    let request = page_request(list.sort, &list.plan);
    let pool = ctx.data::<gcm_store::Pool>()?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| gql(gcm_store::StoreError::from(e)))?;
    let rows = item_pages::pages(&mut conn, &list.filter, &request, None)
        .await
        .map_err(gql)?;
    Ok(ItemPage::new(
        rows,
        list.sort,
        &list.plan,
        Total::Root(list.filter),
    ))
}

/// A list under one parent; siblings with the same arguments share one statement.
pub async fn nested_items(
    ctx: &Context<'_>,
    parent: Parent,
    parent_id: i32,
    kind: gcm_domain::ItemKind,
    filter: Option<&ItemFilter>,
    sort: Option<ItemSort>,
    args: &PageArgs,
) -> ApiResult<ItemPage> {
    let list = validate(Some(kind), filter, sort, args, ItemSort::GlobalFirst).map_err(gql)?;
    let request = Arc::new(page_request(list.sort, &list.plan));
    let loaders = ctx.data::<Loaders>()?;
    let key = ItemPageOf {
        parent,
        parent_id,
        filter: list.filter.clone(),
        request,
    };
    let rows = loaders
        .load_one(key)
        .await
        .map_err(gql)?
        .unwrap_or_default();
    let total = Total::Nested(ItemCountOf {
        parent,
        parent_id,
        filter: list.filter,
    });
    Ok(ItemPage::new(rows, list.sort, &list.plan, total))
}
