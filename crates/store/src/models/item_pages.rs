//! Filtered, sorted, keyset-paginated pages of published items, their counts and facets.
//!
//! Every query is one static SQL text per (filters in use, sort, direction, parent kind),
//! each filter's values a bound parameter: no user string ever becomes SQL, and
//! PostgreSQL plans each execution with the actual values. Connections nested
//! under a list of parents (say every objective's `resources`) run as ONE statement:
//! the parents are unnested and each gets its own page through a LATERAL join.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::sql_types::{Array, Date, Float4, Int2, Int4, Int8, Nullable, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::catalogue_items::{ITEM_COLUMNS, ItemRow};
use crate::StoreResult;

/// What a client asked for; lists inside one field are OR-ed, fields are AND-ed.
/// `None` means the filter is not applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ItemFilter {
    pub kinds: Option<Vec<String>>,
    pub objectives: Option<Vec<i32>>,
    pub principles: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    /// ISO 3166-1 alpha-3 codes.
    pub countries: Option<Vec<String>>,
    pub document_types: Option<Vec<String>>,
    pub sections: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub published_from: Option<NaiveDate>,
    pub published_to: Option<NaiveDate>,
    /// Web-search syntax: words, "quoted phrases", `or`, `-excluded`.
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemSort {
    /// The Hub's rule: global, then regional, then national; newest first within each.
    GlobalFirst,
    Newest,
    Title,
    /// Best text match first; needs `text`.
    Relevance,
}

/// An item's position in a sorted list; a cursor carries the fields its sort uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Keyset {
    pub scope_rank: i16,
    pub age_rank: i32,
    pub title_key: Option<String>,
    /// `f32::to_bits` of the relevance rank, so the key stays `Eq + Hash`.
    pub rank_bits: u32,
    pub id: i32,
}

/// The relation a nested connection hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parent {
    Objective,
    Country,
    Region,
    Principle,
    GuidanceSource,
}

impl Parent {
    fn condition(self) -> &'static str {
        match self {
            Parent::Objective => {
                "EXISTS (SELECT 1 FROM item_objectives l WHERE l.item_id = i.id AND l.objective_number = p.key)"
            }
            Parent::Country => {
                "EXISTS (SELECT 1 FROM item_countries l WHERE l.item_id = i.id AND l.country_id = p.key)"
            }
            Parent::Region => {
                "EXISTS (SELECT 1 FROM item_regions l WHERE l.item_id = i.id AND l.region_id = p.key)"
            }
            Parent::Principle => {
                "EXISTS (SELECT 1 FROM item_principles l WHERE l.item_id = i.id AND l.principle_id = p.key)"
            }
            Parent::GuidanceSource => {
                "EXISTS (SELECT 1 FROM item_guidance_sources l WHERE l.item_id = i.id AND l.guidance_source_id = p.key)"
            }
        }
    }
}

/// One page: which way to read from the cursor, and how many rows to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub sort: ItemSort,
    pub cursor: Option<Keyset>,
    /// Read towards the start of the list (`last`/`before`); rows still come back in list order.
    pub backward: bool,
    /// Rows to fetch (callers ask for one more than they show, to learn whether more follow).
    pub limit: i64,
}

#[derive(Debug, Clone, QueryableByName)]
pub struct PageRow {
    #[diesel(sql_type = Int4)]
    pub parent_key: i32,
    #[diesel(sql_type = Float4)]
    pub rank: f32,
    /// The best passages of the summary, matches between U+E000 and U+E001 (text searches only).
    #[diesel(sql_type = Nullable<Text>)]
    pub snippet: Option<String>,
    #[diesel(embed)]
    pub item: ItemRow,
}

impl PageRow {
    pub fn keyset(&self, sort: ItemSort) -> Keyset {
        Keyset {
            scope_rank: self.item.scope_rank,
            age_rank: self.item.age_rank,
            title_key: (sort == ItemSort::Title).then(|| self.item.title_key.clone()),
            rank_bits: self.rank.to_bits(),
            id: self.item.id,
        }
    }
}

/// Marks around matches in snippets: private-use characters that never occur in the
/// catalogue, so the caller can escape the text and then turn them into markup.
pub const MATCH_START: char = '\u{E000}';
pub const MATCH_END: char = '\u{E001}';

impl ItemFilter {
    /// The WHERE clause for this filter: only the conditions in use, each reading its
    /// bound parameter (`$1`..`$12`, bound whether used or not). Writing unused filters
    /// as `($n IS NULL OR ...)` would keep every one a per-row check, so PostgreSQL could
    /// not drive a query from a link table (a country's 100,000 links, say) and would
    /// walk every published item instead; one text per combination of filters lets it.
    fn conditions(&self) -> String {
        let mut sql = String::from("i.status = 'published'");
        let clauses: [(bool, &str); 12] = [
            (self.kinds.is_some(), "i.kind = ANY($1::text[])"),
            (
                self.objectives.is_some(),
                "EXISTS (SELECT 1 FROM item_objectives f WHERE f.item_id = i.id AND f.objective_number = ANY($2::int4[]))",
            ),
            (
                self.principles.is_some(),
                "EXISTS (SELECT 1 FROM item_principles f JOIN guiding_principles g ON g.id = f.principle_id WHERE f.item_id = i.id AND g.slug = ANY($3::text[]))",
            ),
            (
                self.regions.is_some(),
                "EXISTS (SELECT 1 FROM item_regions f JOIN regions g ON g.id = f.region_id WHERE f.item_id = i.id AND g.slug = ANY($4::text[]))",
            ),
            (
                self.countries.is_some(),
                "EXISTS (SELECT 1 FROM item_countries f JOIN countries g ON g.id = f.country_id WHERE f.item_id = i.id AND g.iso3 = ANY($5::text[]))",
            ),
            (
                self.document_types.is_some(),
                "i.document_type_id IN (SELECT g.id FROM document_types g WHERE g.slug = ANY($6::text[]))",
            ),
            (self.sections.is_some(), "i.section = ANY($7::text[])"),
            (self.scopes.is_some(), "i.scope = ANY($8::text[])"),
            (self.languages.is_some(), "i.language = ANY($9::text[])"),
            (self.published_from.is_some(), "i.published_on >= $10::date"),
            (self.published_to.is_some(), "i.published_on <= $11::date"),
            (
                self.text.is_some(),
                "i.search @@ websearch_to_tsquery('gcm', $12::text)",
            ),
        ];
        for (_, clause) in clauses.iter().filter(|(used, _)| *used) {
            sql.push_str(" AND ");
            sql.push_str(clause);
        }
        sql
    }

    /// Relevance: title matches (weight A) count most, then organisation (B), then summary (C).
    fn rank(&self) -> &'static str {
        match self.text {
            Some(_) => "ts_rank_cd(i.search, websearch_to_tsquery('gcm', $12::text), 32)::float4",
            None => "0::float4",
        }
    }
}

fn keyset_condition(sort: ItemSort, backward: bool, rank: &str) -> String {
    let op = if backward { "<" } else { ">" };
    match sort {
        ItemSort::GlobalFirst => format!("(i.scope_rank, i.age_rank, i.id) {op} ($13, $14, $17)"),
        ItemSort::Newest => format!("(i.age_rank, i.id) {op} ($14, $17)"),
        ItemSort::Title => format!("(i.title_key, i.id) {op} ($15, $17)"),
        ItemSort::Relevance => format!("(-{rank}, i.id) {op} (-$16, $17)"),
    }
}

/// ORDER BY over columns of `table` (`i` inside, `page` outside the page subquery).
fn order_by(sort: ItemSort, backward: bool, table: &str) -> String {
    let dir = if backward { "DESC" } else { "ASC" };
    let flip = if backward { "ASC" } else { "DESC" };
    match sort {
        ItemSort::GlobalFirst => {
            format!("{table}.scope_rank {dir}, {table}.age_rank {dir}, {table}.id {dir}")
        }
        ItemSort::Newest => format!("{table}.age_rank {dir}, {table}.id {dir}"),
        ItemSort::Title => format!("{table}.title_key {dir}, {table}.id {dir}"),
        ItemSort::Relevance => format!("{table}.rank {flip}, {table}.id {dir}"),
    }
}

fn page_sql(filter: &ItemFilter, request: &PageRequest, parent: Option<Parent>) -> String {
    let rank = filter.rank();
    let conditions = filter.conditions();
    let keyset = match request.cursor {
        Some(_) => keyset_condition(request.sort, request.backward, rank),
        None => "TRUE".to_owned(),
    };
    let inner_order = match request.sort {
        // `rank` is not a column inside: order by the expression.
        ItemSort::Relevance => {
            let (flip, dir) = if request.backward {
                ("ASC", "DESC")
            } else {
                ("DESC", "ASC")
            };
            format!("{rank} {flip}, i.id {dir}")
        }
        sort => order_by(sort, request.backward, "i"),
    };
    let parent_condition = parent.map(Parent::condition).unwrap_or("TRUE");
    let inner = format!(
        "SELECT {rank} AS rank, {ITEM_COLUMNS} FROM items i \
         WHERE {conditions} AND {parent_condition} AND {keyset} ORDER BY {inner_order} LIMIT $18::int8"
    );
    let snippet = match filter.text {
        Some(_) => {
            "ts_headline('gcm', page.summary, websearch_to_tsquery('gcm', $12::text), $20::text) AS snippet"
        }
        None => "NULL::text AS snippet",
    };
    let outer_order = order_by(request.sort, request.backward, "page");
    match parent {
        None => format!(
            "SELECT 0 AS parent_key, page.*, {snippet} FROM ({inner}) page ORDER BY {outer_order}"
        ),
        Some(_) => format!(
            "SELECT p.key AS parent_key, page.*, {snippet} \
             FROM unnest($19::int4[]) AS p(key) CROSS JOIN LATERAL ({inner}) page \
             ORDER BY p.key, {outer_order}"
        ),
    }
}

const HEADLINE_OPTIONS: &str = "MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=\" … \", \
    StartSel=\u{E000}, StopSel=\u{E001}, HighlightAll=false";

/// Binds `$1`..`$12`, the filter, in the order `ItemFilter::conditions` reads them.
macro_rules! bind_filter {
    ($query:expr, $filter:expr) => {
        $query
            .bind::<Nullable<Array<Text>>, _>($filter.kinds.clone())
            .bind::<Nullable<Array<Int4>>, _>($filter.objectives.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.principles.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.regions.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.countries.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.document_types.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.sections.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.scopes.clone())
            .bind::<Nullable<Array<Text>>, _>($filter.languages.clone())
            .bind::<Nullable<Date>, _>($filter.published_from)
            .bind::<Nullable<Date>, _>($filter.published_to)
            .bind::<Nullable<Text>, _>($filter.text.clone())
    };
}

/// Fetches one page (or one page per parent) in list order.
pub async fn pages(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    request: &PageRequest,
    parents: Option<(Parent, &[i32])>,
) -> StoreResult<Vec<PageRow>> {
    let sql = page_sql(filter, request, parents.map(|(p, _)| p));
    let cursor = request.cursor.clone();
    let mut rows: Vec<PageRow> = bind_filter!(sql_query(sql), filter)
        .bind::<Nullable<Int2>, _>(cursor.as_ref().map(|k| k.scope_rank))
        .bind::<Nullable<Int4>, _>(cursor.as_ref().map(|k| k.age_rank))
        .bind::<Nullable<Text>, _>(cursor.as_ref().and_then(|k| k.title_key.clone()))
        .bind::<Nullable<Float4>, _>(cursor.as_ref().map(|k| f32::from_bits(k.rank_bits)))
        .bind::<Nullable<Int4>, _>(cursor.as_ref().map(|k| k.id))
        .bind::<Int8, _>(request.limit)
        .bind::<Nullable<Array<Int4>>, _>(parents.map(|(_, keys)| keys.to_vec()))
        .bind::<Text, _>(HEADLINE_OPTIONS)
        .load(conn)
        .await?;
    if request.backward {
        // Read backwards from the cursor; clients get pages in list order.
        rows.reverse();
        rows.sort_by_key(|r| r.parent_key);
    }
    Ok(rows)
}

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int4)]
    parent_key: i32,
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// How many items match, overall (`parents` = None, key 0) or per parent.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    parents: Option<(Parent, &[i32])>,
) -> StoreResult<HashMap<i32, i64>> {
    let sql = match parents {
        None => format!(
            "SELECT 0 AS parent_key, count(*) AS count FROM items i WHERE {}",
            filter.conditions()
        ),
        Some((parent, _)) => format!(
            "SELECT p.key AS parent_key, (SELECT count(*) FROM items i WHERE {} AND {}) AS count \
             FROM unnest($13::int4[]) AS p(key)",
            filter.conditions(),
            parent.condition()
        ),
    };
    let rows: Vec<CountRow> = bind_filter!(sql_query(sql), filter)
        .bind::<Nullable<Array<Int4>>, _>(parents.map(|(_, keys)| keys.to_vec()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.parent_key, r.count)).collect())
}

/// One dimension of a facet count: `key` is the dimension's natural key (objective
/// number, slug, ISO alpha-3, section, scope, kind, or year), as text.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct FacetRow {
    #[diesel(sql_type = Text)]
    pub dimension: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Int8)]
    pub count: i64,
}

/// Counts of the matching items by every dimension a dashboard slices by, in one statement.
pub async fn facets(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
) -> StoreResult<Vec<FacetRow>> {
    let sql = format!(
        "WITH m AS MATERIALIZED (SELECT i.id, i.kind, i.scope, i.section, i.document_type_id, i.published_on \
                                 FROM items i WHERE {}) \
         SELECT 'total' AS dimension, '' AS key, count(*) AS count FROM m \
         UNION ALL SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind \
         UNION ALL SELECT 'objective', l.objective_number::text, count(*) \
             FROM m JOIN item_objectives l ON l.item_id = m.id GROUP BY l.objective_number \
         UNION ALL SELECT 'principle', g.slug, count(*) FROM m JOIN item_principles l ON l.item_id = m.id \
             JOIN guiding_principles g ON g.id = l.principle_id GROUP BY g.slug \
         UNION ALL SELECT 'region', g.slug, count(*) FROM m JOIN item_regions l ON l.item_id = m.id \
             JOIN regions g ON g.id = l.region_id GROUP BY g.slug \
         UNION ALL SELECT 'country', g.iso3, count(*) FROM m JOIN item_countries l ON l.item_id = m.id \
             JOIN countries g ON g.id = l.country_id GROUP BY g.iso3 \
         UNION ALL SELECT 'document_type', g.slug, count(*) FROM m JOIN document_types g ON g.id = m.document_type_id \
             GROUP BY g.slug \
         UNION ALL SELECT 'section', m.section, count(*) FROM m WHERE m.section IS NOT NULL GROUP BY m.section \
         UNION ALL SELECT 'scope', m.scope, count(*) FROM m GROUP BY m.scope \
         UNION ALL SELECT 'year', extract(year FROM m.published_on)::int::text, count(*) FROM m \
             WHERE m.published_on IS NOT NULL GROUP BY 2",
        filter.conditions()
    );
    Ok(bind_filter!(sql_query(sql), filter).load(conn).await?)
}

/// The published item `id` when it matches `filter` (live updates check each publication).
pub async fn published_matching(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    id: i32,
) -> StoreResult<Option<ItemRow>> {
    use diesel::OptionalExtension;
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items i WHERE {} AND i.id = $13",
        filter.conditions()
    );
    let query = bind_filter!(sql_query(sql), filter).bind::<Int4, _>(id);
    Ok(query.get_result::<ItemRow>(conn).await.optional()?)
}
