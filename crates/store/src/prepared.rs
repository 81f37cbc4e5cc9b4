//! Prepared statements for the store's own SQL texts.
//!
//! diesel caches a DSL query's statement per connection, but never a `sql_query`: it marks
//! every raw text unsafe to cache, since it cannot know the text is not made of user input.
//! Ours are not — each is one of a fixed set chosen by which filters are in use, every value
//! a bound parameter — and re-parsing and re-planning them was two thirds of PostgreSQL's
//! time on a filtered page (issue 17). [`Prepared`] tells diesel-async's statement cache
//! that a text is safe to keep, so a connection prepares it once and then only executes it.
//!
//! The number of distinct texts is bounded per process ([`MAX_TEXTS`]): the filter
//! combinations could otherwise grow every connection's cache (and each backend's memory)
//! without end. Past the bound, a new text runs unprepared, as before.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// Distinct texts kept as prepared statements per connection, at most. The listing's
/// combinations in use by real clients are a few dozen.
pub const MAX_TEXTS: usize = 256;

/// A raw statement whose text is one of the store's own: cached per connection by its text.
#[derive(Debug, Clone)]
pub struct Prepared<Q> {
    query: Q,
    cacheable: bool,
}

impl<Q> Prepared<Q> {
    /// `sql` is the text `query` sends (its binds follow it).
    pub fn new(sql: &str, query: Q) -> Self {
        Self {
            query,
            cacheable: admit(sql),
        }
    }

    /// A text whose best plan depends on its values, planned with them on every execution
    /// (an unnamed statement). A prepared statement switches to a generic plan after five
    /// runs, and for a text search that plan is the wrong one whenever a word is common:
    /// the generic plan of the search page rechecks and sorts all 77,556 matches of
    /// "remittances" at size L (406 ms), where the custom plan reads the list's order index
    /// and stops after the page (38 ms); see bench/explain/l.sql.
    pub fn planned_each_time(query: Q) -> Self {
        Self {
            query,
            cacheable: false,
        }
    }
}

/// Whether `sql` is (or may become) one of the [`MAX_TEXTS`] cached texts.
fn admit(sql: &str) -> bool {
    static TEXTS: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    let mut hasher = DefaultHasher::new();
    sql.hash(&mut hasher);
    let digest = hasher.finish();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    texts.contains(&digest) || (texts.len() < MAX_TEXTS && texts.insert(digest))
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(self.cacheable)
    }
}

/// No static id: the statement cache keys it by its text and bind types.
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}
