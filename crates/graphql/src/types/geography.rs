//! Regions and countries.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use gcm_store::models::countries::CountryRow;
use gcm_store::models::item_pages::Parent;
use gcm_store::models::reference::RegionRow;

use super::enums::CountryKind;
use super::item_lists::CountryItems;
use crate::error::{ApiResult, corrupt, gql};
use crate::ids::{NodeType, node_id};
use crate::limits::directives::{design, first_only, list_size};
use crate::loaders::{CountriesOfRegion, RegionById, many_first, one};

/// A UN M49 continental region, as the Hub groups countries.
#[derive(Debug, Clone)]
pub struct Region(pub Arc<RegionRow>);

/// A UN M49 continental region, as the Hub groups countries.
#[Object]
impl Region {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::Region, &self.0.slug)
    }

    /// Stable key, e.g. `africa`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    #[graphql(shareable)]
    /// The name as the Hub's menu writes it, e.g. "Americas".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// UN M49 area code, e.g. `002` for Africa.
    async fn m49_code(&self) -> &str {
        &self.0.m49_code
    }

    /// The region's countries, in the Hub's (alphabetical) order.
    #[graphql(directive = list_size::apply(Some(design::REGION_COUNTRIES), first_only(), None, Some(false)))]
    async fn countries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Country>> {
        let rows = many_first(ctx.data()?, CountriesOfRegion(self.0.id), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Country).collect())
    }
}

/// A country or entity of the Hub's country menu ("Global" is a scope, not a country).
#[derive(Debug, Clone)]
pub struct Country(pub Arc<CountryRow>);

/// A country or entity of the Hub's country menu ("Global" is a scope, not a country).
#[Object]
impl Country {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::Country, &self.0.iso3)
    }

    /// ISO 3166-1 alpha-2 code, e.g. `PE` (Kosovo: the user-assigned `XK`).
    async fn iso2(&self) -> &str {
        &self.0.iso2
    }

    /// ISO 3166-1 alpha-3 code, e.g. `PER` (Kosovo: the user-assigned `XKX`).
    async fn iso3(&self) -> &str {
        &self.0.iso3
    }

    /// The name exactly as the Hub writes it, e.g. "Egypt, Arab Rep." or "Côte d’Ivoire".
    #[graphql(shareable)]
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// URL-safe key derived from the name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// UN member state, territory or other entity.
    async fn kind(&self) -> CountryKind {
        self.0.kind.into()
    }

    /// The region the country belongs to.
    async fn region(&self, ctx: &Context<'_>) -> ApiResult<Region> {
        one(ctx.data()?, RegionById(self.0.region_id))
            .await
            .map_err(gql)?
            .map(Region)
            .ok_or_else(|| gql(corrupt("country region", &self.0.region_id.to_string())))
    }

    /// The published resources, events and projects tied to this country.
    #[graphql(flatten)]
    async fn items(&self) -> CountryItems {
        CountryItems(Some((Parent::Country, self.0.id)))
    }
}
