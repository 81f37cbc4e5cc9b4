//! Faithful to the Hub (issue 15): the five menus come out entry by entry as the source
//! files list them, the entries that are not records included, and every entry's filter
//! runs unchanged as an `ItemFilter` and selects what the entry says.

use gcm_test_support::{TestApp, workspace_root};
use serde_json::{Value, json};

fn client_query(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("tests/clients").join(name))
        .unwrap_or_else(|e| panic!("tests/clients/{name}: {e}"))
}

fn source(file: &str) -> Value {
    let path = workspace_root().join("data/catalogue").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn records<'a>(document: &'a Value, key: &str) -> &'a [Value] {
    document[key].as_array().expect("records")
}

/// (position, label) of a menu as served.
fn served(menu: &Value) -> Vec<(i64, String)> {
    menu.as_array()
        .expect("a menu")
        .iter()
        .map(|e| {
            (
                e["position"].as_i64().expect("position"),
                e["label"].as_str().expect("label").to_owned(),
            )
        })
        .collect()
}

fn entries(records: &[Value], position: &str, label: &str) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = records
        .iter()
        .map(|r| {
            (
                r[position].as_i64().expect("a position"),
                r[label].as_str().expect("a label").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_five_menus_are_the_sources_entry_by_entry_and_each_filter_selects_its_items() {
    let app = TestApp::with_bundled_catalogue().await;
    let menus = app
        .data(&client_query("hub_menus.graphql"), json!({}))
        .await["hubMenus"]
        .clone();

    // Objectives: the source's menu labels 1 to 23, then its "General" entry.
    let objectives = source("objectives.json");
    let mut expected = entries(records(&objectives, "objectives"), "number", "menu_label");
    let general = &objectives["general_menu_entry"];
    expected.push((
        general["menu_position"].as_i64().expect("position"),
        general["label"].as_str().expect("label").to_owned(),
    ));
    assert_eq!(served(&menus["objectives"]), expected);
    assert_eq!(expected[21], (22, "22 - Social protection".to_owned()));
    assert_eq!(expected.last(), Some(&(24, "General".to_owned())));

    // Principles: the ten, then "Global geographic scope".
    let principles = source("principles.json");
    let mut expected = entries(records(&principles, "principles"), "position", "name");
    expected.extend(entries(
        records(&principles, "extra_menu_entries"),
        "menu_position",
        "label",
    ));
    assert_eq!(served(&menus["principles"]), expected);
    assert_eq!(
        expected.last(),
        Some(&(11, "Global geographic scope".to_owned()))
    );

    let regions = source("regions.json");
    assert_eq!(
        served(&menus["regions"]),
        entries(records(&regions, "regions"), "position", "name")
    );
    let document_types = source("document_types.json");
    assert_eq!(
        served(&menus["documentTypes"]),
        entries(
            records(&document_types, "document_types"),
            "position",
            "name"
        )
    );

    // Countries: all 196 lines of the menu, "Global" between Ghana and Greece.
    let countries = source("countries.json");
    let expected = entries(records(&countries, "countries"), "position", "name");
    assert_eq!(expected.len(), 196);
    let served_countries = served(&menus["countries"]);
    assert_eq!(served_countries, expected);
    let global = served_countries
        .iter()
        .position(|(_, label)| label == "Global")
        .expect("Global in the country menu");
    assert_eq!(served_countries[global - 1].1, "Ghana");
    assert_eq!(served_countries[global + 1].1, "Greece");

    // The entries that are not records say so, and select by scope or by "no objective".
    let entry = |menu: &str, label: &str| -> Value {
        menus[menu]
            .as_array()
            .expect("a menu")
            .iter()
            .find(|e| e["label"] == label)
            .unwrap_or_else(|| panic!("{menu}: no {label}"))
            .clone()
    };
    for (menu, label) in [
        ("objectives", "General"),
        ("principles", "Global geographic scope"),
        ("countries", "Global"),
    ] {
        assert!(entry(menu, label)["note"].is_string(), "{menu}/{label}");
    }
    assert_eq!(
        entry("countries", "Global")["filter"]["scope"],
        json!(["GLOBAL"])
    );
    assert_eq!(
        entry("principles", "Global geographic scope")["filter"]["scope"],
        json!(["GLOBAL"])
    );
    assert_eq!(entry("objectives", "General")["filter"]["general"], true);
    assert_eq!(
        entry("countries", "Peru")["filter"]["countries"],
        json!(["PER"])
    );
    assert!(entry("countries", "Peru")["note"].is_null());

    // Every entry's filter, passed unchanged, selects what the dashboard's facets count
    // for that value.
    let facets = app
        .data(
            "{ facets { total objectives { objective { number } count } principles { principle { slug } count }
               regions { region { slug } count } countries { country { iso3 } count }
               documentTypes { documentType { slug } count } scopes { scope count } } }",
            json!({}),
        )
        .await["facets"]
        .clone();
    let counted = |dimension: &str, inner: &str, key: &str, value: &Value| -> i64 {
        facets[dimension]
            .as_array()
            .expect("facet")
            .iter()
            .find(|c| {
                let k = if inner == "scope" {
                    &c["scope"]
                } else {
                    &c[inner][key]
                };
                k == value
            })
            .and_then(|c| c["count"].as_i64())
            .unwrap_or(0)
    };
    let mut general_and_not = 0;
    for menu in [
        "objectives",
        "principles",
        "regions",
        "countries",
        "documentTypes",
    ] {
        for entry in menus[menu].as_array().expect("a menu") {
            let filter = &entry["filter"];
            let total = app
                .data(
                    "query($filter: ItemFilter) { facets(filter: $filter) { total } }",
                    json!({ "filter": filter }),
                )
                .await["facets"]["total"]
                .as_i64()
                .expect("a total");
            let set = |field: &str| filter[field].as_array().map(|v| &v[0]);
            let expected = if let Some(n) = set("objectives") {
                counted("objectives", "objective", "number", n)
            } else if let Some(slug) = set("principles") {
                counted("principles", "principle", "slug", slug)
            } else if let Some(slug) = set("regions") {
                counted("regions", "region", "slug", slug)
            } else if let Some(iso3) = set("countries") {
                counted("countries", "country", "iso3", iso3)
            } else if let Some(slug) = set("documentTypes") {
                counted("documentTypes", "documentType", "slug", slug)
            } else if let Some(scope) = set("scope") {
                counted("scopes", "scope", "", scope)
            } else {
                assert_eq!(filter["general"], true, "{menu}: {entry:#}");
                general_and_not += total;
                continue;
            };
            assert_eq!(total, expected, "{menu}: {entry:#}");
        }
    }
    let tagged = app
        .data(
            "{ facets(filter: { general: false }) { total } }",
            json!({}),
        )
        .await["facets"]["total"]
        .as_i64()
        .expect("a total");
    assert_eq!(
        general_and_not + tagged,
        facets["total"].as_i64().expect("total")
    );
    assert!(counted("scopes", "scope", "", &json!("GLOBAL")) > 0);
    assert!(counted("objectives", "objective", "number", &json!(22)) > 0);
}
