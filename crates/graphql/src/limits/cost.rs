//! The cost of a query, counted as GitHub and Shopify do: every object a query may return
//! costs 1, and a list multiplies what it selects by how many elements it may hold.
//!
//! - a paginated field (arguments `first`/`last`) costs `1 + page × children`, the page
//!   being `first`, else `last`, else the default page size (20);
//! - the lists inside a connection (`edges`, `nodes`) are that page: `1 + children` each;
//! - another list costs `bound × (1 + children)`, the bound being what it can hold
//!   ([`list_bound`]); `_entities` and `nodes` hold what their keys ask for;
//! - any other object field costs `1 + children`; scalars and enums cost nothing.
//!
//! The `actual` cost counts the objects the response holds, so `actual <= requested`.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{BaseType, Field, TypeKind, TypeSystemDefinition};
use async_graphql_value::{ConstValue, Value};

/// Elements assumed for a list without pagination that [`list_bound`] does not name.
const DEFAULT_LIST_BOUND: u64 = 10;
/// Page size when the query gives neither `first` nor `last` (the resolvers' default).
const DEFAULT_PAGE_SIZE: u64 = 20;

/// The most elements an unpaginated list holds in the catalogue (the fixed reference lists
/// are exact; curated links are generous estimates), where that differs from the default.
fn list_bound(parent_type: &str, field: &str) -> u64 {
    match (parent_type, field) {
        ("Query", "objectives") => 23,
        // The 195 countries and entities of the Hub's menu.
        ("Query" | "Facets", "countries") => 200,
        // Africa has 54.
        ("Region", "countries") => 60,
        ("Query", "regions") => 5,
        ("Query", "documentTypes") | ("Objective", "actions") | ("Facets", "documentTypes") => 15,
        ("Facets", "years") => 60,
        ("Action", "guidanceSources") => 5,
        _ => DEFAULT_LIST_BOUND,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FieldShape {
    pub(crate) type_name: String,
    is_list: bool,
    paginated: bool,
}

/// Field shapes by type, read once from the schema's SDL.
#[derive(Debug, Clone, Default)]
pub struct CostModel {
    query_type: String,
    types: HashMap<String, HashMap<String, FieldShape>>,
}

pub(crate) enum Multiplier {
    Object,
    Page(u64),
    List(u64),
}

impl Multiplier {
    pub(crate) fn cost(&self, children: u64) -> u64 {
        match self {
            Multiplier::Object => children.saturating_add(1),
            Multiplier::Page(page) => page.saturating_mul(children).saturating_add(1),
            Multiplier::List(bound) => bound.saturating_mul(children.saturating_add(1)),
        }
    }
}

impl CostModel {
    /// Reads the object and interface types of the schema (`Schema::sdl()`).
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut model = CostModel {
            query_type: "Query".to_owned(),
            types: HashMap::new(),
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            let fields = match definition.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            let shapes = model
                .types
                .entry(definition.name.node.to_string())
                .or_default();
            for field in fields {
                let field = field.node;
                let (type_name, is_list) = named_type(&field.ty.node.base);
                let paginated = field
                    .arguments
                    .iter()
                    .any(|argument| matches!(argument.node.name.node.as_str(), "first" | "last"));
                shapes.insert(
                    field.name.node.to_string(),
                    FieldShape {
                        type_name,
                        is_list,
                        paginated,
                    },
                );
            }
        }
        Ok(model)
    }

    pub(crate) fn query_type(&self) -> &str {
        &self.query_type
    }

    pub(crate) fn field(&self, type_name: &str, field: &str) -> Option<&FieldShape> {
        self.types.get(type_name)?.get(field)
    }

    pub(crate) fn multiplier(
        &self,
        parent_type: &str,
        shape: Option<&FieldShape>,
        field: &Field,
        variables: &Variables,
        defaults: &HashMap<&str, u64>,
    ) -> Multiplier {
        // Lists of what the client asked for by key: as many as it asked for.
        let requested = match (parent_type, field.name.node.as_str()) {
            (_, "_entities") => Some("representations"),
            ("Query", "nodes") => Some("ids"),
            _ => None,
        };
        if let Some(argument) = requested {
            let count = field
                .get_argument(argument)
                .map_or(0, |value| list_len(&value.node, variables));
            return Multiplier::List(count);
        }
        let Some(shape) = shape else {
            return Multiplier::Object;
        };
        if shape.paginated {
            let argument = |name| {
                field
                    .get_argument(name)
                    .and_then(|value| super::value_count(&value.node, variables, defaults))
            };
            let page = argument("first")
                .or_else(|| argument("last"))
                .unwrap_or(DEFAULT_PAGE_SIZE);
            return Multiplier::Page(page);
        }
        if shape.is_list {
            if parent_type.ends_with("Connection") {
                return Multiplier::List(1);
            }
            return Multiplier::List(list_bound(parent_type, field.name.node.as_str()));
        }
        Multiplier::Object
    }
}

fn named_type(base: &BaseType) -> (String, bool) {
    match base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named_type(&inner.base).0, true),
    }
}

fn list_len(value: &Value, variables: &Variables) -> u64 {
    match value {
        Value::List(items) => items.len() as u64,
        Value::Variable(name) => match variables.get(name) {
            Some(ConstValue::List(items)) => items.len() as u64,
            _ => 0,
        },
        _ => 0,
    }
}

pub(crate) fn as_count(value: &ConstValue) -> Option<u64> {
    match value {
        ConstValue::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The objects a response's `data` holds below the root (introspection not counted).
pub fn actual_cost(data: &ConstValue) -> u64 {
    fn objects(value: &ConstValue) -> u64 {
        match value {
            ConstValue::Object(map) => 1 + map.values().map(objects).sum::<u64>(),
            ConstValue::List(items) => items.iter().map(objects).sum(),
            _ => 0,
        }
    }
    match data {
        ConstValue::Object(root) => root
            .iter()
            .filter(|(key, _)| !key.starts_with("__"))
            .map(|(_, value)| objects(value))
            .sum(),
        _ => 0,
    }
}
