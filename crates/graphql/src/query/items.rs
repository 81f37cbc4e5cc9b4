//! Item lists, search and facets.

use async_graphql::{Context, Object};
use gcm_store::models::item_pages::{self, FacetDimension};

use crate::error::{ApiError, ApiResult, gql};
use crate::limits::directives::{CONNECTION_ASSUMED, edges_and_nodes, first_or_last, list_size};
use crate::query::conn;
use crate::types::connection::{CatalogueItemConnection, PageArgs};
use crate::types::enums::ItemSort;
use crate::types::facets::Facets;
use crate::types::filter::{ItemFilter, search_text};
use crate::types::item_lists::{RootItems, root_items};

#[derive(Default)]
pub struct ItemQuery;

#[Object]
impl ItemQuery {
    /// Published resources, events and projects.
    #[graphql(flatten)]
    async fn items(&self) -> RootItems {
        RootItems(None)
    }

    /// Full-text search over every published item: titles weigh more than summaries,
    /// accents are ignored, and each hit has a highlighted snippet.
    #[allow(clippy::too_many_arguments)]
    #[graphql(directive = list_size::apply(Some(CONNECTION_ASSUMED), first_or_last(), edges_and_nodes(), Some(false)))]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Web-search syntax: words, \"exact phrase\", `or`, `-excluded`. At most 500 characters."
        )]
        text: String,
        #[graphql(desc = "Further narrowing; its `text`, if any, is replaced by `text`.")]
        filter: Option<ItemFilter>,
        #[graphql(desc = "Default RELEVANCE.")] sort: Option<ItemSort>,
        #[graphql(desc = "Page size, 0 to 100 (default 20), reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read the hits after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, 0 to 100, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read the hits before this cursor.")] before: Option<String>,
    ) -> ApiResult<CatalogueItemConnection> {
        let text = search_text("text", Some(&text))
            .map_err(gql)?
            .ok_or_else(|| gql(ApiError::bad_input("the search text is empty")))?;
        let filter = ItemFilter {
            text: Some(text),
            ..filter.unwrap_or_default()
        };
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Ok(CatalogueItemConnection(
            root_items(
                ctx,
                None,
                Some(&filter),
                sort,
                &args,
                Some(ItemSort::Relevance),
            )
            .await?,
        ))
    }

    /// Counts of the published items matching `filter`, by objective, principle, region,
    /// country, document type, section, scope, kind, year and organisation: one statement.
    async fn facets(&self, ctx: &Context<'_>, filter: Option<ItemFilter>) -> ApiResult<Facets> {
        let filter = filter.unwrap_or_default().to_store(None).map_err(gql)?;
        // Only the dimensions asked for: each is a join over every matching item.
        let selection = ctx.look_ahead();
        let dimensions: Vec<FacetDimension> = [
            ("kinds", FacetDimension::Kind),
            ("objectives", FacetDimension::Objective),
            ("principles", FacetDimension::Principle),
            ("regions", FacetDimension::Region),
            ("countries", FacetDimension::Country),
            ("documentTypes", FacetDimension::DocumentType),
            ("sections", FacetDimension::Section),
            ("scopes", FacetDimension::Scope),
            ("years", FacetDimension::Year),
            ("organisations", FacetDimension::Organisation),
        ]
        .into_iter()
        .filter(|(field, _)| selection.field(field).exists())
        .map(|(_, dimension)| dimension)
        .collect();
        let rows = item_pages::facets(&mut *conn(ctx).await?, &filter, &dimensions)
            .await
            .map_err(gql)?;
        Ok(Facets(rows))
    }
}
