//! Relay connections over items: page arguments, opaque keyset cursors, page info and
//! the connection types. Pages are read by keyset (no OFFSET), at most 100 at a time.

use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};
use gcm_store::models::item_pages::{
    self, ItemFilter, ItemSort, Keyset, MATCH_END, MATCH_START, PageRequest, PageRow,
};
use serde_json::{Value, json};

use super::item::{CatalogueItem, Event, Project, Resource};
use crate::error::{ApiError, ApiResult, MAX_PAGE_SIZE, gql};
use crate::ids::{decode_cursor, encode_cursor};
use crate::loaders::{ItemCountOf, Loaders};

/// Items per page when the client names no size.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// `first`/`after` or `last`/`before`, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// A page to read: which way, how many to show, from which cursor.
#[derive(Debug, Clone)]
pub struct PagePlan<C> {
    pub backward: bool,
    pub size: usize,
    pub cursor: Option<C>,
}

pub(crate) fn page_size(argument: &'static str, value: i32) -> Result<usize, ApiError> {
    if value < 0 {
        return Err(ApiError::bad_input(format!(
            "`{argument}` must not be negative"
        )));
    }
    if value > MAX_PAGE_SIZE {
        return Err(ApiError::PageTooLarge {
            argument,
            requested: value,
            max: MAX_PAGE_SIZE,
        });
    }
    // Non-negative and at most MAX_PAGE_SIZE, so the cast is lossless.
    Ok(value as usize)
}

impl PageArgs {
    /// Checks the combination and sizes, and decodes the cursor with `decode`.
    pub fn plan<C>(
        &self,
        decode: impl Fn(&str) -> Result<C, ApiError>,
    ) -> Result<PagePlan<C>, ApiError> {
        let backward = self.last.is_some() || self.before.is_some();
        if backward && (self.first.is_some() || self.after.is_some()) {
            return Err(ApiError::bad_input(
                "paginate forward with `first`/`after` or backward with `last`/`before`, not both",
            ));
        }
        let (size, cursor, argument) = if backward {
            (
                self.last.map(|n| page_size("last", n)).transpose()?,
                self.before.as_deref(),
                "before",
            )
        } else {
            (
                self.first.map(|n| page_size("first", n)).transpose()?,
                self.after.as_deref(),
                "after",
            )
        };
        if let Some(cursor) = cursor {
            check_cursor(argument, cursor)?;
        }
        Ok(PagePlan {
            backward,
            size: size.unwrap_or(DEFAULT_PAGE_SIZE as usize),
            cursor: cursor.map(decode).transpose()?,
        })
    }
}

/// A cursor holding a control character or highlight marker is bad input at its
/// argument (the text rule); any other malformed cursor is `INVALID_CURSOR`.
pub(crate) fn check_cursor(argument: &str, cursor: &str) -> Result<(), ApiError> {
    gcm_domain::text::check_key("the cursor", cursor)
        .map_err(|e| ApiError::bad_argument(argument, e))
}

fn sort_tag(sort: ItemSort) -> &'static str {
    match sort {
        ItemSort::Hub => "H",
        ItemSort::GlobalFirst => "G",
        ItemSort::Newest => "N",
        ItemSort::Title => "T",
        ItemSort::Relevance => "R",
    }
}

pub fn encode_item_cursor(sort: ItemSort, key: &Keyset) -> String {
    let value = match sort {
        ItemSort::Hub => json!([
            "H",
            key.hub_section,
            key.hub_rank,
            key.scope_rank,
            key.age_rank,
            key.id
        ]),
        ItemSort::GlobalFirst => json!(["G", key.scope_rank, key.age_rank, key.id]),
        ItemSort::Newest => json!(["N", key.age_rank, key.id]),
        ItemSort::Title => json!(["T", key.title_key, key.id]),
        ItemSort::Relevance => json!(["R", key.rank_bits, key.id]),
    };
    encode_cursor(&value)
}

/// Decodes a cursor of a list in `sort` order; a cursor of another list is refused.
pub fn decode_item_cursor(sort: ItemSort, cursor: &str) -> Result<Keyset, ApiError> {
    let value = decode_cursor(cursor)?;
    let invalid = || ApiError::InvalidCursor(format!("{cursor:?} is not a cursor of this list"));
    let parts = value.as_array().ok_or_else(invalid)?;
    let tag = parts.first().and_then(Value::as_str).ok_or_else(invalid)?;
    if tag != sort_tag(sort) {
        return Err(ApiError::InvalidCursor(format!(
            "{cursor:?} belongs to a list in another order; cursors are only valid for the order they came from"
        )));
    }
    let int = |i: usize| -> Result<i64, ApiError> {
        parts.get(i).and_then(Value::as_i64).ok_or_else(invalid)
    };
    let i32_at =
        |i: usize| -> Result<i32, ApiError> { i32::try_from(int(i)?).map_err(|_| invalid()) };
    let mut key = Keyset::default();
    match sort {
        ItemSort::Hub if parts.len() == 6 => {
            key.hub_section = i16::try_from(int(1)?).map_err(|_| invalid())?;
            key.hub_rank = i32_at(2)?;
            key.scope_rank = i16::try_from(int(3)?).map_err(|_| invalid())?;
            key.age_rank = i32_at(4)?;
            key.id = i32_at(5)?;
        }
        ItemSort::GlobalFirst if parts.len() == 4 => {
            key.scope_rank = i16::try_from(int(1)?).map_err(|_| invalid())?;
            key.age_rank = i32_at(2)?;
            key.id = i32_at(3)?;
        }
        ItemSort::Newest if parts.len() == 3 => {
            key.age_rank = i32_at(1)?;
            key.id = i32_at(2)?;
        }
        ItemSort::Title if parts.len() == 3 => {
            key.title_key = Some(parts[1].as_str().ok_or_else(invalid)?.to_owned());
            key.id = i32_at(2)?;
        }
        ItemSort::Relevance if parts.len() == 3 => {
            key.rank_bits = u32::try_from(int(1)?).map_err(|_| invalid())?;
            key.id = i32_at(2)?;
        }
        _ => return Err(invalid()),
    }
    Ok(key)
}

/// Where a page stands in its list.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// More items follow this page (read on with `after: endCursor`).
    pub has_next_page: bool,
    /// Items precede this page (read back with `before: startCursor`).
    pub has_previous_page: bool,
    /// The cursor of the page's first item.
    pub start_cursor: Option<String>,
    /// The cursor of the page's last item.
    pub end_cursor: Option<String>,
}

/// How the total of a list is counted when a client asks for it.
#[derive(Debug, Clone)]
pub enum Total {
    /// A root list: one count statement.
    Root(Arc<ItemFilter>),
    /// A list nested under a parent: counted in one batch with its siblings.
    Nested {
        parent: item_pages::Parent,
        parent_id: i32,
        filter: Arc<ItemFilter>,
    },
}

impl Total {
    /// The exact count, or with `up_to` the count of at most `up_to + 1` items.
    async fn count(&self, ctx: &Context<'_>, up_to: Option<i64>) -> ApiResult<i64> {
        match self {
            Total::Root(filter) => {
                let pool = ctx.data::<gcm_store::Pool>()?;
                let mut conn = pool
                    .get()
                    .await
                    .map_err(|e| gql(gcm_store::StoreError::from(e)))?;
                let counts = item_pages::counts(&mut conn, filter, None, up_to)
                    .await
                    .map_err(gql)?;
                Ok(counts.get(&0).copied().unwrap_or(0))
            }
            Total::Nested {
                parent,
                parent_id,
                filter,
            } => {
                let key = ItemCountOf {
                    parent: *parent,
                    parent_id: *parent_id,
                    filter: filter.clone(),
                    up_to,
                };
                let loaders = ctx.data::<Loaders>()?;
                Ok(loaders.load_one(key).await.map_err(gql)?.unwrap_or(0))
            }
        }
    }

    /// `count`: exact up to `limit` (at most the deployment's [`ExactCountLimit`]).
    async fn bounded(&self, ctx: &Context<'_>, limit: Option<i32>) -> ApiResult<Count> {
        let most = ctx.data::<ExactCountLimit>()?.0;
        let limit = match limit {
            None => most,
            Some(n) if (1..=most).contains(&i64::from(n)) => i64::from(n),
            Some(_) => {
                return Err(gql(ApiError::bad_input(format!(
                    "`limit` must be between 1 and {most}"
                ))));
            }
        };
        let counted = self.count(ctx, Some(limit)).await?;
        Ok(if counted > limit {
            Count {
                count: limit,
                precision: CountPrecision::AtLeast,
            }
        } else {
            Count {
                count: counted,
                precision: CountPrecision::Exact,
            }
        })
    }
}

/// The most items `count` counts one by one: above it, it answers a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactCountLimit(pub i64);

impl ExactCountLimit {
    /// The limit unless the deployment sets another (`GCM_EXACT_COUNT_LIMIT`).
    pub const DEFAULT: i64 = 10_000;
}

impl Default for ExactCountLimit {
    fn default() -> Self {
        Self(Self::DEFAULT)
    }
}

/// Whether a `Count` is the number of items or a lower bound of it.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CountPrecision {
    /// `count` is how many items the list holds.
    Exact,
    /// The list holds more than `count` items; they were not counted further.
    AtLeast,
}

/// A count of a list's items that stops at a limit, so a broad text search answers
/// fast: exact up to the limit, a lower bound (`AT_LEAST`) above it.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Count {
    /// The number of items, or with `AT_LEAST` the limit they pass.
    pub count: i64,
    /// Whether `count` is the number of items or a lower bound of it.
    pub precision: CountPrecision,
}

/// A page of item rows, trimmed to the size shown, with what the page info needs.
#[derive(Debug, Clone)]
pub struct ItemPage {
    rows: Vec<PageRow>,
    sort: ItemSort,
    has_next: bool,
    has_previous: bool,
    total: Total,
}

impl ItemPage {
    /// `rows` were fetched with `plan.size + 1`, in list order.
    pub fn new(
        mut rows: Vec<PageRow>,
        sort: ItemSort,
        plan: &PagePlan<Keyset>,
        total: Total,
    ) -> Self {
        let more = rows.len() > plan.size;
        if more {
            if plan.backward {
                rows.drain(..rows.len() - plan.size);
            } else {
                rows.truncate(plan.size);
            }
        }
        let from_cursor = plan.cursor.is_some();
        let (has_next, has_previous) = if plan.backward {
            (from_cursor, more)
        } else {
            (more, from_cursor)
        };
        Self {
            rows,
            sort,
            has_next,
            has_previous,
            total,
        }
    }

    fn page_info(&self) -> PageInfo {
        let cursor = |row: &PageRow| encode_item_cursor(self.sort, &row.keyset(self.sort));
        PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.rows.first().map(cursor),
            end_cursor: self.rows.last().map(cursor),
        }
    }
}

/// The request a plan reads: one more row than shown tells whether more follow.
pub fn page_request(sort: ItemSort, plan: &PagePlan<Keyset>) -> PageRequest {
    PageRequest {
        sort,
        cursor: plan.cursor.clone(),
        backward: plan.backward,
        limit: plan.size as i64 + 1,
    }
}

/// Escapes a snippet for HTML and marks the matches with `<mark>`.
fn snippet_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            MATCH_START => out.push_str("<mark>"),
            MATCH_END => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

macro_rules! item_connection {
    ($connection:ident, $edge:ident, $node:ty, $connection_doc:literal, $edge_doc:literal, $to_node:expr) => {
        #[doc = $connection_doc]
        pub struct $connection(pub ItemPage);

        #[doc = $edge_doc]
        pub struct $edge {
            row: PageRow,
            sort: ItemSort,
        }

        #[doc = $connection_doc]
        #[Object]
        impl $connection {
            /// The items of this page with their cursors.
            async fn edges(&self) -> Vec<$edge> {
                self.0
                    .rows
                    .iter()
                    .map(|row| $edge {
                        row: row.clone(),
                        sort: self.0.sort,
                    })
                    .collect()
            }

            /// The items of this page, without cursors.
            async fn nodes(&self) -> ApiResult<Vec<$node>> {
                self.0
                    .rows
                    .iter()
                    .map(|row| $to_node(row.item.clone()).map_err(gql))
                    .collect()
            }

            /// Where this page stands in the list, with the cursors to read on.
            async fn page_info(&self) -> PageInfo {
                self.0.page_info()
            }

            /// How many items the whole list holds (all pages), counted exactly. A broad
            /// text search reads every match to count it; `count` stops at a limit.
            async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
                self.0.total.count(ctx, None).await
            }

            /// How many items the whole list holds, counted exactly up to `limit` and
            /// answered as a lower bound (`AT_LEAST`) above it: fast for any search.
            async fn count(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Count exactly up to this many; default and most: the deployment's limit, 10000 unless it sets another (GCM_EXACT_COUNT_LIMIT).")]
                limit: Option<i32>,
            ) -> ApiResult<Count> {
                self.0.total.bounded(ctx, limit).await
            }
        }

        #[doc = $edge_doc]
        #[Object]
        impl $edge {
            /// Opaque; pass it as `after` or `before` to read on from this item.
            async fn cursor(&self) -> String {
                encode_item_cursor(self.sort, &self.row.keyset(self.sort))
            }

            /// The item.
            async fn node(&self) -> ApiResult<$node> {
                $to_node(self.row.item.clone()).map_err(gql)
            }

            /// With a search text: the best passages of the summary, HTML-escaped, matches in `<mark>`.
            async fn snippet(&self) -> Option<String> {
                self.row.snippet.as_deref().map(snippet_html)
            }

            /// With a search text: how well the item matches (higher is better).
            async fn relevance(&self) -> Option<f32> {
                self.row.snippet.as_ref().map(|_| self.row.rank)
            }
        }
    };
}

item_connection!(
    ResourceConnection,
    ResourceEdge,
    Resource,
    "A page of resources.",
    "A resource with its cursor.",
    Resource::from_row
);
item_connection!(
    EventConnection,
    EventEdge,
    Event,
    "A page of events.",
    "An event with its cursor.",
    Event::from_row
);
item_connection!(
    ProjectConnection,
    ProjectEdge,
    Project,
    "A page of projects.",
    "A project with its cursor.",
    Project::from_row
);
item_connection!(
    CatalogueItemConnection,
    CatalogueItemEdge,
    CatalogueItem,
    "A page of catalogue items of every kind (search hits).",
    "A catalogue item with its cursor and, for a search, its snippet and relevance.",
    CatalogueItem::from_row
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marked() {
        let raw = format!("a <b> & {MATCH_START}portability{MATCH_END}");
        assert_eq!(
            snippet_html(&raw),
            "a &lt;b&gt; &amp; <mark>portability</mark>"
        );
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_order() {
        let key = Keyset {
            hub_section: 2,
            hub_rank: 3,
            scope_rank: 1,
            age_rank: 42,
            title_key: Some("abc".into()),
            rank_bits: 7,
            id: 9,
        };
        for sort in [
            ItemSort::Hub,
            ItemSort::GlobalFirst,
            ItemSort::Newest,
            ItemSort::Title,
            ItemSort::Relevance,
        ] {
            let cursor = encode_item_cursor(sort, &key);
            let back = decode_item_cursor(sort, &cursor).expect("decodes");
            assert_eq!(back.id, 9);
        }
        let cursor = encode_item_cursor(ItemSort::Newest, &key);
        assert!(matches!(
            decode_item_cursor(ItemSort::Title, &cursor),
            Err(ApiError::InvalidCursor(_))
        ));
    }

    #[test]
    fn page_sizes_are_checked() {
        let plan = |first: Option<i32>, last: Option<i32>| {
            PageArgs {
                first,
                last,
                ..PageArgs::default()
            }
            .plan(|_| Ok(()))
        };
        assert_eq!(plan(None, None).map(|p| p.size).ok(), Some(20));
        assert!(matches!(
            plan(Some(101), None),
            Err(ApiError::PageTooLarge { requested: 101, .. })
        ));
        assert!(matches!(
            plan(Some(-1), None),
            Err(ApiError::BadUserInput(_))
        ));
        assert!(matches!(
            plan(Some(1), Some(1)),
            Err(ApiError::BadUserInput(_))
        ));
        assert_eq!(
            plan(None, Some(100)).map(|p| (p.size, p.backward)).ok(),
            Some((100, true))
        );
    }
}
