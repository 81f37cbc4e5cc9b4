//! Admins' edits of an item's curated links: objectives, actions, guidance sources,
//! countries and regions. Each list given replaces the stored one; an omitted list stays.
//! The item's scope is left as curated (it carries a reason the links alone do not)
//! unless given, and must agree with the geography by the importer's rules, so that the
//! export of a curated catalogue imports back.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gcm_domain::{ObjectiveNumber, Scope};
use serde_json::{Value, json};

use super::input::{Problems, SlugTable, resolve_iso3s, resolve_slugs};
use super::keys::Identity;
use super::submissions::{bump_catalogue_version, lock_item};
use super::{CurationError, CurationResult, audit};
use crate::models::catalogue_items::ItemRow;
use crate::schema::{
    actions, countries, guidance_sources, item_actions, item_countries, item_guidance_sources,
    item_objectives, item_regions, items, objectives, regions,
};

/// The lists to replace; `None` keeps what is stored.
#[derive(Debug, Clone, Default)]
pub struct LinksInput {
    pub objectives: Option<Vec<i32>>,
    /// Action codes such as `22b` (objective number, then the action's letter).
    pub actions: Option<Vec<String>>,
    pub guidance_sources: Option<Vec<String>>,
    /// ISO 3166-1 alpha-3 codes.
    pub countries: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    /// The item's scope; `None` keeps it.
    pub scope: Option<Scope>,
}

/// `22b` → (22, "b").
pub fn parse_action_code(code: &str) -> Option<(i32, String)> {
    let split = code.find(|c: char| !c.is_ascii_digit())?;
    let (number, letter) = code.split_at(split);
    let number = ObjectiveNumber::new(number.parse().ok()?).ok()?.get();
    (letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_lowercase()))
        .then(|| (number, letter.to_owned()))
}

pub async fn set_links(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    slug: &str,
    links: &LinksInput,
) -> CurationResult<ItemRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let item = lock_item(conn, slug).await?;
        let before = current(conn, item.id).await?;
        let mut p = Problems::default();

        let objective_numbers = match &links.objectives {
            None => None,
            Some(list) => {
                if list.is_empty() {
                    p.at("objectives", None, "an item serves at least one objective");
                }
                let mut numbers = Vec::new();
                for (i, &n) in list.iter().enumerate() {
                    match ObjectiveNumber::new(i64::from(n)) {
                        Err(e) => p.at("objectives", Some(i), e.0),
                        Ok(n) if numbers.contains(&n.get()) => p.at(
                            "objectives",
                            Some(i),
                            format!("objective {n} is listed twice"),
                        ),
                        Ok(n) => numbers.push(n.get()),
                    }
                }
                let known: Vec<i32> = objectives::table
                    .filter(objectives::number.eq_any(&numbers))
                    .select(objectives::number)
                    .load(conn)
                    .await?;
                for (i, n) in list.iter().enumerate() {
                    if numbers.contains(n) && !known.contains(n) {
                        p.at(
                            "objectives",
                            Some(i),
                            format!("objective {n} is not in the catalogue"),
                        );
                    }
                }
                Some(numbers)
            }
        };
        let action_ids = match &links.actions {
            None => None,
            Some(codes) => {
                let mut ids = Vec::new();
                for (i, code) in codes.iter().enumerate() {
                    let Some((number, letter)) = parse_action_code(code) else {
                        p.at(
                            "actions",
                            Some(i),
                            format!("{code:?} is not an action code such as `22b`"),
                        );
                        continue;
                    };
                    let id: Option<i32> = actions::table
                        .filter(actions::objective_number.eq(number))
                        .filter(actions::letter.eq(&letter))
                        .select(actions::id)
                        .first(conn)
                        .await
                        .optional()?;
                    match id {
                        None => p.at(
                            "actions",
                            Some(i),
                            format!("action {code} is not in the catalogue"),
                        ),
                        Some(id) if ids.contains(&id) => {
                            p.at("actions", Some(i), format!("{code:?} is listed twice"))
                        }
                        Some(id) => ids.push(id),
                    }
                }
                Some(ids)
            }
        };
        let guidance_ids = match &links.guidance_sources {
            None => None,
            Some(slugs) => {
                Some(resolve_slugs(conn, &mut p, SlugTable::GuidanceSources, slugs).await?)
            }
        };
        let country_ids = match &links.countries {
            None => None,
            Some(codes) => Some(resolve_iso3s(conn, &mut p, "countries", codes).await?),
        };
        let region_ids = match &links.regions {
            None => None,
            Some(slugs) => Some(resolve_slugs(conn, &mut p, SlugTable::Regions, slugs).await?),
        };
        let has_regions = match &region_ids {
            Some(ids) => !ids.is_empty(),
            None => has_any(conn, item.id, Geography::Regions).await?,
        };
        let has_countries = match &country_ids {
            Some(ids) => !ids.is_empty(),
            None => has_any(conn, item.id, Geography::Countries).await?,
        };
        if let Some((field, message)) = geography_conflict(
            links,
            links.scope.unwrap_or(item.scope),
            has_regions,
            has_countries,
        ) {
            p.at(field, None, message);
        }
        if !p.0.is_empty() {
            return Err(CurationError::Invalid(p.0));
        }

        if let Some(numbers) = objective_numbers {
            replace_objectives(conn, item.id, &numbers).await?;
        }
        if let Some(ids) = action_ids {
            diesel::delete(item_actions::table.filter(item_actions::item_id.eq(item.id)))
                .execute(conn)
                .await?;
            let rows: Vec<_> = ids
                .iter()
                .map(|&id| {
                    (
                        item_actions::item_id.eq(item.id),
                        item_actions::action_id.eq(id),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(item_actions::table)
                    .values(rows)
                    .execute(conn)
                    .await?;
            }
        }
        if let Some(ids) = guidance_ids {
            diesel::delete(
                item_guidance_sources::table.filter(item_guidance_sources::item_id.eq(item.id)),
            )
            .execute(conn)
            .await?;
            let rows: Vec<_> = ids
                .iter()
                .map(|&id| {
                    (
                        item_guidance_sources::item_id.eq(item.id),
                        item_guidance_sources::guidance_source_id.eq(id),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(item_guidance_sources::table)
                    .values(rows)
                    .execute(conn)
                    .await?;
            }
        }
        if let Some(ids) = country_ids {
            diesel::delete(item_countries::table.filter(item_countries::item_id.eq(item.id)))
                .execute(conn)
                .await?;
            let rows: Vec<_> = ids
                .iter()
                .map(|&id| {
                    (
                        item_countries::item_id.eq(item.id),
                        item_countries::country_id.eq(id),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(item_countries::table)
                    .values(rows)
                    .execute(conn)
                    .await?;
            }
        }
        if let Some(ids) = region_ids {
            diesel::delete(item_regions::table.filter(item_regions::item_id.eq(item.id)))
                .execute(conn)
                .await?;
            let rows: Vec<_> = ids
                .iter()
                .map(|&id| {
                    (
                        item_regions::item_id.eq(item.id),
                        item_regions::region_id.eq(id),
                    )
                })
                .collect();
            if !rows.is_empty() {
                diesel::insert_into(item_regions::table)
                    .values(rows)
                    .execute(conn)
                    .await?;
            }
        }
        let after_item: ItemRow = diesel::update(items::table.find(item.id))
            .set((
                items::updated_at.eq(diesel::dsl::now),
                items::scope.eq(links.scope.unwrap_or(item.scope)),
            ))
            .returning(ItemRow::as_returning())
            .get_result(conn)
            .await?;
        if item.status == gcm_domain::ItemStatus::Published {
            bump_catalogue_version(conn).await?;
        }
        let after = current(conn, item.id).await?;
        audit::record(
            conn,
            Some(who),
            "item.set_links",
            &format!("Item:{slug}"),
            Some(before),
            Some(after),
        )
        .await?;
        Ok(after_item)
    })
    .await
}

enum Geography {
    Regions,
    Countries,
}

async fn has_any(
    conn: &mut AsyncPgConnection,
    item_id: i32,
    of: Geography,
) -> CurationResult<bool> {
    Ok(match of {
        Geography::Regions => {
            diesel::select(diesel::dsl::exists(
                item_regions::table.filter(item_regions::item_id.eq(item_id)),
            ))
            .get_result(conn)
            .await?
        }
        Geography::Countries => {
            diesel::select(diesel::dsl::exists(
                item_countries::table.filter(item_countries::item_id.eq(item_id)),
            ))
            .get_result(conn)
            .await?
        }
    })
}

/// The importer's rule for a scope and the geography beside it
/// ([`Scope::geography_problem`]), reported at the field the input changed.
fn geography_conflict(
    links: &LinksInput,
    scope: Scope,
    has_regions: bool,
    has_countries: bool,
) -> Option<(&'static str, &'static str)> {
    let message = scope.geography_problem(has_regions, has_countries)?;
    let list = match scope {
        Scope::Global if !has_regions => "countries",
        Scope::National => "countries",
        _ => "regions",
    };
    let given = match list {
        "regions" => links.regions.is_some(),
        _ => links.countries.is_some(),
    };
    Some((
        if links.scope.is_some() || !given {
            "scope"
        } else {
            list
        },
        message,
    ))
}

/// Replaces the item's objectives, keeping the links that stay (and so the item's Hub
/// place, when its page stays its first objective's: the one whose file lists it). A
/// place on a page that is no longer the first objective's is taken away, with
/// `items.position`, which mirrors it for the export.
async fn replace_objectives(
    conn: &mut AsyncPgConnection,
    item_id: i32,
    numbers: &[i32],
) -> CurationResult<()> {
    diesel::delete(
        item_objectives::table
            .filter(item_objectives::item_id.eq(item_id))
            .filter(item_objectives::objective_number.ne_all(numbers)),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = numbers
        .iter()
        .map(|&n| {
            (
                item_objectives::item_id.eq(item_id),
                item_objectives::objective_number.eq(n),
            )
        })
        .collect();
    diesel::insert_into(item_objectives::table)
        .values(rows)
        .on_conflict((item_objectives::item_id, item_objectives::objective_number))
        .do_nothing()
        .execute(conn)
        .await?;
    let first = numbers.iter().min().copied().unwrap_or_default();
    diesel::update(
        item_objectives::table
            .filter(item_objectives::item_id.eq(item_id))
            .filter(item_objectives::objective_number.ne(first))
            .filter(item_objectives::hub_position.is_not_null()),
    )
    .set(item_objectives::hub_position.eq(None::<i32>))
    .execute(conn)
    .await?;
    let kept: Option<i32> = item_objectives::table
        .filter(item_objectives::item_id.eq(item_id))
        .filter(item_objectives::objective_number.eq(first))
        .select(item_objectives::hub_position)
        .first::<Option<i32>>(conn)
        .await
        .optional()?
        .flatten();
    diesel::update(items::table.find(item_id))
        .set(items::position.eq(kept.unwrap_or(0)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The item's links as the audit trail keeps them: by natural key.
async fn current(conn: &mut AsyncPgConnection, item_id: i32) -> CurationResult<Value> {
    let objective_links: Vec<(i32, Option<i32>)> = item_objectives::table
        .filter(item_objectives::item_id.eq(item_id))
        .select((
            item_objectives::objective_number,
            item_objectives::hub_position,
        ))
        .order(item_objectives::objective_number)
        .load(conn)
        .await?;
    let objective_numbers: Vec<i32> = objective_links.iter().map(|l| l.0).collect();
    let hub_position = objective_links.iter().find_map(|&(objective, position)| {
        Some(json!({ "objective": objective, "position": position? }))
    });
    let action_codes: Vec<(i32, String)> = item_actions::table
        .inner_join(actions::table)
        .filter(item_actions::item_id.eq(item_id))
        .select((actions::objective_number, actions::letter))
        .order((actions::objective_number, actions::letter))
        .load(conn)
        .await?;
    let guidance: Vec<String> = item_guidance_sources::table
        .inner_join(guidance_sources::table)
        .filter(item_guidance_sources::item_id.eq(item_id))
        .select(guidance_sources::slug)
        .order(guidance_sources::slug)
        .load(conn)
        .await?;
    let iso3s: Vec<String> = item_countries::table
        .inner_join(countries::table)
        .filter(item_countries::item_id.eq(item_id))
        .select(countries::iso3)
        .order(countries::iso3)
        .load(conn)
        .await?;
    let region_slugs: Vec<String> = item_regions::table
        .inner_join(regions::table)
        .filter(item_regions::item_id.eq(item_id))
        .select(regions::slug)
        .order(regions::slug)
        .load(conn)
        .await?;
    let scope: Scope = items::table
        .find(item_id)
        .select(items::scope)
        .first(conn)
        .await?;
    let scope = scope.as_str();
    Ok(json!({
        "objectives": objective_numbers,
        "actions": action_codes.iter().map(|(n, l)| format!("{n}{l}")).collect::<Vec<_>>(),
        "guidanceSources": guidance,
        "countries": iso3s,
        "regions": region_slugs,
        "scope": scope,
        "hubPosition": hub_position,
    }))
}
