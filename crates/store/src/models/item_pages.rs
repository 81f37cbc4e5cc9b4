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
use crate::prepared::Prepared;

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
    /// Organisations, matched whole after folding case and accents.
    pub organisations: Option<Vec<String>>,
    /// `Some(true)`: only the items the Hub files under "General" (tagged with no
    /// objective); `Some(false)`: only items tagged with at least one.
    pub general: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemSort {
    /// The Hub's own order on an objective's page (migration 7): its sections in page
    /// order, the items the page places by their position, then the rest GLOBAL_FIRST.
    /// Needs one objective (the parent, or a filter on exactly one); see [`Source::choose`].
    Hub,
    /// The Hub's rule: global, then regional, then national; newest first within each.
    GlobalFirst,
    Newest,
    Title,
    /// Best text match first; needs `text`.
    Relevance,
}

/// An item's position in a sorted list; a cursor carries the fields its sort uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Keyset {
    /// HUB: the section's place on the page, and the item's within it (`i32::MAX` unplaced).
    pub hub_section: i16,
    pub hub_rank: i32,
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

    /// The link table that lists this parent's items in order, if it has one.
    fn listing(self) -> Option<Listing> {
        match self {
            Parent::Objective => Some(Listing::OBJECTIVES),
            Parent::Country => Some(Listing::COUNTRIES),
            Parent::Region => Some(Listing::REGIONS),
            Parent::Principle => Some(Listing::PRINCIPLES),
            Parent::GuidanceSource => None,
        }
    }
}

/// A link table whose rows carry their item's listing keys (published or not, kind,
/// section, GLOBAL_FIRST sort keys) behind a partial index in list order (migration 3).
/// A list of ONE objective's, country's, region's or principle's items is read from it:
/// a page is an index range scan that stops after the page, a count is index-only,
/// where probing each of a country's 100,000 linked items would take a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listing {
    table: &'static str,
    column: &'static str,
    /// Its name in `facet_counts` (migration 4) and in facet rows.
    dimension: &'static str,
}

impl Listing {
    const OBJECTIVES: Listing = Listing {
        table: "item_objectives",
        column: "objective_number",
        dimension: "objective",
    };
    const PRINCIPLES: Listing = Listing {
        table: "item_principles",
        column: "principle_id",
        dimension: "principle",
    };
    const REGIONS: Listing = Listing {
        table: "item_regions",
        column: "region_id",
        dimension: "region",
    };
    const COUNTRIES: Listing = Listing {
        table: "item_countries",
        column: "country_id",
        dimension: "country",
    };
}

/// Where a list is read from: one key's range of a [`Listing`] (alias `l`, joined to
/// `items i` when item columns are needed), or all of `items i`.
#[derive(Debug, Clone, Copy)]
struct Source {
    listing: Option<Listing>,
    /// The listing's key: `p.key` under a parent, else the one filter value's id.
    key: &'static str,
    /// The key is the parent's: a filter on the same dimension still applies on top.
    by_parent: bool,
}

impl Source {
    const ITEMS: Source = Source {
        listing: None,
        key: "",
        by_parent: false,
    };

    /// A parent with a listing reads from it; without a parent, a filter on exactly one
    /// country, region, principle or objective does (in that order: the first is
    /// usually the narrowest). Several values of one filter would list an item twice.
    ///
    /// HUB reads from the objective listing, which alone holds the page positions.
    fn choose(filter: &ItemFilter, parent: Option<Parent>, sort: ItemSort) -> Source {
        if sort == ItemSort::Hub && parent.is_none() && one(&filter.objectives) {
            return Source {
                listing: Some(Listing::OBJECTIVES),
                key: "($2::int4[])[1]",
                by_parent: false,
            };
        }
        if let Some(parent) = parent {
            return match parent.listing() {
                Some(listing) => Source {
                    listing: Some(listing),
                    key: "p.key",
                    by_parent: true,
                },
                None => Source::ITEMS,
            };
        }
        let candidates = [
            (
                one(&filter.countries),
                Listing::COUNTRIES,
                "(SELECT g.id FROM countries g WHERE g.iso3 = ($5::text[])[1])",
            ),
            (
                one(&filter.regions),
                Listing::REGIONS,
                "(SELECT g.id FROM regions g WHERE g.slug = ($4::text[])[1])",
            ),
            (
                one(&filter.principles),
                Listing::PRINCIPLES,
                "(SELECT g.id FROM guiding_principles g WHERE g.slug = ($3::text[])[1])",
            ),
            (
                one(&filter.objectives),
                Listing::OBJECTIVES,
                "($2::int4[])[1]",
            ),
        ];
        candidates
            .into_iter()
            .find(|(single, _, _)| *single)
            .map_or(Source::ITEMS, |(_, listing, key)| Source {
                listing: Some(listing),
                key,
                by_parent: false,
            })
    }

    /// The parent's semi-join, when the list is not read from the parent's own listing
    /// (whose key condition `conditions` already writes).
    fn parent_condition(self, parent: Option<Parent>) -> &'static str {
        match (parent, self.listing) {
            (Some(parent), None) => parent.condition(),
            _ => "TRUE",
        }
    }

    /// Whether the listing's key is the filter's one value on `listing`'s dimension, so
    /// that filter needs no condition of its own.
    fn answers(self, listing: Listing) -> bool {
        self.listing == Some(listing) && !self.by_parent
    }

    /// The `facet_counts` rows (alias `c`, migration 4) of this listing's key, narrowed
    /// by the filter's kinds and sections: when nothing else narrows the list (the
    /// `conditions` read no item column), they hold its count and its facets exactly.
    fn kept_counts(self, filter: &ItemFilter, conditions: &Conditions) -> Option<String> {
        let listing = self.listing.filter(|_| !conditions.reads_items)?;
        let mut sql = format!(
            "c.dimension = '{}' AND c.key = {}",
            listing.dimension, self.key
        );
        if filter.kinds.is_some() {
            sql.push_str(" AND c.kind = ANY($1::text[])");
        }
        if filter.sections.is_some() {
            sql.push_str(" AND c.section = ANY($7::text[])");
        }
        Some(sql)
    }

    /// FROM, with `items i` only when `with_items` (a count on the listing alone is index-only).
    fn from(self, with_items: bool) -> String {
        match self.listing {
            None => "items i".to_owned(),
            Some(l) if with_items => format!("{} l JOIN items i ON i.id = l.item_id", l.table),
            Some(l) => format!("{} l", l.table),
        }
    }

    /// The GLOBAL_FIRST and NEWEST keys, from the listing when reading one (its index
    /// order); the HUB keys from the objective listing (elsewhere constants: HUB is then
    /// GLOBAL_FIRST, which the API prevents by asking for one objective).
    fn sort_keys(self, rank: &'static str) -> SortKeys {
        match self.listing {
            None => SortKeys::items(rank),
            Some(listing) => SortKeys {
                hub_section: match listing == Listing::OBJECTIVES {
                    true => "l.hub_section",
                    false => "0::int2",
                },
                hub_rank: match listing == Listing::OBJECTIVES {
                    true => "l.hub_rank",
                    false => "0::int4",
                },
                scope_rank: "l.scope_rank",
                age_rank: "l.age_rank",
                id: "l.item_id",
                ..SortKeys::items(rank)
            },
        }
    }
}

fn one<T>(values: &Option<Vec<T>>) -> bool {
    values.as_ref().is_some_and(|v| v.len() == 1)
}

/// A WHERE clause, and whether it reads `items` (else the listing alone answers it).
struct Conditions {
    sql: String,
    reads_items: bool,
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
    /// The HUB keys of the item on the objective's page (zero in other lists).
    #[diesel(sql_type = Int2)]
    pub hub_section: i16,
    #[diesel(sql_type = Int4)]
    pub hub_rank: i32,
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
            hub_section: self.hub_section,
            hub_rank: self.hub_rank,
            scope_rank: self.item.scope_rank,
            age_rank: self.item.age_rank,
            title_key: (sort == ItemSort::Title).then(|| self.item.title_key.clone()),
            rank_bits: self.rank.to_bits(),
            id: self.item.id,
        }
    }
}

/// Marks around matches in snippets: private-use characters that stored text may not
/// hold (`gcm_domain::text` refuses them on every input path), so the caller can escape
/// the text and then turn them into markup.
pub use gcm_domain::text::{MATCH_END, MATCH_START};

impl ItemFilter {
    /// The WHERE clause for this filter read from `source`: only the conditions in use,
    /// each reading its bound parameter (`$1`..`$13`, bound whether used or not). Writing
    /// unused filters as `($n IS NULL OR ...)` would keep every one a per-row check, so
    /// PostgreSQL could not drive a query from a link table and would walk every
    /// published item instead; one text per combination of filters lets it.
    fn conditions(&self, source: Source) -> Conditions {
        let on_listing = source.listing.is_some();
        // On a listing, one kind is an equality so the index keeps its order (PostgreSQL
        // 15 gives up an index's order for `= ANY` on any column but the first).
        let kind = match (on_listing, one(&self.kinds)) {
            (true, true) => "l.kind = ($1::text[])[1]",
            (true, false) => "l.kind = ANY($1::text[])",
            (false, _) => "i.kind = ANY($1::text[])",
        };
        let section = match on_listing {
            true => "l.section = ANY($7::text[])",
            false => "i.section = ANY($7::text[])",
        };
        // (in use, SQL, reads items)
        let clauses: [(bool, &str, bool); 14] = [
            (self.kinds.is_some(), kind, !on_listing),
            (
                self.objectives.is_some() && !source.answers(Listing::OBJECTIVES),
                "EXISTS (SELECT 1 FROM item_objectives f WHERE f.item_id = i.id AND f.objective_number = ANY($2::int4[]))",
                true,
            ),
            (
                self.principles.is_some() && !source.answers(Listing::PRINCIPLES),
                "EXISTS (SELECT 1 FROM item_principles f JOIN guiding_principles g ON g.id = f.principle_id WHERE f.item_id = i.id AND g.slug = ANY($3::text[]))",
                true,
            ),
            (
                self.regions.is_some() && !source.answers(Listing::REGIONS),
                "EXISTS (SELECT 1 FROM item_regions f JOIN regions g ON g.id = f.region_id WHERE f.item_id = i.id AND g.slug = ANY($4::text[]))",
                true,
            ),
            (
                self.countries.is_some() && !source.answers(Listing::COUNTRIES),
                "EXISTS (SELECT 1 FROM item_countries f JOIN countries g ON g.id = f.country_id WHERE f.item_id = i.id AND g.iso3 = ANY($5::text[]))",
                true,
            ),
            (
                self.document_types.is_some(),
                "i.document_type_id IN (SELECT g.id FROM document_types g WHERE g.slug = ANY($6::text[]))",
                true,
            ),
            (self.sections.is_some(), section, !on_listing),
            (self.scopes.is_some(), "i.scope = ANY($8::text[])", true),
            (
                self.languages.is_some(),
                "i.language = ANY($9::text[])",
                true,
            ),
            (
                self.published_from.is_some(),
                "i.published_on >= $10::date",
                true,
            ),
            (
                self.published_to.is_some(),
                "i.published_on <= $11::date",
                true,
            ),
            (
                self.text.is_some(),
                "i.search @@ websearch_to_tsquery('gcm', $12::text)",
                true,
            ),
            (
                self.organisations.is_some(),
                "lower(gcm_unaccent(i.organisation)) IN (SELECT lower(gcm_unaccent(v)) FROM unnest($13::text[]) v)",
                true,
            ),
            (
                self.general.is_some(),
                match self.general {
                    Some(true) => {
                        "NOT EXISTS (SELECT 1 FROM item_objectives f WHERE f.item_id = i.id)"
                    }
                    _ => "EXISTS (SELECT 1 FROM item_objectives f WHERE f.item_id = i.id)",
                },
                true,
            ),
        ];
        let mut sql = match source.listing {
            Some(listing) => format!("l.listed AND l.{} = {}", listing.column, source.key),
            None => String::from("i.status = 'published'"),
        };
        let mut reads_items = !on_listing;
        for (_, clause, on_items) in clauses.iter().filter(|(used, _, _)| *used) {
            sql.push_str(" AND ");
            sql.push_str(clause);
            reads_items |= on_items;
        }
        Conditions { sql, reads_items }
    }

    /// Relevance: title matches (weight A) count most, then organisation (B), then summary (C).
    fn rank(&self) -> &'static str {
        match self.text {
            Some(_) => "ts_rank_cd(i.search, websearch_to_tsquery('gcm', $12::text), 32)::float4",
            None => "0::float4",
        }
    }
}

/// The columns (or expressions) a sort reads, as the query at hand names them.
struct SortKeys {
    hub_section: &'static str,
    hub_rank: &'static str,
    scope_rank: &'static str,
    age_rank: &'static str,
    title_key: &'static str,
    id: &'static str,
    rank: &'static str,
}

impl SortKeys {
    fn items(rank: &'static str) -> SortKeys {
        SortKeys {
            hub_section: "0::int2",
            hub_rank: "0::int4",
            scope_rank: "i.scope_rank",
            age_rank: "i.age_rank",
            title_key: "i.title_key",
            id: "i.id",
            rank,
        }
    }

    /// The columns of the page subquery's output.
    const PAGE: SortKeys = SortKeys {
        hub_section: "page.hub_section",
        hub_rank: "page.hub_rank",
        scope_rank: "page.scope_rank",
        age_rank: "page.age_rank",
        title_key: "page.title_key",
        id: "page.id",
        rank: "page.rank",
    };

    fn after_cursor(&self, sort: ItemSort, backward: bool) -> String {
        let op = if backward { "<" } else { ">" };
        let SortKeys {
            hub_section,
            hub_rank,
            scope_rank,
            age_rank,
            title_key,
            id,
            rank,
        } = self;
        match sort {
            ItemSort::Hub => format!(
                "({hub_section}, {hub_rank}, {scope_rank}, {age_rank}, {id}) {op} ($22, $23, $14, $15, $18)"
            ),
            ItemSort::GlobalFirst => {
                format!("({scope_rank}, {age_rank}, {id}) {op} ($14, $15, $18)")
            }
            ItemSort::Newest => format!("({age_rank}, {id}) {op} ($15, $18)"),
            ItemSort::Title => format!("({title_key}, {id}) {op} ($16, $18)"),
            ItemSort::Relevance => format!("(-{rank}, {id}) {op} (-$17, $18)"),
        }
    }

    fn order_by(&self, sort: ItemSort, backward: bool) -> String {
        let dir = if backward { "DESC" } else { "ASC" };
        let flip = if backward { "ASC" } else { "DESC" };
        let SortKeys {
            hub_section,
            hub_rank,
            scope_rank,
            age_rank,
            title_key,
            id,
            rank,
        } = self;
        match sort {
            ItemSort::Hub => format!(
                "{hub_section} {dir}, {hub_rank} {dir}, {scope_rank} {dir}, {age_rank} {dir}, {id} {dir}"
            ),
            ItemSort::GlobalFirst => {
                format!("{scope_rank} {dir}, {age_rank} {dir}, {id} {dir}")
            }
            ItemSort::Newest => format!("{age_rank} {dir}, {id} {dir}"),
            ItemSort::Title => format!("{title_key} {dir}, {id} {dir}"),
            ItemSort::Relevance => format!("{rank} {flip}, {id} {dir}"),
        }
    }
}

fn page_sql(filter: &ItemFilter, request: &PageRequest, parent: Option<Parent>) -> String {
    let source = Source::choose(filter, parent, request.sort);
    let keys = source.sort_keys(filter.rank());
    let conditions = filter.conditions(source).sql;
    let keyset = match request.cursor {
        Some(_) => keys.after_cursor(request.sort, request.backward),
        None => "TRUE".to_owned(),
    };
    let inner_order = keys.order_by(request.sort, request.backward);
    let parent_condition = source.parent_condition(parent);
    let inner = format!(
        "SELECT {rank} AS rank, {hub_section} AS hub_section, {hub_rank} AS hub_rank, {ITEM_COLUMNS} FROM {from} \
         WHERE {conditions} AND {parent_condition} AND {keyset} ORDER BY {inner_order} LIMIT $19::int8",
        rank = keys.rank,
        hub_section = keys.hub_section,
        hub_rank = keys.hub_rank,
        from = source.from(true),
    );
    let snippet = match filter.text {
        Some(_) => {
            "ts_headline('gcm', page.summary, websearch_to_tsquery('gcm', $12::text), $21::text) AS snippet"
        }
        None => "NULL::text AS snippet",
    };
    let outer_order = SortKeys::PAGE.order_by(request.sort, request.backward);
    match parent {
        None => format!(
            "SELECT 0 AS parent_key, page.*, {snippet} FROM ({inner}) page ORDER BY {outer_order}"
        ),
        Some(_) => format!(
            "SELECT p.key AS parent_key, page.*, {snippet} \
             FROM unnest($20::int4[]) AS p(key) CROSS JOIN LATERAL ({inner}) page \
             ORDER BY p.key, {outer_order}"
        ),
    }
}

const HEADLINE_OPTIONS: &str = "MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=\" … \", \
    StartSel=\u{E000}, StopSel=\u{E001}, HighlightAll=false";

/// Binds `$1`..`$13`, the filter, in the order `ItemFilter::conditions` reads them.
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
            .bind::<Nullable<Array<Text>>, _>($filter.organisations.clone())
    };
}

/// The statement for a text made for `filter`: prepared once per connection, or with a text
/// search planned with its values each time ([`Prepared::planned_each_time`]).
fn statement<Q>(filter: &ItemFilter, sql: &str, query: Q) -> Prepared<Q> {
    match filter.text {
        Some(_) => Prepared::planned_each_time(query),
        None => Prepared::new(sql, query),
    }
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
    let query = bind_filter!(sql_query(&sql), filter)
        .bind::<Nullable<Int2>, _>(cursor.as_ref().map(|k| k.scope_rank))
        .bind::<Nullable<Int4>, _>(cursor.as_ref().map(|k| k.age_rank))
        .bind::<Nullable<Text>, _>(cursor.as_ref().and_then(|k| k.title_key.clone()))
        .bind::<Nullable<Float4>, _>(cursor.as_ref().map(|k| f32::from_bits(k.rank_bits)))
        .bind::<Nullable<Int4>, _>(cursor.as_ref().map(|k| k.id))
        .bind::<Int8, _>(request.limit)
        .bind::<Nullable<Array<Int4>>, _>(parents.map(|(_, keys)| keys.to_vec()))
        .bind::<Text, _>(HEADLINE_OPTIONS)
        .bind::<Nullable<Int2>, _>(cursor.as_ref().map(|k| k.hub_section))
        .bind::<Nullable<Int4>, _>(cursor.as_ref().map(|k| k.hub_rank));
    let mut rows: Vec<PageRow> = statement(filter, &sql, query).load(conn).await?;
    if request.backward {
        // Read backwards from the cursor; clients get pages in list order.
        rows.reverse();
        rows.sort_by_key(|r| r.parent_key);
    }
    Ok(rows)
}

/// The `facet_counts` rows that count a listing's own items (not a co-occurring value).
const OWN_COUNT: &str = "c.facet = c.dimension AND c.facet_key = c.key";

#[derive(Debug, QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Int4)]
    parent_key: i32,
    #[diesel(sql_type = Int8)]
    count: i64,
}

/// How many items match, overall (`parents` = None, key 0) or per parent. With `up_to`,
/// a count that must read the items stops after `up_to + 1` of them (a text search's
/// matches are rechecked on the heap one by one), so a count above `up_to` only says so;
/// counts kept in `facet_counts` are cheap and always exact.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    parents: Option<(Parent, &[i32])>,
    up_to: Option<i64>,
) -> StoreResult<HashMap<i32, i64>> {
    let parent = parents.map(|(p, _)| p);
    let source = Source::choose(filter, parent, ItemSort::GlobalFirst);
    let conditions = filter.conditions(source);
    let from = source.from(conditions.reads_items);
    let parent_condition = source.parent_condition(parent);
    let kept = source.kept_counts(filter, &conditions);
    // Counted rows: all of them, or the first `up_to + 1` ($15).
    let counted = |condition: &str| match up_to {
        None => format!("SELECT count(*) FROM {from} WHERE {condition}"),
        Some(_) => {
            format!("SELECT count(*) FROM (SELECT FROM {from} WHERE {condition} LIMIT $15) AS m")
        }
    };
    let sql = match (parents, kept) {
        (None, Some(kept)) => format!(
            "SELECT 0 AS parent_key, coalesce(sum(c.count), 0)::int8 AS count \
             FROM facet_counts c WHERE {kept} AND {OWN_COUNT}"
        ),
        (Some(_), Some(kept)) => format!(
            "SELECT p.key AS parent_key, \
             (SELECT coalesce(sum(c.count), 0)::int8 FROM facet_counts c WHERE {kept} AND {OWN_COUNT}) AS count \
             FROM unnest($14::int4[]) AS p(key)"
        ),
        (None, None) => format!(
            "SELECT 0 AS parent_key, ({}) AS count",
            counted(&conditions.sql)
        ),
        (Some(_), None) => format!(
            "SELECT p.key AS parent_key, ({}) AS count FROM unnest($14::int4[]) AS p(key)",
            counted(&format!("{} AND {parent_condition}", conditions.sql))
        ),
    };
    let query = bind_filter!(sql_query(&sql), filter)
        .bind::<Nullable<Array<Int4>>, _>(parents.map(|(_, keys)| keys.to_vec()))
        .bind::<Nullable<Int8>, _>(up_to.map(|n| n.saturating_add(1)));
    let rows: Vec<CountRow> = statement(filter, &sql, query).load(conn).await?;
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

/// A dimension facets count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FacetDimension {
    Kind,
    Objective,
    Principle,
    Region,
    Country,
    DocumentType,
    Section,
    Scope,
    Year,
    Organisation,
}

impl FacetDimension {
    pub const ALL: [FacetDimension; 10] = [
        FacetDimension::Kind,
        FacetDimension::Objective,
        FacetDimension::Principle,
        FacetDimension::Region,
        FacetDimension::Country,
        FacetDimension::DocumentType,
        FacetDimension::Section,
        FacetDimension::Scope,
        FacetDimension::Year,
        FacetDimension::Organisation,
    ];

    /// The `UNION ALL` branch counting this dimension over the matching set `m`.
    fn branch(self) -> &'static str {
        match self {
            FacetDimension::Kind => "SELECT 'kind', m.kind, count(*) FROM m GROUP BY m.kind",
            FacetDimension::Objective => {
                "SELECT 'objective', l.objective_number::text, count(*) \
                 FROM m JOIN item_objectives l ON l.item_id = m.id GROUP BY l.objective_number"
            }
            FacetDimension::Principle => {
                "SELECT 'principle', g.slug, count(*) FROM m JOIN item_principles l ON l.item_id = m.id \
                 JOIN guiding_principles g ON g.id = l.principle_id GROUP BY g.slug"
            }
            FacetDimension::Region => {
                "SELECT 'region', g.slug, count(*) FROM m JOIN item_regions l ON l.item_id = m.id \
                 JOIN regions g ON g.id = l.region_id GROUP BY g.slug"
            }
            FacetDimension::Country => {
                "SELECT 'country', g.iso3, count(*) FROM m JOIN item_countries l ON l.item_id = m.id \
                 JOIN countries g ON g.id = l.country_id GROUP BY g.iso3"
            }
            FacetDimension::DocumentType => {
                "SELECT 'document_type', g.slug, count(*) FROM m \
                 JOIN document_types g ON g.id = m.document_type_id GROUP BY g.slug"
            }
            FacetDimension::Section => {
                "SELECT 'section', m.section, count(*) FROM m WHERE m.section IS NOT NULL GROUP BY m.section"
            }
            FacetDimension::Scope => "SELECT 'scope', m.scope, count(*) FROM m GROUP BY m.scope",
            FacetDimension::Year => {
                "SELECT 'year', extract(year FROM m.published_on)::int::text, count(*) FROM m \
                 WHERE m.published_on IS NOT NULL GROUP BY 2"
            }
            // Spellings that differ only in case or accents are one organisation (as the
            // filter matches them), shown as its first spelling.
            FacetDimension::Organisation => {
                "SELECT 'organisation', min(m.organisation), count(*) FROM m \
                 WHERE m.organisation IS NOT NULL GROUP BY lower(gcm_unaccent(m.organisation))"
            }
        }
    }

    /// The `UNION ALL` branch counting this dimension from a listing's kept counts `c`
    /// (see [`Source::kept_counts`]; `own` marks the rows of the listing's own items),
    /// if they hold it. Values whose count went to 0 stay as rows and are left out here.
    fn kept_branch(self) -> Option<&'static str> {
        match self {
            FacetDimension::Kind => Some(
                "SELECT 'kind', c.kind, sum(c.count)::int8 FROM c WHERE c.own \
                 GROUP BY c.kind HAVING sum(c.count) > 0",
            ),
            FacetDimension::Objective => Some(
                "SELECT 'objective', c.facet_key::text, sum(c.count)::int8 FROM c \
                 WHERE c.facet = 'objective' GROUP BY c.facet_key HAVING sum(c.count) > 0",
            ),
            FacetDimension::Principle => Some(
                "SELECT 'principle', g.slug, sum(c.count)::int8 FROM c JOIN guiding_principles g ON g.id = c.facet_key \
                 WHERE c.facet = 'principle' GROUP BY g.slug HAVING sum(c.count) > 0",
            ),
            FacetDimension::Region => Some(
                "SELECT 'region', g.slug, sum(c.count)::int8 FROM c JOIN regions g ON g.id = c.facet_key \
                 WHERE c.facet = 'region' GROUP BY g.slug HAVING sum(c.count) > 0",
            ),
            FacetDimension::Country => Some(
                "SELECT 'country', g.iso3, sum(c.count)::int8 FROM c JOIN countries g ON g.id = c.facet_key \
                 WHERE c.facet = 'country' GROUP BY g.iso3 HAVING sum(c.count) > 0",
            ),
            FacetDimension::Section => Some(
                "SELECT 'section', c.section, sum(c.count)::int8 FROM c WHERE c.own AND c.section <> '' \
                 GROUP BY c.section HAVING sum(c.count) > 0",
            ),
            FacetDimension::DocumentType
            | FacetDimension::Scope
            | FacetDimension::Year
            | FacetDimension::Organisation => None,
        }
    }

    /// Whether counting it needs item columns a listing does not carry.
    fn reads_items(self) -> bool {
        matches!(
            self,
            FacetDimension::DocumentType
                | FacetDimension::Section
                | FacetDimension::Scope
                | FacetDimension::Year
                | FacetDimension::Organisation
        )
    }
}

/// The total and the counts of the matching items by each of `dimensions` (the ones a
/// client asked for: each costs a join over the whole matching set), in one statement.
pub async fn facets(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    dimensions: &[FacetDimension],
) -> StoreResult<Vec<FacetRow>> {
    let source = Source::choose(filter, None, ItemSort::GlobalFirst);
    let conditions = filter.conditions(source);
    let selected = || {
        FacetDimension::ALL
            .into_iter()
            .filter(|d| dimensions.contains(d))
    };
    // A listing's kept counts hold the total and the dimensions it splits by: a few rows.
    let kept_branches: Option<Vec<&str>> = selected().map(FacetDimension::kept_branch).collect();
    if let (Some(kept), Some(branches)) = (source.kept_counts(filter, &conditions), kept_branches) {
        let mut sql = format!(
            "WITH c AS MATERIALIZED (SELECT c.facet, c.facet_key, c.kind, c.section, c.count, \
             {OWN_COUNT} AS own FROM facet_counts c WHERE {kept}) \
             SELECT 'total' AS dimension, '' AS key, coalesce(sum(c.count), 0)::int8 AS count FROM c WHERE c.own"
        );
        for branch in branches {
            sql.push_str(" UNION ALL ");
            sql.push_str(branch);
        }
        let query = bind_filter!(sql_query(&sql), filter);
        return Ok(statement(filter, &sql, query).load(conn).await?);
    }
    // On a listing, the set is read from its index alone unless a dimension or a
    // condition needs the items.
    let matching = match source.listing {
        Some(_) if !conditions.reads_items && !dimensions.iter().any(|d| d.reads_items()) => {
            format!(
                "SELECT l.item_id AS id, l.kind FROM {} WHERE {}",
                source.from(false),
                conditions.sql
            )
        }
        _ => format!(
            "SELECT i.id, i.kind, i.scope, i.section, i.document_type_id, i.published_on, i.organisation FROM {} WHERE {}",
            source.from(true),
            conditions.sql
        ),
    };
    let mut sql = format!(
        "WITH m AS MATERIALIZED ({matching}) \
         SELECT 'total' AS dimension, '' AS key, count(*) AS count FROM m"
    );
    for dimension in selected() {
        sql.push_str(" UNION ALL ");
        sql.push_str(dimension.branch());
    }
    let query = bind_filter!(sql_query(&sql), filter);
    Ok(statement(filter, &sql, query).load(conn).await?)
}

/// The published item `id` when it matches `filter` (live updates check each publication).
pub async fn published_matching(
    conn: &mut AsyncPgConnection,
    filter: &ItemFilter,
    id: i32,
) -> StoreResult<Option<ItemRow>> {
    use diesel::OptionalExtension;
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items i WHERE {} AND i.id = $14",
        filter.conditions(Source::ITEMS).sql
    );
    let query = bind_filter!(sql_query(&sql), filter).bind::<Int4, _>(id);
    // One item by its key: the generic plan is the custom one, whatever the text.
    Ok(Prepared::new(&sql, query)
        .get_result::<ItemRow>(conn)
        .await
        .optional()?)
}
