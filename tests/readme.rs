//! The README's examples show something: every GraphQL query in README.md (each ```graphql
//! block that is not a mutation or subscription) runs on the bundled catalogue without an
//! error, and every field it selects shows a value somewhere in the answer: no field is
//! null and no list empty in every place it appears (one global resource may list no
//! country; the example must still show countries).

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```graphql") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
        .into_iter()
        .filter(|block| {
            let start = block.trim_start();
            !start.starts_with("mutation") && !start.starts_with("subscription")
        })
        .collect()
}

/// Every field of the answer by its path without list indices, and whether it ever held
/// a value (not null, not an empty list).
fn shown(value: &Value, path: &str, seen: &mut std::collections::BTreeMap<String, bool>) {
    let has_value = match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        _ => true,
    };
    *seen.entry(path.to_owned()).or_default() |= has_value;
    match value {
        Value::Array(items) => {
            for item in items {
                shown(item, path, seen);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                shown(field, &format!("{path}.{name}"), seen);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_readme_query_answers_with_something_on_the_bundled_catalogue() {
    let queries = readme_queries();
    assert!(!queries.is_empty(), "README.md has GraphQL examples");
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    for query in &queries {
        let body = server.graphql(query, json!({})).await;
        assert!(body.get("errors").is_none(), "{query}\n{body:#}");
        let mut seen = std::collections::BTreeMap::new();
        shown(&body["data"], "data", &mut seen);
        let empty: Vec<_> = seen
            .into_iter()
            .filter(|(_, has_value)| !has_value)
            .map(|(path, _)| path)
            .collect();
        assert!(
            empty.is_empty(),
            "{query}\nanswers with nothing at:\n{}",
            empty.join("\n")
        );
    }
}
