//! Limits against hostile queries, checked before anything executes.
//!
//! One linear pass over the text (size, tokens, nesting) protects the parser; one pass over
//! the parsed operation (fragments summarised once each, so fragment bombs cost nothing to
//! measure) gives depth, aliases, root fields, directives per field and the requested cost.
//! Every breach is a [`LimitBreach`] whose `code` names the limit:
//!
//! | code                              | what is counted |
//! |-----------------------------------|-----------------|
//! | `MAX_DOCUMENT_SIZE_EXCEEDED`      | bytes of the query document |
//! | `MAX_TOKENS_EXCEEDED`             | lexical tokens of the document (names, numbers, strings, punctuators) |
//! | `MAX_DEPTH_EXCEEDED`              | nesting of selections (root fields are depth 1); also any bracket nesting deeper than [`PARSER_NESTING_GUARD`] |
//! | `MAX_COMPLEXITY_EXCEEDED`         | requested cost, see [`CostModel`] |
//! | `MAX_ALIASES_EXCEEDED`            | aliased fields in the operation, fragments expanded |
//! | `MAX_ROOT_FIELDS_EXCEEDED`        | fields selected at the root, fragments expanded |
//! | `MAX_DIRECTIVES_EXCEEDED`         | directives on one field, fragment spread or inline fragment |
//! | `MAX_VARIABLES_DEPTH_EXCEEDED`    | nesting of lists and objects in the variables |
//! | `MAX_VARIABLES_VALUES_EXCEEDED`   | values (scalars, lists, objects) in the variables |
//!
//! The server adds the limits of the HTTP layer (body size, batch size, request time).

mod cost;
pub mod directives;
pub mod relations;

use crate::error::ErrorCode;
use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType,
    Selection, SelectionSet,
};
use async_graphql_value::{Name, Value};
use serde_json::json;

pub use cost::{CostModel, ListBound, ListSize, actual_cost};

/// Brackets nested deeper than this are refused before parsing: the parser recurses on
/// them, and no sensible operation comes near it (its own guard is 64 levels of selections).
pub const PARSER_NESTING_GUARD: usize = 48;

/// The configured bounds; [`Default`] gives what a public service would pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: u64,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_directives_per_field: usize,
    pub max_tokens: usize,
    pub max_document_bytes: usize,
    pub max_variables_depth: usize,
    pub max_variables_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // The deepest useful walk (objective → … → countries) is 8; GraphiQL's
            // introspection query is 13.
            max_depth: 16,
            // GitHub's 500 000 nodes, counted as we count (an edge and its node are two
            // objects). A page of 100 items with their objectives and countries costs a few
            // thousand; the whole objective → action → guidance → items → countries walk
            // 18 929 on the bundled catalogue, and past this limit once guidance sources
            // hold thousands of items, where a client bounds the item lists with `first`.
            max_complexity: 1_000_000,
            max_aliases: 50,
            max_root_fields: 20,
            max_directives_per_field: 4,
            max_tokens: 5_000,
            max_document_bytes: 32 * 1024,
            max_variables_depth: 8,
            max_variables_values: 1_000,
        }
    }
}

/// A request refused by a limit: the GraphQL error `extensions` carry `code`, `limit`, `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitBreach {
    pub code: ErrorCode,
    pub limit: u64,
    pub value: u64,
    pub message: String,
}

impl LimitBreach {
    fn new(
        code: ErrorCode,
        what: &str,
        limit: impl TryInto<u64>,
        value: impl TryInto<u64>,
    ) -> Self {
        let limit = limit.try_into().unwrap_or(u64::MAX);
        let value = value.try_into().unwrap_or(u64::MAX);
        Self {
            code,
            limit,
            value,
            message: format!("{what} is {value}, more than the limit of {limit}"),
        }
    }

    /// The GraphQL error for the response's `errors` list.
    pub fn to_error(&self) -> serde_json::Value {
        json!({
            "message": self.message,
            "extensions": { "code": self.code.as_str(), "limit": self.limit, "value": self.value },
        })
    }
}

/// Checks what can be checked on the text alone, before parsing.
pub fn check_document_text(limits: &Limits, document: &str) -> Result<(), LimitBreach> {
    if document.len() > limits.max_document_bytes {
        return Err(LimitBreach::new(
            ErrorCode::MaxDocumentSizeExceeded,
            "The document's size in bytes",
            limits.max_document_bytes,
            document.len(),
        ));
    }
    let scan = scan_tokens(document, limits.max_tokens);
    if scan.tokens > limits.max_tokens {
        return Err(LimitBreach::new(
            ErrorCode::MaxTokensExceeded,
            "The document's token count",
            limits.max_tokens,
            scan.tokens,
        ));
    }
    if scan.max_nesting > PARSER_NESTING_GUARD {
        return Err(LimitBreach::new(
            ErrorCode::MaxDepthExceeded,
            "The document's bracket nesting",
            limits.max_depth,
            scan.max_nesting,
        ));
    }
    Ok(())
}

struct TokenScan {
    tokens: usize,
    max_nesting: usize,
}

/// Counts tokens as the GraphQL lexer would (ignoring commas, whitespace and comments),
/// stopping once past `stop_after`; and the deepest nesting of `{`, `[` and `(`.
fn scan_tokens(document: &str, stop_after: usize) -> TokenScan {
    let bytes = document.as_bytes();
    let mut tokens = 0;
    let mut nesting: usize = 0;
    let mut max_nesting = 0;
    let mut i = 0;
    while i < bytes.len() && tokens <= stop_after {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                tokens += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'{' | b'[' | b'(' => {
                tokens += 1;
                nesting += 1;
                max_nesting = max_nesting.max(nesting);
                i += 1;
            }
            b'}' | b']' | b')' => {
                tokens += 1;
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                tokens += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    TokenScan {
        tokens,
        max_nesting,
    }
}

/// Checks the variables' shape: how deep and how many values.
pub fn check_variables(limits: &Limits, variables: &serde_json::Value) -> Result<(), LimitBreach> {
    fn walk(value: &serde_json::Value, depth: usize, count: &mut usize, max_depth: &mut usize) {
        *count += 1;
        *max_depth = (*max_depth).max(depth);
        match value {
            serde_json::Value::Array(items) => items
                .iter()
                .for_each(|v| walk(v, depth + 1, count, max_depth)),
            serde_json::Value::Object(map) => map
                .values()
                .for_each(|v| walk(v, depth + 1, count, max_depth)),
            _ => {}
        }
    }
    let (mut count, mut depth) = (0, 0);
    // The top-level map itself is not a value of any variable.
    match variables {
        serde_json::Value::Object(map) => map
            .values()
            .for_each(|v| walk(v, 0, &mut count, &mut depth)),
        serde_json::Value::Null => {}
        other => walk(other, 0, &mut count, &mut depth),
    }
    if depth > limits.max_variables_depth {
        return Err(LimitBreach::new(
            ErrorCode::MaxVariablesDepthExceeded,
            "The variables' nesting",
            limits.max_variables_depth,
            depth,
        ));
    }
    if count > limits.max_variables_values {
        return Err(LimitBreach::new(
            ErrorCode::MaxVariablesValuesExceeded,
            "The number of values in the variables",
            limits.max_variables_values,
            count,
        ));
    }
    Ok(())
}

/// The operation a request runs: the named one, or the only one. `None` when the name
/// matches nothing (execution reports that as a request error).
pub fn select_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// What the analysis of an operation found within the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analysis {
    pub operation_type: OperationType,
    /// The requested cost (worst case: every page full).
    pub requested_cost: u64,
    pub depth: usize,
    /// Selects `__schema` or `__type` (a server may have introspection switched off).
    pub introspection: bool,
}

/// Measures one operation against the limits; fragments are summarised once each.
pub fn analyze(
    limits: &Limits,
    model: &CostModel,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Result<Analysis, LimitBreach> {
    let defaults: HashMap<&str, u64> = operation
        .variable_definitions
        .iter()
        .filter_map(|definition| {
            let default = definition.node.default_value.as_ref()?;
            let n = cost::as_count(&default.node)?;
            Some((definition.node.name.node.as_str(), n))
        })
        .collect();
    let mut walker = Walker {
        model,
        fragments: &document.fragments,
        variables,
        defaults,
        summaries: HashMap::new(),
        max_directives: limits.max_directives_per_field,
    };
    let root_type = match operation.ty {
        OperationType::Query => model.query_type(),
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    if operation.directives.len() > limits.max_directives_per_field {
        return Err(directives_breach(limits, operation.directives.len()));
    }
    let summary = walker.selection_set(&operation.selection_set.node, root_type)?;
    if summary.depth > limits.max_depth {
        return Err(LimitBreach::new(
            ErrorCode::MaxDepthExceeded,
            "The query's depth",
            limits.max_depth,
            summary.depth,
        ));
    }
    if summary.fields > limits.max_root_fields as u64 {
        return Err(LimitBreach::new(
            ErrorCode::MaxRootFieldsExceeded,
            "The number of root fields",
            limits.max_root_fields,
            summary.fields,
        ));
    }
    if summary.aliases > limits.max_aliases as u64 {
        return Err(LimitBreach::new(
            ErrorCode::MaxAliasesExceeded,
            "The number of aliases",
            limits.max_aliases,
            summary.aliases,
        ));
    }
    if summary.cost > limits.max_complexity {
        return Err(LimitBreach::new(
            ErrorCode::MaxComplexityExceeded,
            "The query's requested cost",
            limits.max_complexity,
            summary.cost,
        ));
    }
    Ok(Analysis {
        operation_type: operation.ty,
        requested_cost: summary.cost,
        depth: summary.depth,
        introspection: summary.introspection,
    })
}

fn directives_breach(limits: &Limits, count: usize) -> LimitBreach {
    LimitBreach::new(
        ErrorCode::MaxDirectivesExceeded,
        "The number of directives on one selection",
        limits.max_directives_per_field,
        count,
    )
}

/// What a selection set adds up to. Every figure composes (sums and maxima), which is what
/// lets a fragment be measured once however often it is spread.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    cost: u64,
    depth: usize,
    aliases: u64,
    /// Fields directly in this selection set (fragments expanded): the root-field count.
    fields: u64,
    introspection: bool,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.introspection |= other.introspection;
        self.cost = self.cost.saturating_add(other.cost);
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
    }
}

enum FragmentState {
    InProgress,
    Done(Summary),
}

struct Walker<'a> {
    model: &'a CostModel,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
    defaults: HashMap<&'a str, u64>,
    summaries: HashMap<&'a str, FragmentState>,
    max_directives: usize,
}

impl<'a> Walker<'a> {
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        parent_type: &str,
    ) -> Result<Summary, LimitBreach> {
        let mut total = Summary::default();
        for selection in &set.items {
            let directives = selection.node.directives().len();
            if directives > self.max_directives {
                return Err(LimitBreach::new(
                    ErrorCode::MaxDirectivesExceeded,
                    "The number of directives on one selection",
                    self.max_directives,
                    directives,
                ));
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let shape = self.model.field(parent_type, field.name.node.as_str());
                    let mut summary = Summary {
                        fields: 1,
                        aliases: u64::from(field.alias.is_some()),
                        depth: 1,
                        cost: 0,
                        introspection: matches!(field.name.node.as_str(), "__schema" | "__type"),
                    };
                    if !field.selection_set.node.items.is_empty() {
                        let child_type = shape.map_or("", |shape| shape.type_name.as_str());
                        let children = self.selection_set(&field.selection_set.node, child_type)?;
                        let multiplier = self.model.multiplier(
                            parent_type,
                            shape,
                            field,
                            self.variables,
                            &self.defaults,
                        );
                        summary.cost = multiplier.cost(children.cost);
                        summary.depth = 1 + children.depth;
                        summary.aliases = summary.aliases.saturating_add(children.aliases);
                        summary.introspection |= children.introspection;
                    }
                    total.add(summary);
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(parent_type, |condition| condition.node.on.node.as_str());
                    let on = on.to_owned();
                    total.add(self.selection_set(&fragment.selection_set.node, &on)?);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    total.add(self.fragment(name)?);
                }
            }
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Summary, LimitBreach> {
        match self.summaries.get(name) {
            Some(FragmentState::Done(summary)) => return Ok(*summary),
            // A cycle: validation reports it; measuring it again would never end.
            Some(FragmentState::InProgress) => return Ok(Summary::default()),
            None => {}
        }
        // An unknown fragment is a validation error, reported by execution.
        let Some((key, definition)) = self.fragments.get_key_value(name) else {
            return Ok(Summary::default());
        };
        let key = key.as_str();
        if definition.node.directives.len() > self.max_directives {
            return Err(LimitBreach::new(
                ErrorCode::MaxDirectivesExceeded,
                "The number of directives on one selection",
                self.max_directives,
                definition.node.directives.len(),
            ));
        }
        self.summaries.insert(key, FragmentState::InProgress);
        let on = definition.node.type_condition.node.on.node.as_str();
        let summary = self.selection_set(&definition.node.selection_set.node, on)?;
        self.summaries.insert(key, FragmentState::Done(summary));
        Ok(summary)
    }
}

/// An integer argument or variable as a count (negative or absent: `None`).
pub(crate) fn value_count(
    value: &Value,
    variables: &Variables,
    defaults: &HashMap<&str, u64>,
) -> Option<u64> {
    match value {
        Value::Variable(name) => variables
            .get(name)
            .and_then(cost::as_count)
            .or_else(|| defaults.get(name.as_str()).copied()),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list the served SDL holds declares its size, and every size that stands for
    /// data (not an enumeration or a range) is tied to a kept relation: nothing is guessed.
    #[test]
    fn every_list_declares_its_size_and_data_sizes_are_kept() {
        let model = CostModel::from_sdl(&crate::sdl()).expect("the served SDL parses");
        assert_eq!(model.undeclared_lists(), Vec::<String>::new());
        for (coordinate, size) in model.declared_lists() {
            if !size.sized_fields.is_empty() {
                continue;
            }
            assert!(
                relations::relation_of(&coordinate).is_some()
                    || relations::FIXED.contains(&coordinate.as_str()),
                "{coordinate} declares {size:?} but no kept relation or fixed size backs it"
            );
        }
        for (coordinate, _) in relations::RELATIONS {
            let (type_name, field) = coordinate.split_once('.').expect("Type.field");
            assert!(
                model.field(type_name, field).is_some(),
                "{coordinate} is not a field of the served schema"
            );
        }
    }

    #[test]
    fn tokens_ignore_commas_comments_and_count_strings_once() {
        let scan = scan_tokens("# hello\n{ a(b: \"x, y { z\"), c }", 100);
        // { a ( b : "…" ) c }
        assert_eq!(scan.tokens, 9);
        assert_eq!(scan.max_nesting, 2);
    }

    #[test]
    fn variables_shape_is_measured() {
        let limits = Limits {
            max_variables_depth: 2,
            max_variables_values: 5,
            ..Limits::default()
        };
        assert!(check_variables(&limits, &json!({ "a": [1, 2], "b": { "c": 1 } })).is_ok());
        let deep = check_variables(&limits, &json!({ "a": [[[1]]] })).expect_err("too deep");
        assert_eq!(deep.code, ErrorCode::MaxVariablesDepthExceeded);
        assert_eq!(deep.value, 3);
        let many =
            check_variables(&limits, &json!({ "a": [1, 2, 3, 4, 5, 6] })).expect_err("too many");
        assert_eq!(many.code, ErrorCode::MaxVariablesValuesExceeded);
        assert_eq!(many.value, 7);
    }
}
