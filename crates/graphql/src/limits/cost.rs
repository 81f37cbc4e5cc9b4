//! The cost of a query, counted as GitHub and Shopify do: every object a query may return
//! costs 1, and a list multiplies what it selects by how many elements it may hold. How
//! many a list may hold is read from the schema the server serves: Federation's
//! `@listSize` on the field ([`super::directives`]), the same declaration routers read.
//!
//! - a field whose `@listSize` names `sizedFields` (a connection, the audit log) costs
//!   `1 + page × children`, the page being its slicing argument (`first`, else `last`) or
//!   else its `assumedSize`; the sized lists inside it (`edges`, `nodes`) cost
//!   `1 + children` each;
//! - another list costs `bound × (1 + children)`: its slicing argument if given, its
//!   relation's live maximum if it has one ([`super::relations`], `gcm_store::list_sizes`;
//!   the smaller of the two when both are known), else its `assumedSize`; `_entities` and
//!   `nodes` hold what their keys ask for;
//! - any other object field costs `1 + children`; scalars and enums cost nothing.
//!
//! The `actual` cost counts the objects the response holds, so `actual <= requested`.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, ConstDirective, Field, TypeKind, TypeSystemDefinition,
};
use async_graphql_value::{ConstValue, Value};
use gcm_store::list_sizes::{ListSizes, LiveListSizes};

use super::relations;

/// Elements assumed for a list that declares no `@listSize` (a test keeps there being none).
const DEFAULT_LIST_BOUND: u64 = 10;
/// Page size of a paginated field without `@listSize` when the query gives no page size.
const DEFAULT_PAGE_SIZE: u64 = super::directives::DEFAULT_PAGE_SIZE as u64;

/// A field's `@listSize`, as declared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListSize {
    pub assumed_size: Option<u64>,
    pub slicing_arguments: Vec<String>,
    pub sized_fields: Vec<String>,
}

impl ListSize {
    fn from_directive(directive: &ConstDirective) -> Self {
        let mut size = ListSize::default();
        for (name, value) in &directive.arguments {
            let strings = || match &value.node {
                ConstValue::List(items) => items
                    .iter()
                    .filter_map(|item| match item {
                        ConstValue::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            match name.node.as_str() {
                "assumedSize" => size.assumed_size = as_count(&value.node),
                "slicingArguments" => size.slicing_arguments = strings(),
                "sizedFields" => size.sized_fields = strings(),
                _ => {}
            }
        }
        size
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FieldShape {
    pub(crate) type_name: String,
    is_list: bool,
    paginated: bool,
    list_size: Option<ListSize>,
    /// Named in the `sizedFields` of a field returning this type: one element per page slot.
    sized: bool,
    /// The kept relation whose live maximum bounds the list.
    relation: Option<&'static str>,
}

/// A list field's declared and live bound, for `/metrics`, `/readyz` and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListBound {
    /// `Type.field`.
    pub coordinate: String,
    pub relation: &'static str,
    pub declared: u64,
    /// `None` until the sizes are loaded.
    pub live: Option<u64>,
}

impl ListBound {
    /// Routers, which read only the declaration, would under-estimate this list.
    pub fn exceeded(&self) -> bool {
        self.live.is_some_and(|live| live > self.declared)
    }
}

/// Field shapes by type, read once from the schema's SDL, and the live list sizes.
#[derive(Debug, Clone, Default)]
pub struct CostModel {
    query_type: String,
    types: HashMap<String, HashMap<String, FieldShape>>,
    live: LiveListSizes,
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
    /// Reads the object and interface types of the schema (`_service { sdl }`), with their
    /// `@listSize` declarations.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut model = CostModel {
            query_type: "Query".to_owned(),
            ..CostModel::default()
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
            let type_name = definition.name.node.to_string();
            let shapes = model.types.entry(type_name.clone()).or_default();
            for field in fields {
                let field = field.node;
                let (return_type, is_list) = named_type(&field.ty.node.base);
                let paginated = field
                    .arguments
                    .iter()
                    .any(|argument| matches!(argument.node.name.node.as_str(), "first" | "last"));
                let list_size = field
                    .directives
                    .iter()
                    .find(|directive| directive.node.name.node == "listSize")
                    .map(|directive| ListSize::from_directive(&directive.node));
                let coordinate = format!("{type_name}.{}", field.name.node);
                shapes.insert(
                    field.name.node.to_string(),
                    FieldShape {
                        type_name: return_type,
                        is_list,
                        paginated,
                        list_size,
                        sized: false,
                        relation: relations::relation_of(&coordinate),
                    },
                );
            }
        }
        let sized: Vec<(String, String)> = model
            .types
            .values()
            .flat_map(|fields| fields.values())
            .filter_map(|shape| Some((shape.type_name.clone(), shape.list_size.as_ref()?)))
            .flat_map(|(type_name, size)| {
                size.sized_fields
                    .iter()
                    .map(move |field| (type_name.clone(), field.clone()))
            })
            .collect();
        for (type_name, field) in sized {
            if let Some(shape) = model
                .types
                .get_mut(&type_name)
                .and_then(|fields| fields.get_mut(&field))
            {
                shape.sized = true;
            }
        }
        Ok(model)
    }

    /// The same model reading live list sizes from `live` (a server's copy of the table).
    pub fn with_live(mut self, live: LiveListSizes) -> Self {
        self.live = live;
        self
    }

    pub(crate) fn query_type(&self) -> &str {
        &self.query_type
    }

    pub(crate) fn field(&self, type_name: &str, field: &str) -> Option<&FieldShape> {
        self.types.get(type_name)?.get(field)
    }

    /// Every list bounded by a kept relation, with its declared `assumedSize` and, from
    /// `sizes`, its live maximum; ordered by coordinate.
    pub fn list_bounds(&self, sizes: &ListSizes) -> Vec<ListBound> {
        let mut bounds: Vec<ListBound> = self
            .types
            .iter()
            .flat_map(|(type_name, fields)| {
                fields.iter().filter_map(move |(field, shape)| {
                    let relation = shape.relation?;
                    Some(ListBound {
                        coordinate: format!("{type_name}.{field}"),
                        relation,
                        declared: shape.list_size.as_ref()?.assumed_size?,
                        live: sizes.get(relation).copied(),
                    })
                })
            })
            .collect();
        bounds.sort_by(|a, b| a.coordinate.cmp(&b.coordinate));
        bounds
    }

    /// Coordinates of the list and paginated fields (outside introspection) that declare
    /// no size: the analyser would fall back to a guess for them, so there must be none.
    pub fn undeclared_lists(&self) -> Vec<String> {
        let mut undeclared: Vec<String> = self
            .types
            .iter()
            .filter(|(type_name, _)| !type_name.starts_with("__"))
            .flat_map(|(type_name, fields)| {
                fields
                    .iter()
                    .filter(|(_, shape)| {
                        (shape.is_list || shape.paginated)
                            && shape.list_size.is_none()
                            && !shape.sized
                    })
                    .map(move |(field, _)| format!("{type_name}.{field}"))
            })
            .collect();
        undeclared.sort();
        undeclared
    }

    /// Coordinates whose `@listSize` declares an `assumedSize`, without slicing or sizing:
    /// with those the declaration alone bounds the list.
    pub fn declared_lists(&self) -> Vec<(String, ListSize)> {
        let mut declared: Vec<(String, ListSize)> = self
            .types
            .iter()
            .flat_map(|(type_name, fields)| {
                fields.iter().filter_map(move |(field, shape)| {
                    Some((format!("{type_name}.{field}"), shape.list_size.clone()?))
                })
            })
            .collect();
        declared.sort_by(|a, b| a.0.cmp(&b.0));
        declared
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
        let argument = |name: &str| {
            field
                .get_argument(name)
                .and_then(|value| super::value_count(&value.node, variables, defaults))
        };
        if let Some(size) = &shape.list_size {
            let sliced = size
                .slicing_arguments
                .iter()
                .find_map(|name| argument(name));
            let live = shape.relation.and_then(|relation| self.live.get(relation));
            let bound = match (sliced, live) {
                (Some(sliced), Some(live)) => sliced.min(live),
                (Some(sliced), None) => sliced,
                (None, Some(live)) => live,
                (None, None) => size.assumed_size.unwrap_or(DEFAULT_LIST_BOUND),
            };
            return if size.sized_fields.is_empty() {
                Multiplier::List(bound)
            } else {
                Multiplier::Page(bound)
            };
        }
        if shape.paginated {
            let page = argument("first")
                .or_else(|| argument("last"))
                .unwrap_or(DEFAULT_PAGE_SIZE);
            return Multiplier::Page(page);
        }
        if shape.is_list {
            return Multiplier::List(if shape.sized { 1 } else { DEFAULT_LIST_BOUND });
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
