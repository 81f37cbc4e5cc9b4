//! Regions and countries.

use std::sync::Arc;

use async_graphql::{Context, Object};
use gcm_domain::{Iso3, Slug};
use gcm_store::models::{countries, reference};

use crate::error::{ApiResult, gql};
use crate::limits::directives::{fixed, list_size};
use crate::loaders::{CountryByIso3, one};
use crate::query::conn;
use crate::types::geography::{Country, Region};

#[derive(Default)]
pub struct GeographyQuery;

#[Object]
impl GeographyQuery {
    /// The five regions, in menu order.
    #[graphql(directive = list_size::apply(Some(fixed::REGIONS), None, None, None))]
    async fn regions(&self, ctx: &Context<'_>) -> ApiResult<Vec<Region>> {
        let rows = reference::all_regions(&mut *conn(ctx).await?)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Arc::new).map(Region).collect())
    }

    /// The 195 countries and entities of the Hub's menu, alphabetical; optionally of one region.
    #[graphql(directive = list_size::apply(Some(fixed::COUNTRIES), None, None, None))]
    async fn countries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A region slug, e.g. `africa`.")] region: Option<String>,
    ) -> ApiResult<Vec<Country>> {
        let region = region
            .as_deref()
            .map(Slug::parse)
            .transpose()
            .map_err(gql)?;
        let rows = countries::all(&mut *conn(ctx).await?, region.as_ref().map(Slug::as_str))
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Arc::new).map(Country).collect())
    }

    /// One country by ISO 3166-1 alpha-3 code: null when no country has the code; a
    /// malformed code is an error (`BAD_USER_INPUT`).
    async fn country(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "e.g. `PER`")] iso3: String,
    ) -> ApiResult<Option<Country>> {
        let iso3 = Iso3::parse(&iso3).map_err(gql)?;
        Ok(one(ctx.data()?, CountryByIso3(iso3.to_string()))
            .await
            .map_err(gql)?
            .map(Country))
    }
}
