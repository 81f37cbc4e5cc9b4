//! Admins' placing of an item on the Hub page (sort `HUB`). An item's place is on the page
//! of its first objective, the one whose file the export lists it in (the format has one
//! `position` per item); the item's `items.position` mirrors it, so the export carries it.
//! An item with no place comes after the placed ones by the Hub's stated rule.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gcm_domain::ObjectiveNumber;
use gcm_domain::limits::MAX_POSITION;
use serde_json::{Value, json};

use super::input::Problems;
use super::keys::Identity;
use super::submissions::{bump_catalogue_version, lock_item};
use super::{CurationError, CurationResult, audit};
use crate::models::catalogue_items::ItemRow;
use crate::schema::{item_objectives, items};

/// Places the item at `position` in its section on objective `objective`'s page, or
/// takes its place away (`None`).
pub async fn set_hub_position(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    slug: &str,
    objective: i32,
    position: Option<i32>,
) -> CurationResult<ItemRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let item = lock_item(conn, slug).await?;
        let links: Vec<(i32, Option<i32>, Option<i16>)> = item_objectives::table
            .filter(item_objectives::item_id.eq(item.id))
            .select((
                item_objectives::objective_number,
                item_objectives::hub_position,
                item_objectives::hub_section,
            ))
            .order(item_objectives::objective_number)
            .load(conn)
            .await?;
        let mut p = Problems::default();
        if let Some(n) = position.filter(|n| !(1..=MAX_POSITION).contains(n)) {
            p.at(
                "position",
                None,
                format!("{n} is out of range (1 to {MAX_POSITION})"),
            );
        }
        let first = <[_]>::first(&links).map(|l| l.0);
        let link = links.iter().find(|l| l.0 == objective);
        match (ObjectiveNumber::new(i64::from(objective)), link) {
            (Err(e), _) => p.at("objective", None, e.0),
            (Ok(_), None) => p.at(
                "objective",
                None,
                format!("the item does not serve objective {objective}"),
            ),
            (Ok(_), Some(_)) if first != Some(objective) => p.at(
                "objective",
                None,
                format!(
                    "the item's Hub place is on the page of its first objective, {}, the one whose file lists it",
                    first.unwrap_or(objective)
                ),
            ),
            (Ok(_), Some(_)) => {}
        }
        let before = link.and_then(|l| l.1);
        if let (Some(n), Some((_, _, Some(section))), true) = (position, link, p.0.is_empty()) {
            let holder: Option<String> = item_objectives::table
                .inner_join(items::table)
                .filter(item_objectives::objective_number.eq(objective))
                .filter(item_objectives::hub_section.eq(section))
                .filter(item_objectives::hub_position.eq(n))
                .filter(item_objectives::item_id.ne(item.id))
                .select(items::slug)
                .first(conn)
                .await
                .optional()?;
            if let Some(holder) = holder {
                p.at("position", None, taken(objective, n, &format!("{holder:?}")));
            }
        }
        if !p.0.is_empty() {
            return Err(CurationError::Invalid(p.0));
        }

        // Checked now, not at the commit: a curator who took the place first since the
        // check above makes this a refusal at `position`, not a failed commit.
        diesel::sql_query("SET CONSTRAINTS item_objectives_hub_place_key IMMEDIATE")
            .execute(conn)
            .await?;
        let placed = diesel::update(
            item_objectives::table
                .filter(item_objectives::item_id.eq(item.id))
                .filter(item_objectives::objective_number.eq(objective)),
        )
        .set(item_objectives::hub_position.eq(position))
        .execute(conn)
        .await;
        if let Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) = placed
        {
            let n = position.unwrap_or_default();
            let mut p = Problems::default();
            p.at("position", None, taken(objective, n, "another item"));
            return Err(CurationError::Invalid(p.0));
        }
        placed?;
        let after_item: ItemRow = diesel::update(items::table.find(item.id))
            .set((
                items::position.eq(position.unwrap_or(0)),
                items::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ItemRow::as_returning())
            .get_result(conn)
            .await?;
        if item.status == gcm_domain::ItemStatus::Published {
            bump_catalogue_version(conn).await?;
        }
        audit::record(
            conn,
            Some(who),
            "item.set_hub_position",
            &format!("Item:{slug}"),
            Some(place(objective, before)),
            Some(place(objective, position)),
        )
        .await?;
        Ok(after_item)
    })
    .await
}

fn taken(objective: i32, position: i32, holder: &str) -> String {
    format!(
        "position {position} of this section of objective {objective}'s page is taken by {holder}"
    )
}

fn place(objective: i32, position: Option<i32>) -> Value {
    json!({ "objective": objective, "position": position })
}
