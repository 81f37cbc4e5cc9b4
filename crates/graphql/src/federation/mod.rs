//! Apollo Federation v2: this service as a subgraph.
//!
//! async-graphql's built-in `_entities` resolves all representations with `try_join_all`,
//! so one unknown representation would fail every other one. We serve `_entities` and
//! `_service` ourselves: each representation resolves on its own (null plus an error at
//! its index when it is unknown or malformed), all of them through the same batching
//! loaders (one statement per entity type). The federation SDL, with its `@key`s, comes
//! from a twin schema ([`KeySchema`]) whose only extra part declares the entity keys.

pub mod ftv1;

use async_graphql::{Any, Context, Object, SDLExportOptions, Schema, SimpleObject, Union, Value};
use futures::future::join_all;
use tracing::Instrument as _;

use crate::error::{ApiError, ApiResult, gql};
use crate::ids::NodeType;
use crate::loaders::Loaders;
use crate::query::KeyQuery;
use crate::query::node::{parse_action_code, resolve_natural_key};
use crate::types::geography::{Country, Region};
use crate::types::guidance::GuidanceSource;
use crate::types::item::{Event, Project, Resource};
use crate::types::node::Node;
use crate::types::objective::{Action, Objective};
use crate::types::reference::{DocumentType, GuidingPrinciple, Instrument};

/// Most representations one `_entities` call resolves.
pub const MAX_REPRESENTATIONS: usize = 1000;

/// Every type a router can ask this subgraph to resolve.
#[derive(Union)]
#[graphql(name = "_Entity")]
pub enum Entity {
    Objective(Objective),
    Action(Action),
    GuidanceSource(GuidanceSource),
    GuidingPrinciple(GuidingPrinciple),
    Region(Region),
    Country(Country),
    DocumentType(DocumentType),
    Instrument(Instrument),
    Resource(Resource),
    Event(Event),
    Project(Project),
}

impl From<Node> for Entity {
    fn from(node: Node) -> Self {
        match node {
            Node::Objective(v) => Entity::Objective(v),
            Node::Action(v) => Entity::Action(v),
            Node::GuidanceSource(v) => Entity::GuidanceSource(v),
            Node::GuidingPrinciple(v) => Entity::GuidingPrinciple(v),
            Node::Region(v) => Entity::Region(v),
            Node::Country(v) => Entity::Country(v),
            Node::DocumentType(v) => Entity::DocumentType(v),
            Node::Instrument(v) => Entity::Instrument(v),
            Node::Resource(v) => Entity::Resource(v),
            Node::Event(v) => Entity::Event(v),
            Node::Project(v) => Entity::Project(v),
        }
    }
}

/// The entity types, their key field, and whether the key is an integer.
const ENTITY_KEYS: [(NodeType, &str); 11] = [
    (NodeType::Objective, "number"),
    (NodeType::Action, "code"),
    (NodeType::GuidanceSource, "slug"),
    (NodeType::GuidingPrinciple, "slug"),
    (NodeType::Region, "slug"),
    (NodeType::Country, "iso3"),
    (NodeType::DocumentType, "slug"),
    (NodeType::Instrument, "code"),
    (NodeType::Resource, "slug"),
    (NodeType::Event, "slug"),
    (NodeType::Project, "slug"),
];

/// Reads a representation's type and key; malformed ones are `BAD_USER_INPUT`.
fn parse_representation(representation: &Value) -> Result<(NodeType, String), ApiError> {
    let Value::Object(fields) = representation else {
        return Err(ApiError::bad_input("a representation must be an object"));
    };
    let Some(Value::String(typename)) = fields.get("__typename") else {
        return Err(ApiError::bad_input(
            "a representation needs `__typename` as a string",
        ));
    };
    let Some((kind, key_field)) = ENTITY_KEYS.iter().find(|(kind, _)| kind.name() == typename)
    else {
        return Err(ApiError::bad_input(format!(
            "`{typename}` is not an entity type of this subgraph"
        )));
    };
    let key = match (fields.get(*key_field), *kind) {
        (Some(Value::Number(n)), NodeType::Objective) => n.as_i64().map(|n| n.to_string()),
        (Some(Value::String(s)), kind) if kind != NodeType::Objective => Some(s.clone()),
        _ => None,
    };
    let key = key.ok_or_else(|| {
        ApiError::bad_input(format!(
            "a `{typename}` representation needs its key `{key_field}` of the right type"
        ))
    })?;
    gcm_domain::text::check_key(
        &format!("the `{key_field}` of a `{typename}` representation"),
        &key,
    )?;
    if *kind == NodeType::Action && parse_action_code(&key).is_none() {
        return Err(ApiError::bad_input(format!(
            "{key:?} is not an action code such as `22b`"
        )));
    }
    Ok((*kind, key))
}

async fn resolve_representation(
    loaders: &Loaders,
    representation: &Value,
) -> Result<Entity, ApiError> {
    let (kind, key) = parse_representation(representation)?;
    let label = format!("{} {key}", kind.name());
    resolve_natural_key(loaders, kind, key)
        .await?
        .map(Entity::from)
        .ok_or_else(|| ApiError::NotFound(format!("no {label} in this catalogue")))
}

/// The SDL a router composes: the served schema with federation directives.
#[derive(SimpleObject)]
#[graphql(name = "_Service")]
pub struct Service {
    sdl: String,
}

#[derive(Default)]
pub struct FederationQuery;

#[Object]
impl FederationQuery {
    /// Entities by representation, for a federation router. Each representation resolves
    /// on its own: an unknown or malformed one is null, with an error at its index.
    #[graphql(name = "_entities")]
    async fn entities(
        &self,
        ctx: &Context<'_>,
        representations: Vec<Any>,
    ) -> ApiResult<Vec<Option<ApiResult<Entity>>>> {
        if representations.len() > MAX_REPRESENTATIONS {
            return Err(gql(ApiError::bad_input(format!(
                "{} representations; at most {MAX_REPRESENTATIONS} per request",
                representations.len()
            ))));
        }
        let loaders: &Loaders = ctx.data()?;
        // All at once, so representations of one type share one statement.
        let resolved = join_all(
            representations
                .iter()
                .map(|r| resolve_representation(loaders, &r.0)),
        )
        .instrument(tracing::info_span!(
            "entities",
            representations = representations.len()
        ))
        .await;
        Ok(resolved.into_iter().map(|r| Some(r.map_err(gql))).collect())
    }

    #[graphql(name = "_service")]
    async fn service(&self) -> Service {
        Service {
            sdl: federation_sdl(),
        }
    }
}

/// Declares the entity keys (`@key(fields: …)`) for the SDL export; same lookups as `_entities`.
#[derive(Default)]
pub struct EntityKeys;

async fn entity<T>(
    ctx: &Context<'_>,
    kind: NodeType,
    key: String,
    pick: impl Fn(Node) -> Option<T>,
) -> ApiResult<Option<T>> {
    Ok(resolve_natural_key(ctx.data()?, kind, key)
        .await
        .map_err(gql)?
        .and_then(pick))
}

/// Declares the entity keys (`@key(fields: …)`) for the SDL export; same lookups as `_entities`.
#[Object]
impl EntityKeys {
    #[graphql(entity)]
    async fn objective_by_number(
        &self,
        ctx: &Context<'_>,
        number: i32,
    ) -> ApiResult<Option<Objective>> {
        entity(ctx, NodeType::Objective, number.to_string(), |n| match n {
            Node::Objective(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn action_by_code(&self, ctx: &Context<'_>, code: String) -> ApiResult<Option<Action>> {
        entity(ctx, NodeType::Action, code, |n| match n {
            Node::Action(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn guidance_source_by_slug(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> ApiResult<Option<GuidanceSource>> {
        entity(ctx, NodeType::GuidanceSource, slug, |n| match n {
            Node::GuidanceSource(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn principle_by_slug(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> ApiResult<Option<GuidingPrinciple>> {
        entity(ctx, NodeType::GuidingPrinciple, slug, |n| match n {
            Node::GuidingPrinciple(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn region_by_slug(&self, ctx: &Context<'_>, slug: String) -> ApiResult<Option<Region>> {
        entity(ctx, NodeType::Region, slug, |n| match n {
            Node::Region(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn country_by_iso3(&self, ctx: &Context<'_>, iso3: String) -> ApiResult<Option<Country>> {
        entity(ctx, NodeType::Country, iso3, |n| match n {
            Node::Country(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn document_type_by_slug(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> ApiResult<Option<DocumentType>> {
        entity(ctx, NodeType::DocumentType, slug, |n| match n {
            Node::DocumentType(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn instrument_by_code(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> ApiResult<Option<Instrument>> {
        entity(ctx, NodeType::Instrument, code, |n| match n {
            Node::Instrument(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn resource_by_slug(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> ApiResult<Option<Resource>> {
        entity(ctx, NodeType::Resource, slug, |n| match n {
            Node::Resource(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn event_by_slug(&self, ctx: &Context<'_>, slug: String) -> ApiResult<Option<Event>> {
        entity(ctx, NodeType::Event, slug, |n| match n {
            Node::Event(v) => Some(v),
            _ => None,
        })
        .await
    }
    #[graphql(entity)]
    async fn project_by_slug(&self, ctx: &Context<'_>, slug: String) -> ApiResult<Option<Project>> {
        entity(ctx, NodeType::Project, slug, |n| match n {
            Node::Project(v) => Some(v),
            _ => None,
        })
        .await
    }
}

pub type KeySchema = Schema<KeyQuery, crate::Mutation, crate::Subscription>;

/// The options `_service { sdl }` is exported with; `schema.graphql` holds the same text.
pub fn sdl_options() -> SDLExportOptions {
    SDLExportOptions::new().federation().compose_directive()
}

/// The Federation version the SDL links: the newest that the pinned `@apollo/composition`
/// composes without hints (`tests/federation`), and at least v2.9, where `@cost` and
/// `@listSize` (demand control) come from.
pub const FEDERATION_VERSION: &str = "v2.14";

/// Federation directives the SDL imports. async-graphql 7 writes a v2.5 link; the
/// export replaces it with this version and these imports ([`link_federation`]).
const FEDERATION_IMPORTS: &[&str] = &[
    "@key",
    "@tag",
    "@shareable",
    "@inaccessible",
    "@override",
    "@external",
    "@provides",
    "@requires",
    "@composeDirective",
    "@interfaceObject",
    "@requiresScopes",
    "@cost",
    "@listSize",
];

/// The subgraph SDL (what `_service { sdl }` returns and `schema.graphql` holds).
pub fn federation_sdl() -> String {
    static SDL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SDL.get_or_init(|| {
        link_federation(
            &Schema::build(KeyQuery::default(), crate::Mutation, crate::Subscription)
                .enable_federation()
                .enable_subscription_in_federation()
                .finish()
                .sdl_with_options(sdl_options()),
        )
    })
    .clone()
}

/// Whether an exported SDL line defines `@listSize` or `@cost`: the federation spec's own
/// directives, which neither the subgraph SDL (linked instead) nor the client SDL declares.
pub(crate) fn is_demand_control_definition(line: &str) -> bool {
    line.starts_with("directive @listSize(") || line.starts_with("directive @cost(")
}

/// Links [`FEDERATION_VERSION`] with [`FEDERATION_IMPORTS`] in place of async-graphql's
/// own link, and drops the definitions of the imported directives (a router knows them
/// from the link; a subgraph that redefines them must match the spec to the letter).
fn link_federation(exported: &str) -> String {
    let mut out = String::with_capacity(exported.len());
    let mut lines = exported.lines().peekable();
    while let Some(line) = lines.next() {
        if is_demand_control_definition(line) {
            continue;
        }
        if line == "extend schema @link(" {
            // async-graphql's link block: `url: …,`, `import: […]`, `)`.
            for skipped in lines.by_ref() {
                if skipped == ")" {
                    break;
                }
            }
            let imports = FEDERATION_IMPORTS
                .iter()
                .map(|name| format!("\"{name}\""))
                .collect::<Vec<_>>()
                .join(", ");
            out.push_str(&format!(
                "extend schema @link(\n\turl: \"https://specs.apollo.dev/federation/{FEDERATION_VERSION}\",\n\timport: [{imports}]\n)\n"
            ));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representations_are_checked() {
        let rep = |v: serde_json::Value| Value::from_json(v).expect("value");
        assert_eq!(
            parse_representation(&rep(
                serde_json::json!({ "__typename": "Country", "iso3": "PER" })
            ))
            .ok(),
            Some((NodeType::Country, "PER".to_owned()))
        );
        assert_eq!(
            parse_representation(&rep(
                serde_json::json!({ "__typename": "Objective", "number": 22 })
            ))
            .ok(),
            Some((NodeType::Objective, "22".to_owned()))
        );
        for bad in [
            serde_json::json!({ "iso3": "PER" }),
            serde_json::json!({ "__typename": "Nope", "iso3": "PER" }),
            serde_json::json!({ "__typename": "Country" }),
            serde_json::json!({ "__typename": "Country", "iso3": 12 }),
            serde_json::json!({ "__typename": "Objective", "number": "22" }),
            serde_json::json!({ "__typename": "Action", "code": "22" }),
            serde_json::json!("Country"),
        ] {
            assert!(
                matches!(
                    parse_representation(&rep(bad.clone())),
                    Err(ApiError::BadUserInput(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sdl_declares_every_entity_key_and_links_federation_2() {
        let sdl = federation_sdl();
        assert!(
            sdl.contains("extend schema @link(")
                && sdl.contains("url: \"https://specs.apollo.dev/federation/v2."),
            "{sdl}"
        );
        for (kind, key) in ENTITY_KEYS {
            let line = sdl
                .lines()
                .find(|l| l.starts_with(&format!("type {} ", kind.name())))
                .unwrap_or_else(|| panic!("no type {}", kind.name()));
            assert!(
                line.ends_with(&format!("@key(fields: \"{key}\") {{")),
                "{line}"
            );
        }
        assert!(sdl.contains("type Query {"), "the root type is named Query");
        assert!(
            !sdl.contains("_entities") && !sdl.contains("_Entity"),
            "router-only fields leak into the SDL"
        );
    }
}
