//! Answers with their fields in the order the query asks for them. The spec's "Serialized
//! Map Ordering" (GraphQL, section 7.2.2) asks for the selection's order; async-graphql 7
//! collects an object's fields as they complete (a `FuturesUnordered` in
//! `do_resolve_container`), so an object whose fields wait on different loaders comes out
//! in another order from one request to the next — which breaks clients that compare
//! answers as text, HTTP caches keyed on the bytes' ETag, and snapshot tests.
//!
//! The plan is built once per request from the parsed document (fragments expanded, as
//! the limits already walk them) and applied to the answer in one pass that reorders only
//! the objects whose keys came out of order.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// The response keys of one selection, in the order CollectFields meets them, each with the
/// order of its own selection.
#[derive(Debug, Default)]
pub(crate) struct ResponseOrder {
    fields: Vec<(Name, ResponseOrder)>,
}

impl ResponseOrder {
    /// The order of the operation that runs; `None` when the document does not say which
    /// (execution then refuses it anyway).
    pub(crate) fn of(document: &ExecutableDocument, operation_name: Option<&str>) -> Option<Self> {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(operation), _) => operation,
            (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
            (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
                operations.values().next()?
            }
            (DocumentOperations::Multiple(_), None) => return None,
        };
        let mut order = Self::default();
        order.collect(
            &operation.node.selection_set.node,
            document,
            &mut Vec::new(),
        );
        Some(order)
    }

    /// Adds a selection set's keys, fragments expanded in place. Type conditions are
    /// ignored: a key only a non-matching fragment selects is absent from the answer, and
    /// the relative order of the others is the same.
    fn collect(&mut self, set: &SelectionSet, document: &ExecutableDocument, open: &mut Vec<Name>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = &field.response_key().node;
                    let index = match self.fields.iter().position(|(k, _)| k == key) {
                        Some(index) => index,
                        None => {
                            self.fields.push((key.clone(), Self::default()));
                            self.fields.len() - 1
                        }
                    };
                    self.fields[index]
                        .1
                        .collect(&field.selection_set.node, document, open);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // Validation refuses cycles; the guard keeps this walk finite regardless.
                    if open.contains(name) {
                        continue;
                    }
                    if let Some(fragment) = document.fragments.get(name) {
                        open.push(name.clone());
                        self.collect(&fragment.node.selection_set.node, document, open);
                        open.pop();
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.collect(&inline.node.selection_set.node, document, open);
                }
            }
        }
    }

    /// Puts every object of `value` in this order.
    pub(crate) fn apply(&self, value: &mut Value) {
        match value {
            Value::List(items) => items.iter_mut().for_each(|item| self.apply(item)),
            Value::Object(map) if !self.fields.is_empty() => {
                // The keys are nearly always in order already: one forward scan checks it.
                let mut next = 0;
                let mut in_order = true;
                for (key, child) in map.iter_mut() {
                    let found = match self.fields[next..].iter().position(|(k, _)| k == key) {
                        Some(offset) => {
                            next += offset + 1;
                            Some(&self.fields[next - 1].1)
                        }
                        None => {
                            in_order = false;
                            self.fields.iter().find(|(k, _)| k == key).map(|(_, o)| o)
                        }
                    };
                    if let Some(order) = found {
                        order.apply(child);
                    }
                }
                if !in_order {
                    map.sort_by(|a, _, b, _| self.rank(a).cmp(&self.rank(b)));
                }
            }
            _ => {}
        }
    }

    /// A key's place; keys the plan does not know (none, in practice) go last.
    fn rank(&self, key: &Name) -> usize {
        self.fields
            .iter()
            .position(|(k, _)| k == key)
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn objects_come_out_in_the_selection_order_fragments_included() {
        let document = async_graphql::parser::parse_query(
            "query Q { b ...F a { y x } } fragment F on Query { c a { z } ... on Query { d } }",
        )
        .expect("a document");
        let order = ResponseOrder::of(&document, None).expect("the operation's order");
        let mut answer = async_graphql::value!({
            "d": 4, "a": [{ "z": 3, "x": 2, "y": 1 }], "c": 3, "b": 2
        });
        order.apply(&mut answer);
        assert_eq!(keys(&answer), ["b", "c", "a", "d"]);
        let Value::Object(map) = &answer else {
            panic!("an object")
        };
        let Value::List(items) = &map["a"] else {
            panic!("a list")
        };
        // `a` is first met inside F, so its `z` comes before the later `y x`.
        assert_eq!(keys(&items[0]), ["z", "y", "x"]);
    }

    #[test]
    fn absent_keys_and_aliases_keep_their_places() {
        let document = async_graphql::parser::parse_query(
            "{ first: a(n: 1) skipped @skip(if: true) second: a(n: 2) }",
        )
        .expect("a document");
        let order = ResponseOrder::of(&document, None).expect("the operation's order");
        let mut answer = async_graphql::value!({ "second": 2, "first": 1 });
        order.apply(&mut answer);
        assert_eq!(keys(&answer), ["first", "second"]);
    }
}
