//! The Hub's five menus as the page shows them, extras included (see `menus.sql`).

use diesel::QueryableByName;
use diesel::sql_types::{Int4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::StoreResult;

/// `selects` of an entry that stands for items tagged with no single objective ("General").
pub const GENERAL: &str = "general";
/// `selects` of an entry that stands for items of global scope ("Global").
pub const SCOPE_GLOBAL: &str = "scope_global";
/// The filters an entry that is not a catalogue record may name (its `filter` field).
pub const EXTRA_ENTRY_FILTERS: &[&str] = &[GENERAL, SCOPE_GLOBAL];

/// One entry of one menu.
#[derive(Debug, Clone, QueryableByName)]
pub struct MenuEntryRow {
    /// `objectives`, `principles`, `regions`, `countries` or `document_types`.
    #[diesel(sql_type = Text)]
    pub menu: String,
    #[diesel(sql_type = Int4)]
    pub position: i32,
    #[diesel(sql_type = Text)]
    pub label: String,
    /// The catalogue's note on an entry that is not one of its records.
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    /// What the entry selects: `objective`, `principle`, `region`, `country`,
    /// `document_type` (each with `key`), `general`, `scope_global`, or none.
    #[diesel(sql_type = Nullable<Text>)]
    pub selects: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
}

/// Every menu's entries, by menu then position: one statement.
pub async fn hub_menus(conn: &mut AsyncPgConnection) -> StoreResult<Vec<MenuEntryRow>> {
    Ok(diesel::sql_query(include_str!("menus.sql"))
        .load(conn)
        .await?)
}
