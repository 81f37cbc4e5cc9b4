//! Objectives and the reference lists around them.

use std::sync::Arc;

use async_graphql::{Context, Object};
use gcm_domain::ObjectiveNumber;
use gcm_store::models::{menus, objectives, reference};

use crate::error::{ApiResult, gql};
use crate::limits::directives::{fixed, list_size};
use crate::loaders::{ObjectiveByNumber, one};
use crate::query::conn;
use crate::types::menus::HubMenus;
use crate::types::objective::Objective;
use crate::types::reference::{DocumentType, GuidingPrinciple, Instrument};

#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// The 23 GCM objectives, in order.
    #[graphql(directive = list_size::apply(Some(fixed::OBJECTIVES), None, None, None))]
    async fn objectives(&self, ctx: &Context<'_>) -> ApiResult<Vec<Objective>> {
        let rows = objectives::all(&mut *conn(ctx).await?).await.map_err(gql)?;
        Ok(rows.into_iter().map(Arc::new).map(Objective).collect())
    }

    /// One objective by its number. A number outside 1 to 23 is an error (`BAD_USER_INPUT`).
    async fn objective(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 to 23")] number: i32,
    ) -> ApiResult<Option<Objective>> {
        let number = ObjectiveNumber::new(i64::from(number)).map_err(gql)?;
        Ok(one(ctx.data()?, ObjectiveByNumber(number.get()))
            .await
            .map_err(gql)?
            .map(Objective))
    }

    /// The ten guiding principles, in the order of A/RES/73/195 paragraph 15.
    #[graphql(directive = list_size::apply(Some(fixed::PRINCIPLES), None, None, None))]
    async fn principles(&self, ctx: &Context<'_>) -> ApiResult<Vec<GuidingPrinciple>> {
        let rows = reference::all_principles(&mut *conn(ctx).await?)
            .await
            .map_err(gql)?;
        Ok(rows
            .into_iter()
            .map(Arc::new)
            .map(GuidingPrinciple)
            .collect())
    }

    /// The Hub's document types, in menu order.
    #[graphql(directive = list_size::apply(Some(fixed::DOCUMENT_TYPES), None, None, None))]
    async fn document_types(&self, ctx: &Context<'_>) -> ApiResult<Vec<DocumentType>> {
        let rows = reference::all_document_types(&mut *conn(ctx).await?)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Arc::new).map(DocumentType).collect())
    }

    /// ILO conventions and recommendations the catalogue refers to, by code.
    #[graphql(directive = list_size::apply(Some(fixed::INSTRUMENTS), None, None, None))]
    async fn instruments(&self, ctx: &Context<'_>) -> ApiResult<Vec<Instrument>> {
        let rows = objectives::all_instruments(&mut *conn(ctx).await?)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Arc::new).map(Instrument).collect())
    }

    /// The Hub's five menus exactly as its page shows them (labels, order, and the
    /// entries that are not records: "General", "Global geographic scope", "Global"),
    /// each entry with the `ItemFilter` that selects its items.
    async fn hub_menus(&self, ctx: &Context<'_>) -> ApiResult<HubMenus> {
        let rows = menus::hub_menus(&mut *conn(ctx).await?)
            .await
            .map_err(gql)?;
        HubMenus::from_rows(rows).map_err(gql)
    }
}
