//! Reading item lists: the root lists (`resources`, `search`, ...) and the lists nested
//! under objectives and countries, which batch across parents.

use std::sync::Arc;

use async_graphql::Context;
use gcm_store::models::item_pages::{self, Parent};

use super::connection::{
    EventConnection, ItemPage, PageArgs, ProjectConnection, ResourceConnection, Total,
    decode_item_cursor, page_request,
};
use super::enums::ItemSort;
use super::filter::ItemFilter;
use crate::error::{ApiError, ApiResult, gql};
use crate::limits::directives::{CONNECTION_ASSUMED, edges_and_nodes, first_or_last, list_size};
use crate::loaders::{ItemPageOf, Loaders};

/// A validated list request: the store's filter, order and page plan.
struct ListRequest {
    filter: Arc<item_pages::ItemFilter>,
    sort: item_pages::ItemSort,
    plan: super::connection::PagePlan<item_pages::Keyset>,
}

/// Whether a list is one objective's: under an objective, or filtered by exactly one.
fn of_one_objective(parent: Option<Parent>, filter: &item_pages::ItemFilter) -> bool {
    parent == Some(Parent::Objective)
        || (parent.is_none() && filter.objectives.as_ref().is_some_and(|o| o.len() == 1))
}

/// `default_sort` None is the natural order: the Hub's own (HUB) for one objective's
/// list, GLOBAL_FIRST for every other.
fn validate(
    parent: Option<Parent>,
    kind: Option<gcm_domain::ItemKind>,
    filter: Option<&ItemFilter>,
    sort: Option<ItemSort>,
    args: &PageArgs,
    default_sort: Option<ItemSort>,
) -> Result<ListRequest, ApiError> {
    let filter = filter.cloned().unwrap_or_default().to_store(kind)?;
    let one_objective = of_one_objective(parent, &filter);
    let natural = match one_objective {
        true => ItemSort::Hub,
        false => ItemSort::GlobalFirst,
    };
    let sort: item_pages::ItemSort = sort.or(default_sort).unwrap_or(natural).into();
    if sort == item_pages::ItemSort::Relevance && filter.text.is_none() {
        return Err(ApiError::bad_input(
            "sort RELEVANCE needs a search text (filter.text)",
        ));
    }
    if sort == item_pages::ItemSort::Hub && !one_objective {
        return Err(ApiError::bad_input(
            "sort HUB is the order of one objective's Hub page: list under an objective, or filter by exactly one objective (filter.objectives)",
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
    default_sort: Option<ItemSort>,
) -> ApiResult<ItemPage> {
    let list = validate(None, kind, filter, sort, args, default_sort).map_err(gql)?;
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
    let list = validate(Some(parent), Some(kind), filter, sort, args, None).map_err(gql)?;
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
    let total = Total::Nested {
        parent,
        parent_id,
        filter: list.filter,
    };
    Ok(ItemPage::new(rows, list.sort, &list.plan, total))
}

/// Reads a list of one kind, at the root (`parent` None) or under a parent.
#[allow(clippy::too_many_arguments)]
pub async fn items_of_kind(
    ctx: &Context<'_>,
    parent: Option<(Parent, i32)>,
    kind: gcm_domain::ItemKind,
    filter: Option<&ItemFilter>,
    sort: Option<ItemSort>,
    args: &PageArgs,
) -> ApiResult<ItemPage> {
    match parent {
        None => root_items(ctx, Some(kind), filter, sort, args, None).await,
        Some((parent, id)) => nested_items(ctx, parent, id, kind, filter, sort, args).await,
    }
}

/// Declares an object with the `resources`, `events` and `projects` connections, once for
/// each place that lists items (the root, an objective, a country); each includes it with
/// `#[graphql(flatten)]`, so the fields appear on the parent itself.
macro_rules! item_lists {
    ($name:ident, $resources:literal, $events:literal, $projects:literal) => {
        /// The item connections of one parent (or of the root when `None`).
        pub struct $name(pub Option<(Parent, i32)>);

        #[async_graphql::Object]
        impl $name {
            #[doc = $resources]
            #[allow(clippy::too_many_arguments)]
            #[graphql(directive = list_size::apply(Some(CONNECTION_ASSUMED), first_or_last(), edges_and_nodes(), Some(false)))]
            async fn resources(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Narrows the list: fields combine with AND, values inside a field with OR.")]
                filter: Option<ItemFilter>,
                #[graphql(desc = "Default HUB (the Hub page's order) for one objective's items: under an objective, or filtered by exactly one; GLOBAL_FIRST otherwise.")] sort: Option<ItemSort>,
                #[graphql(desc = "Page size, 0 to 100 (default 20), reading forward.")] first: Option<i32>,
                #[graphql(desc = "Read the items after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page size, 0 to 100, reading backward.")] last: Option<i32>,
                #[graphql(desc = "Read the items before this cursor.")] before: Option<String>,
            ) -> ApiResult<ResourceConnection> {
                let args = PageArgs { first, after, last, before };
                let kind = gcm_domain::ItemKind::Resource;
                Ok(ResourceConnection(items_of_kind(ctx, self.0, kind, filter.as_ref(), sort, &args).await?))
            }

            #[doc = $events]
            #[allow(clippy::too_many_arguments)]
            #[graphql(directive = list_size::apply(Some(CONNECTION_ASSUMED), first_or_last(), edges_and_nodes(), Some(false)))]
            async fn events(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Narrows the list: fields combine with AND, values inside a field with OR.")]
                filter: Option<ItemFilter>,
                #[graphql(desc = "Default HUB (the Hub page's order) for one objective's items: under an objective, or filtered by exactly one; GLOBAL_FIRST otherwise.")] sort: Option<ItemSort>,
                #[graphql(desc = "Page size, 0 to 100 (default 20), reading forward.")] first: Option<i32>,
                #[graphql(desc = "Read the items after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page size, 0 to 100, reading backward.")] last: Option<i32>,
                #[graphql(desc = "Read the items before this cursor.")] before: Option<String>,
            ) -> ApiResult<EventConnection> {
                let args = PageArgs { first, after, last, before };
                let kind = gcm_domain::ItemKind::Event;
                Ok(EventConnection(items_of_kind(ctx, self.0, kind, filter.as_ref(), sort, &args).await?))
            }

            #[doc = $projects]
            #[allow(clippy::too_many_arguments)]
            #[graphql(directive = list_size::apply(Some(CONNECTION_ASSUMED), first_or_last(), edges_and_nodes(), Some(false)))]
            async fn projects(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Narrows the list: fields combine with AND, values inside a field with OR.")]
                filter: Option<ItemFilter>,
                #[graphql(desc = "Default HUB (the Hub page's order) for one objective's items: under an objective, or filtered by exactly one; GLOBAL_FIRST otherwise.")] sort: Option<ItemSort>,
                #[graphql(desc = "Page size, 0 to 100 (default 20), reading forward.")] first: Option<i32>,
                #[graphql(desc = "Read the items after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page size, 0 to 100, reading backward.")] last: Option<i32>,
                #[graphql(desc = "Read the items before this cursor.")] before: Option<String>,
            ) -> ApiResult<ProjectConnection> {
                let args = PageArgs { first, after, last, before };
                let kind = gcm_domain::ItemKind::Project;
                Ok(ProjectConnection(items_of_kind(ctx, self.0, kind, filter.as_ref(), sort, &args).await?))
            }
        }
    };
}

item_lists!(
    RootItems,
    "Published resources (documents, training and guidance, videos).",
    "Published events.",
    "Published projects."
);
item_lists!(
    ObjectiveItems,
    "Published resources serving this objective.",
    "Published events serving this objective.",
    "Published projects serving this objective."
);
item_lists!(
    CountryItems,
    "Published resources tied to this country.",
    "Published events tied to this country.",
    "Published projects tied to this country."
);
