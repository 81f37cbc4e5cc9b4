//! The list of guidance sources.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object};
use gcm_domain::ObjectiveNumber;
use gcm_store::models::guidance::{self, GuidanceFilter as StoreFilter, GuidanceKey, GuidanceRow};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult, gql};
use crate::ids::{decode_cursor, encode_cursor};
use crate::limits::directives::{CONNECTION_ASSUMED, edges_and_nodes, first_only, list_size};
use crate::query::conn;
use crate::types::connection::{PageArgs, PageInfo};
use crate::types::enums::Mechanism;
use crate::types::filter::MAX_FILTER_VALUES;
use crate::types::guidance::GuidanceSource;

/// Narrows the guidance list. Fields combine with AND; values inside a list with OR.
#[derive(InputObject, Debug, Clone, Default)]
pub struct GuidanceFilter {
    /// Objective numbers (1 to 23).
    pub objectives: Option<Vec<i32>>,
    /// Special procedures, treaty bodies, or both.
    pub mechanisms: Option<Vec<Mechanism>>,
    /// Years of the documents.
    pub years: Option<Vec<i32>>,
}

impl GuidanceFilter {
    fn to_store(&self) -> Result<StoreFilter, ApiError> {
        let too_many = [
            self.objectives.as_ref().map(Vec::len),
            self.mechanisms.as_ref().map(Vec::len),
            self.years.as_ref().map(Vec::len),
        ]
        .into_iter()
        .flatten()
        .any(|n| n > MAX_FILTER_VALUES);
        if too_many {
            return Err(ApiError::bad_input(format!(
                "a filter list holds more than {MAX_FILTER_VALUES} values"
            )));
        }
        Ok(StoreFilter {
            objectives: self
                .objectives
                .as_ref()
                .map(|ns| {
                    ns.iter()
                        .map(|n| ObjectiveNumber::new(i64::from(*n)).map(ObjectiveNumber::get))
                        .collect()
                })
                .transpose()?,
            mechanisms: self.mechanisms.as_ref().map(|ms| {
                ms.iter()
                    .map(|m| gcm_domain::MechanismKind::from(*m))
                    .collect()
            }),
            years: self.years.clone(),
        })
    }
}

fn encode(key: &GuidanceKey) -> String {
    encode_cursor(&json!(["S", key.0, key.1, key.2]))
}

fn decode(cursor: &str) -> Result<GuidanceKey, ApiError> {
    let invalid = || ApiError::InvalidCursor(format!("{cursor:?} is not a cursor of this list"));
    let value = decode_cursor(cursor)?;
    match value.as_array().map(Vec::as_slice) {
        Some(
            [
                Value::String(tag),
                objective,
                Value::String(mechanism),
                position,
            ],
        ) if tag == "S" => {
            let int = |v: &Value| {
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(invalid)
            };
            let mechanism = gcm_domain::MechanismKind::parse(mechanism).map_err(|_| invalid())?;
            Ok((int(objective)?, mechanism, int(position)?))
        }
        _ => Err(invalid()),
    }
}

/// A page of guidance sources.
pub struct GuidanceSourceConnection {
    /// Shared with the edges and nodes made of them.
    rows: Vec<Arc<GuidanceRow>>,
    has_next: bool,
    has_previous: bool,
    filter: StoreFilter,
}

/// A guidance source with its cursor.
pub struct GuidanceSourceEdge(Arc<GuidanceRow>);

/// A guidance source with its cursor.
#[Object]
impl GuidanceSourceEdge {
    /// Opaque; pass it as `after` to read on from this source.
    async fn cursor(&self) -> String {
        encode(&guidance::key_of(&self.0))
    }

    /// The guidance source.
    async fn node(&self) -> GuidanceSource {
        GuidanceSource(self.0.clone())
    }
}

/// A page of guidance sources.
#[Object]
impl GuidanceSourceConnection {
    /// The sources of this page with their cursors.
    async fn edges(&self) -> Vec<GuidanceSourceEdge> {
        self.rows.iter().cloned().map(GuidanceSourceEdge).collect()
    }

    /// The sources of this page, without cursors.
    async fn nodes(&self) -> Vec<GuidanceSource> {
        self.rows.iter().cloned().map(GuidanceSource).collect()
    }

    /// Where this page stands in the list, with the cursors to read on.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.rows.first().map(|r| encode(&guidance::key_of(r))),
            end_cursor: self.rows.last().map(|r| encode(&guidance::key_of(r))),
        }
    }

    /// How many sources the whole list holds.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        guidance::count(&mut *conn(ctx).await?, &self.filter)
            .await
            .map_err(gql)
    }
}

#[derive(Default)]
pub struct GuidanceQuery;

#[Object]
impl GuidanceQuery {
    /// Guidance from UN human-rights mechanisms, by objective, mechanism and position.
    #[graphql(directive = list_size::apply(Some(CONNECTION_ASSUMED), first_only(), edges_and_nodes(), Some(false)))]
    async fn guidance_sources(
        &self,
        ctx: &Context<'_>,
        filter: Option<GuidanceFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
    ) -> ApiResult<GuidanceSourceConnection> {
        let filter = filter.unwrap_or_default().to_store().map_err(gql)?;
        let plan = PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
        .plan(decode)
        .map_err(gql)?;
        let mut rows = guidance::page(
            &mut *conn(ctx).await?,
            &filter,
            plan.cursor,
            plan.size as i64 + 1,
        )
        .await
        .map_err(gql)?;
        let has_next = rows.len() > plan.size;
        rows.truncate(plan.size);
        Ok(GuidanceSourceConnection {
            rows: rows.into_iter().map(Arc::new).collect(),
            has_next,
            has_previous: plan.cursor.is_some(),
            filter,
        })
    }
}
