//! What the exporter reads: the models' rows, each with the columns only the file
//! format needs (its `source`, and the few fields the API does not show). Enumerated
//! columns are read with `as_str()`, which a text column and a typed one both have.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};

use crate::StoreError;
use crate::catalogue::document;
use crate::models::catalogue_items::ItemRow;
use crate::models::countries::CountryRow;
use crate::models::guidance::GuidanceRow;
use crate::models::objectives::{
    ActionRow, InstrumentRow, ObjectiveRow, PolicyOptionRow, RelatedObjectiveRow,
};
use crate::models::reference::{DocumentTypeRow, PrincipleRow, RegionRow};
use crate::schema::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = objectives)]
pub(crate) struct ObjectiveMore {
    pub hub_term_id: Option<i32>,
    pub source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = countries)]
pub(crate) struct CountryMore {
    pub iso_numeric: Option<String>,
    pub source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = guidance_sources)]
pub(crate) struct GuidanceMore {
    pub actions_reason: Option<String>,
    pub items_reason: Option<String>,
    pub source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = items)]
pub(crate) struct ItemMore {
    pub position: i32,
    pub geography_reason: Option<String>,
    pub source: Value,
}

pub(crate) type Country = (CountryRow, CountryMore);
pub(crate) type Item = (ItemRow, ItemMore);

/// Everything the files are built from, read in one snapshot.
pub(crate) struct Stored {
    files: HashMap<String, Value>,
    pub objectives: Vec<(ObjectiveRow, ObjectiveMore)>,
    pub actions: Vec<ActionRow>,
    pub principles: Vec<(PrincipleRow, Value)>,
    pub regions: Vec<(RegionRow, Value)>,
    pub countries: Vec<Country>,
    pub document_types: Vec<DocumentTypeRow>,
    pub instruments: Vec<(InstrumentRow, Value)>,
    /// (instrument id, objective number)
    pub objective_instruments: Vec<(i32, i32)>,
    pub pages: Vec<(i32, Value)>,
    pub policy_options: Vec<PolicyOptionRow>,
    /// With each its `as_given`.
    pub related: Vec<(RelatedObjectiveRow, Option<String>)>,
    pub guidance: Vec<(GuidanceRow, GuidanceMore)>,
    /// (guidance source id, action letter)
    pub guidance_actions: Vec<(i32, String)>,
    pub items: Vec<Item>,
    /// (item id, objective number), objectives ascending per item
    pub item_objectives: Vec<(i32, i32)>,
    pub item_regions: Vec<(i32, i32)>,
    pub item_countries: Vec<(i32, i32)>,
    pub item_guidance: Vec<(i32, i32)>,
}

impl Stored {
    /// The stored document of file `name` (empty when it has none).
    pub fn document(&self, name: &str) -> Map<String, Value> {
        self.files
            .get(name)
            .map(document::object)
            .unwrap_or_default()
    }
}

pub(crate) async fn load(conn: &mut AsyncPgConnection) -> Result<Stored, StoreError> {
    let files = catalogue_files::table
        .select((catalogue_files::file_name, catalogue_files::document))
        .load::<(String, Value)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(Stored {
        files,
        objectives: objectives::table
            .select((ObjectiveRow::as_select(), ObjectiveMore::as_select()))
            .order(objectives::number)
            .load(conn)
            .await?,
        actions: actions::table
            .select(ActionRow::as_select())
            .order((actions::objective_number, actions::letter))
            .load(conn)
            .await?,
        principles: guiding_principles::table
            .select((PrincipleRow::as_select(), guiding_principles::source))
            .order(guiding_principles::position)
            .load(conn)
            .await?,
        regions: regions::table
            .select((RegionRow::as_select(), regions::source))
            .order(regions::position)
            .load(conn)
            .await?,
        countries: countries::table
            .select((CountryRow::as_select(), CountryMore::as_select()))
            .order(countries::position)
            .load(conn)
            .await?,
        document_types: document_types::table
            .select(DocumentTypeRow::as_select())
            .order(document_types::position)
            .load(conn)
            .await?,
        instruments: instruments::table
            .select((InstrumentRow::as_select(), instruments::source))
            .order(instruments::code)
            .load(conn)
            .await?,
        objective_instruments: objective_instruments::table
            .select((
                objective_instruments::instrument_id,
                objective_instruments::objective_number,
            ))
            .order((
                objective_instruments::instrument_id,
                objective_instruments::objective_number,
            ))
            .load(conn)
            .await?,
        pages: objective_pages::table
            .select((objective_pages::objective_number, objective_pages::source))
            .order(objective_pages::objective_number)
            .load(conn)
            .await?,
        policy_options: policy_options::table
            .select(PolicyOptionRow::as_select())
            .order((policy_options::objective_number, policy_options::number))
            .load(conn)
            .await?,
        related: related_objectives::table
            .select((
                RelatedObjectiveRow::as_select(),
                related_objectives::as_given,
            ))
            .order((
                related_objectives::objective_number,
                related_objectives::position,
            ))
            .load(conn)
            .await?,
        guidance: guidance_sources::table
            .select((GuidanceRow::as_select(), GuidanceMore::as_select()))
            .order((
                guidance_sources::objective_number,
                guidance_sources::mechanism,
                guidance_sources::position,
            ))
            .load(conn)
            .await?,
        guidance_actions: guidance_source_actions::table
            .inner_join(actions::table)
            .select((guidance_source_actions::guidance_source_id, actions::letter))
            .order((guidance_source_actions::guidance_source_id, actions::letter))
            .load(conn)
            .await?,
        items: items::table
            .select((ItemRow::as_select(), ItemMore::as_select()))
            .order(items::slug)
            .load(conn)
            .await?,
        item_objectives: item_objectives::table
            .select((item_objectives::item_id, item_objectives::objective_number))
            .order((item_objectives::item_id, item_objectives::objective_number))
            .load(conn)
            .await?,
        item_regions: item_regions::table
            .select((item_regions::item_id, item_regions::region_id))
            .load(conn)
            .await?,
        item_countries: item_countries::table
            .select((item_countries::item_id, item_countries::country_id))
            .load(conn)
            .await?,
        item_guidance: item_guidance_sources::table
            .select((
                item_guidance_sources::item_id,
                item_guidance_sources::guidance_source_id,
            ))
            .load(conn)
            .await?,
    })
}
