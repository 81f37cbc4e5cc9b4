//! The client-facing schema (`schema.client.graphql`, `gcm-catalogue schema --client`): the
//! API as Relay and codegen tools see it through a router. It is what the binary prints,
//! and every type, field, argument and enum value in it is what the served introspection
//! answers, with the same types, leaving out only the federation's own fields and types.

use std::collections::BTreeMap;
use std::process::Command;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use gcm_test_support::{TestApp, workspace_root};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

/// What a type offers, as `name: type` strings per field, argument, input field and value.
type Shape = BTreeMap<String, Vec<String>>;

const INTROSPECTION: &str = "query ClientSchema { __schema { types { name kind
    fields(includeDeprecated: true) { name type { ...Ref } args { name type { ...Ref } } }
    inputFields { name type { ...Ref } }
    enumValues(includeDeprecated: true) { name } } } }
  fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

fn type_ref(t: &Value) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&t["ofType"])),
        _ => t["name"].as_str().expect("a named type").to_owned(),
    }
}

/// Federation's additions: fields and types a router consumes and never shows a client.
fn federation_only(name: &str) -> bool {
    name.starts_with('_')
}

fn served_shape(schema: &Value) -> Shape {
    let mut shape = Shape::new();
    for t in schema["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().expect("name");
        // Introspection's own types and the built-in scalars, which an SDL leaves implicit.
        let built_in = ["Boolean", "Float", "ID", "Int", "String"].contains(&name);
        if name.starts_with("__") || federation_only(name) || built_in {
            continue;
        }
        let mut members = Vec::new();
        for field in t["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().expect("field");
            if federation_only(field_name) {
                continue;
            }
            members.push(format!("{field_name}: {}", type_ref(&field["type"])));
            for arg in field["args"].as_array().into_iter().flatten() {
                members.push(format!(
                    "{field_name}({}): {}",
                    arg["name"].as_str().expect("arg"),
                    type_ref(&arg["type"])
                ));
            }
        }
        for input in t["inputFields"].as_array().into_iter().flatten() {
            members.push(format!(
                "{}: {}",
                input["name"].as_str().expect("input"),
                type_ref(&input["type"])
            ));
        }
        for value in t["enumValues"].as_array().into_iter().flatten() {
            members.push(value["name"].as_str().expect("value").to_owned());
        }
        members.sort();
        shape.insert(name.to_owned(), members);
    }
    shape
}

fn sdl_shape(sdl: &str) -> Shape {
    let document = parse_schema(sdl).expect("schema.client.graphql parses");
    let mut shape = Shape::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let t = t.node;
        let mut members = Vec::new();
        match t.kind {
            TypeKind::Object(o) => fields(&o.fields, &mut members),
            TypeKind::Interface(i) => fields(&i.fields, &mut members),
            TypeKind::InputObject(i) => {
                for f in i.fields {
                    members.push(format!("{}: {}", f.node.name.node, f.node.ty.node));
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values {
                    members.push(v.node.value.node.to_string());
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
        members.sort();
        shape.insert(t.name.node.to_string(), members);
    }
    shape
}

fn fields(
    defs: &[async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>],
    out: &mut Vec<String>,
) {
    for f in defs {
        let f = &f.node;
        out.push(format!("{}: {}", f.name.node, f.ty.node));
        for arg in &f.arguments {
            out.push(format!(
                "{}({}): {}",
                f.name.node, arg.node.name.node, arg.node.ty.node
            ));
        }
    }
}

#[tokio::test]
async fn the_client_schema_is_what_the_binary_prints_and_what_introspection_serves() {
    let printed = Command::new(BIN)
        .args(["schema", "--client"])
        .output()
        .expect("running gcm-catalogue schema --client");
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).expect("utf-8");
    let committed = std::fs::read_to_string(workspace_root().join("schema.client.graphql"))
        .expect("schema.client.graphql");
    assert!(
        printed == committed,
        "schema.client.graphql is stale; regenerate it with `cargo run -- schema --client > schema.client.graphql`"
    );
    for federation in [
        "@link",
        "@key",
        "@shareable",
        "@listSize",
        "@cost",
        "_entities",
        "_service",
        "_Any",
    ] {
        assert!(
            !committed.contains(federation),
            "{federation} in the client schema"
        );
    }

    let app = TestApp::with_bundled_catalogue().await;
    let served = served_shape(&app.data(INTROSPECTION, json!({})).await);
    let client = sdl_shape(&committed);
    let names = |s: &Shape| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&client), names(&served), "the types differ");
    for (name, members) in &served {
        assert_eq!(client.get(name), Some(members), "{name} differs");
    }
    assert!(
        served.contains_key("HubMenus")
            && served["Query"].iter().any(|m| m == "hubMenus: HubMenus!")
    );
}
