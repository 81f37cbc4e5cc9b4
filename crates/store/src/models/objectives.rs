//! Objectives and what hangs off them one-to-many: actions, policy options, related
//! objectives, instruments.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{group, index};
use crate::StoreResult;
use crate::schema::{
    actions, guidance_source_actions, instruments, item_actions, objective_instruments, objectives,
    policy_options, related_objectives,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = objectives)]
pub struct ObjectiveRow {
    pub number: i32,
    pub slug: String,
    pub short_name: String,
    pub title: String,
    pub commitment_paragraph: i32,
    pub commitment_text: Option<String>,
    pub actions_lead_in: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = actions)]
pub struct ActionRow {
    pub id: i32,
    pub objective_number: i32,
    pub letter: String,
    pub text: String,
}

impl ActionRow {
    /// The action's code as the GCM cites it: objective number and letter, e.g. `22b`.
    pub fn code(&self) -> String {
        format!("{}{}", self.objective_number, self.letter)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = policy_options)]
pub struct PolicyOptionRow {
    pub id: i32,
    pub objective_number: i32,
    pub number: i32,
    pub text: String,
    pub label: Option<String>,
    pub label_derived: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = related_objectives)]
pub struct RelatedObjectiveRow {
    pub objective_number: i32,
    pub related_number: i32,
    pub paragraph: i32,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instruments)]
pub struct InstrumentRow {
    pub id: i32,
    pub code: String,
    pub kind: gcm_domain::InstrumentKind,
    pub number: i32,
    pub year: i32,
    pub title: String,
}

pub async fn all(conn: &mut AsyncPgConnection) -> StoreResult<Vec<ObjectiveRow>> {
    Ok(objectives::table
        .select(ObjectiveRow::as_select())
        .order(objectives::number)
        .load(conn)
        .await?)
}

pub async fn by_numbers(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, ObjectiveRow>> {
    let rows = objectives::table
        .filter(objectives::number.eq_any(numbers))
        .select(ObjectiveRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |o| o.number))
}

pub async fn actions_of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<ActionRow>>> {
    let rows: Vec<ActionRow> = actions::table
        .filter(actions::objective_number.eq_any(numbers))
        .select(ActionRow::as_select())
        .order((actions::objective_number, actions::letter))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|a| (a.objective_number, a))))
}

/// Actions by `(objective number, letter)`: how a client names an action (`22b`).
pub async fn actions_by_codes(
    conn: &mut AsyncPgConnection,
    codes: &[(i32, String)],
) -> StoreResult<HashMap<(i32, String), ActionRow>> {
    let numbers: Vec<i32> = codes.iter().map(|(n, _)| *n).collect();
    let letters: Vec<&str> = codes.iter().map(|(_, l)| l.as_str()).collect();
    // Two parallel arrays, zipped by unnest: one statement for any number of codes.
    let rows: Vec<ActionRow> = actions::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(actions.objective_number, actions.letter) IN (SELECT * FROM unnest(",
            )
            .bind::<diesel::sql_types::Array<diesel::sql_types::Int4>, _>(numbers)
            .sql(", ")
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(letters)
            .sql("))"),
        )
        .select(ActionRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |a| (a.objective_number, a.letter.clone())))
}

pub async fn actions_of_guidance(
    conn: &mut AsyncPgConnection,
    guidance_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<ActionRow>>> {
    let rows: Vec<(i32, ActionRow)> = guidance_source_actions::table
        .inner_join(actions::table)
        .filter(guidance_source_actions::guidance_source_id.eq_any(guidance_ids))
        .select((
            guidance_source_actions::guidance_source_id,
            ActionRow::as_select(),
        ))
        .order((actions::objective_number, actions::letter))
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn actions_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<ActionRow>>> {
    let rows: Vec<(i32, ActionRow)> = item_actions::table
        .inner_join(actions::table)
        .filter(item_actions::item_id.eq_any(item_ids))
        .select((item_actions::item_id, ActionRow::as_select()))
        .order((actions::objective_number, actions::letter))
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn policy_options_of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<PolicyOptionRow>>> {
    let rows: Vec<PolicyOptionRow> = policy_options::table
        .filter(policy_options::objective_number.eq_any(numbers))
        .select(PolicyOptionRow::as_select())
        .order((policy_options::objective_number, policy_options::number))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|p| (p.objective_number, p))))
}

pub async fn related_of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<RelatedObjectiveRow>>> {
    let rows: Vec<RelatedObjectiveRow> = related_objectives::table
        .filter(related_objectives::objective_number.eq_any(numbers))
        .select(RelatedObjectiveRow::as_select())
        .order((
            related_objectives::objective_number,
            related_objectives::position,
        ))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|r| (r.objective_number, r))))
}

pub async fn instruments_of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<InstrumentRow>>> {
    let rows: Vec<(i32, InstrumentRow)> = objective_instruments::table
        .inner_join(instruments::table)
        .filter(objective_instruments::objective_number.eq_any(numbers))
        .select((
            objective_instruments::objective_number,
            InstrumentRow::as_select(),
        ))
        .order(instruments::code)
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn all_instruments(conn: &mut AsyncPgConnection) -> StoreResult<Vec<InstrumentRow>> {
    Ok(instruments::table
        .select(InstrumentRow::as_select())
        .order(instruments::code)
        .load(conn)
        .await?)
}

pub async fn instruments_by_codes(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> StoreResult<HashMap<String, InstrumentRow>> {
    let rows = instruments::table
        .filter(instruments::code.eq_any(codes))
        .select(InstrumentRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |i| i.code.clone()))
}
