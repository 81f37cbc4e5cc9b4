//! `node` and `nodes`: any entity by its global id.

use async_graphql::{Context, ID, Object};
use futures::future::join_all;

pub use gcm_store::curation::links::parse_action_code;

use crate::error::{ApiError, ApiResult, gql};
use crate::ids::{NodeType, parse_node_id};
use crate::limits::directives::list_size;
use crate::loaders::{
    ActionByCode, CountryByIso3, DocumentTypeBySlug, GuidanceBySlug, InstrumentByCode, Loaders,
    ObjectiveByNumber, PrincipleBySlug, PublishedItemBySlug, RegionBySlug, one,
};
use crate::types::geography::{Country, Region};
use crate::types::guidance::GuidanceSource;
use crate::types::item::{Event, Project, Resource};
use crate::types::node::Node;
use crate::types::objective::{Action, Objective};
use crate::types::reference::{DocumentType, GuidingPrinciple, Instrument};

/// Most ids one `nodes` call resolves.
pub const MAX_NODES: usize = 100;

/// Resolves one global id; `Ok(None)` when it is well formed but names nothing.
pub async fn resolve_node(loaders: &Loaders, id: &str) -> Result<Option<Node>, ApiError> {
    let (kind, key) = parse_node_id(id)?;
    resolve_natural_key(loaders, kind, key).await
}

/// Resolves an entity by type and natural key (what node ids and federation keys hold).
pub async fn resolve_natural_key(
    loaders: &Loaders,
    kind: NodeType,
    key: String,
) -> Result<Option<Node>, ApiError> {
    let item = |expected: gcm_domain::ItemKind| {
        let key = key.clone();
        async move {
            Ok::<_, ApiError>(
                one(loaders, PublishedItemBySlug(key))
                    .await?
                    .filter(|row| row.kind == expected),
            )
        }
    };
    Ok(match kind {
        NodeType::Objective => match key.parse::<i32>() {
            Ok(n) => one(loaders, ObjectiveByNumber(n))
                .await?
                .map(|r| Node::Objective(Objective(r))),
            Err(_) => None,
        },
        NodeType::Action => match parse_action_code(&key) {
            Some(code) => one(loaders, ActionByCode(code))
                .await?
                .map(|r| Node::Action(Action(r))),
            None => None,
        },
        NodeType::GuidanceSource => one(loaders, GuidanceBySlug(key))
            .await?
            .map(|r| Node::GuidanceSource(GuidanceSource(r))),
        NodeType::GuidingPrinciple => one(loaders, PrincipleBySlug(key))
            .await?
            .map(|r| Node::GuidingPrinciple(GuidingPrinciple(r))),
        NodeType::Region => one(loaders, RegionBySlug(key))
            .await?
            .map(|r| Node::Region(Region(r))),
        NodeType::Country => one(loaders, CountryByIso3(key))
            .await?
            .map(|r| Node::Country(Country(r))),
        NodeType::DocumentType => one(loaders, DocumentTypeBySlug(key))
            .await?
            .map(|r| Node::DocumentType(DocumentType(r))),
        NodeType::Instrument => one(loaders, InstrumentByCode(key))
            .await?
            .map(|r| Node::Instrument(Instrument(r))),
        NodeType::Resource => item(gcm_domain::ItemKind::Resource)
            .await?
            .map(|r| Node::Resource(Resource(r))),
        NodeType::Event => item(gcm_domain::ItemKind::Event)
            .await?
            .map(|r| Node::Event(Event(r))),
        NodeType::Project => item(gcm_domain::ItemKind::Project)
            .await?
            .map(|r| Node::Project(Project(r))),
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any entity by its global id; null when nothing has the id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        resolve_node(ctx.data()?, &id).await.map_err(gql)
    }

    /// Many entities by global id, in the order asked (null where nothing has the id). At most 100 ids.
    #[graphql(directive = list_size::apply(Some(MAX_NODES as i32), None, None, None))]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<ApiResult<Node>>>> {
        if ids.len() > MAX_NODES {
            return Err(gql(ApiError::bad_input(format!(
                "{} ids asked for; at most {MAX_NODES} per call",
                ids.len()
            ))));
        }
        let loaders: &Loaders = ctx.data()?;
        // Resolved together, so ids of one type share one statement; a bad id is null
        // with its error at its index, and the others still resolve.
        Ok(join_all(ids.iter().map(|id| resolve_node(loaders, id)))
            .await
            .into_iter()
            .map(|found| found.map_err(gql).transpose())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_codes() {
        assert_eq!(parse_action_code("22b"), Some((22, "b".to_owned())));
        assert_eq!(parse_action_code("1a"), Some((1, "a".to_owned())));
        for bad in ["22", "b", "24a", "0a", "22bb", "22B", "-1a", "22 b"] {
            assert_eq!(parse_action_code(bad), None, "{bad:?}");
        }
    }
}
