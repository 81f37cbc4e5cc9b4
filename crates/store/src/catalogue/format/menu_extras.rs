//! The menu entries a file keeps beside its records because they are not records
//! (objectives.json `general_menu_entry` "General", principles.json `extra_menu_entries`
//! "Global geographic scope"). They travel in the file's document, so only their shape is
//! checked here; `filter` names what the entry selects, from a closed vocabulary that
//! `menus.sql` serves and the API turns into an `ItemFilter`. It must be given (null: the
//! source does not say what the entry holds), so a typo cannot silently empty a menu entry.

use super::{LONG, NAME};
use crate::catalogue::json::quoted;
use crate::catalogue::obj::Obj;
use crate::models::menus::EXTRA_ENTRY_FILTERS;

/// Checks one extra menu entry: its label, its place in the menu, its note and its filter.
pub(crate) fn check(entry: &Obj<'_>) {
    entry.text("label", NAME);
    entry.position("menu_position");
    entry.opt_text("note", LONG);
    if !entry.map.contains_key("filter") {
        entry.report(
            "filter",
            format!(
                "required field is missing (one of {}, or null when the source does not say \
                 what the entry holds)",
                EXTRA_ENTRY_FILTERS.join(", ")
            ),
        );
    } else if let Some(Some(filter)) = entry.opt_text("filter", NAME)
        && !EXTRA_ENTRY_FILTERS.contains(&filter.as_str())
    {
        entry.report(
            "filter",
            format!(
                "{} is not a menu filter (one of {})",
                quoted(&filter),
                EXTRA_ENTRY_FILTERS.join(", ")
            ),
        );
    }
}
