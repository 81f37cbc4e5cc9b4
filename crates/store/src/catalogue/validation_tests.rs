//! Validation of bad catalogues: each test loads data/catalogue, breaks one thing, and
//! checks the exact problems reported (file, JSON path, message).

use serde_json::{Value, json};

use super::{CatalogueFile, bundled_files, check};

fn parsed(files: &[CatalogueFile]) -> Vec<(String, Value)> {
    files
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                serde_json::from_str(&f.text).expect("bundled files are JSON"),
            )
        })
        .collect()
}

fn serialised(files: Vec<(String, Value)>) -> Vec<CatalogueFile> {
    files
        .into_iter()
        .map(|(name, value)| CatalogueFile {
            text: serde_json::to_string_pretty(&value).expect("serialisable"),
            name,
        })
        .collect()
}

/// The bundled catalogue with `change` applied to some of its files.
/// A file name and what to do to its parsed content.
type Change<'a> = (&'a str, &'a dyn Fn(&mut Value));

fn bundled_with(changes: &[Change<'_>]) -> Vec<CatalogueFile> {
    let mut files = parsed(&bundled_files());
    for (name, change) in changes {
        let (_, value) = files
            .iter_mut()
            .find(|(n, _)| n == name)
            .expect("file is bundled");
        change(value);
    }
    serialised(files)
}

fn problems_of(files: &[CatalogueFile]) -> Vec<String> {
    check(files).iter().map(ToString::to_string).collect()
}

/// The problems reported when `change` is applied to `file`.
fn problems_after(file: &str, change: &dyn Fn(&mut Value)) -> Vec<String> {
    problems_of(&bundled_with(&[(file, change)]))
}

fn set(value: &mut Value, pointer: &str, new: Value) {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} exists")) = new;
}

fn remove(value: &mut Value, pointer: &str, key: &str) {
    value
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{pointer} is an object"))
        .remove(key)
        .unwrap_or_else(|| panic!("{pointer}/{key} exists"));
}

#[test]
fn the_bundled_catalogue_is_valid() {
    assert_eq!(problems_of(&bundled_files()), Vec::<String>::new());
}

#[test]
fn the_bundled_catalogue_yields_the_expected_model() {
    let catalogue = super::validate::validate(&bundled_files()).expect("valid");
    assert_eq!(catalogue.objectives.len(), 23);
    assert_eq!(catalogue.principles.len(), 10);
    assert_eq!(catalogue.regions.len(), 5);
    assert_eq!(
        catalogue.countries.len(),
        195,
        "Global is a scope, not a country"
    );
    assert_eq!(catalogue.document_types.len(), 12);
    assert_eq!(catalogue.instruments.len(), 5);
    assert_eq!(catalogue.guidance.len(), 4);
    assert_eq!(catalogue.items.len(), 10);
    let titles: Vec<(&str, Option<&str>, &str)> = catalogue
        .items
        .iter()
        .map(|i| {
            (
                i.slug.as_str(),
                i.title.as_deref(),
                i.title_provenance.as_str(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (
                "obj22-document-01-issa-handbook-social-security-migrant-workers",
                Some("Handbook on the Extension of Social Security Coverage to Migrant Workers"),
                "external"
            ),
            (
                "obj22-document-02-covid-19-impacts-migrant-workers",
                Some(
                    "Social Protection Spotlight COVID-19: Social protection for migrant workers: \
                     A necessary response to the COVID-19 crisis (2020)"
                ),
                "external"
            ),
            (
                "obj22-event-01-sadc-social-services-johannesburg",
                Some(
                    "Social Protection and Social Services in the SADC region: Agenda 2063 and Agenda 2030"
                ),
                "external"
            ),
            (
                "obj22-event-02-regional-social-security-forum-americas-san-jose",
                Some("Regional Social Security Forum for the Americas"),
                "derived"
            ),
            (
                "obj22-project-01-recs-social-protection-portability-africa",
                Some(
                    "Extending access to social protection and portability of benefits to migrant \
                     workers and their families in selected RECs in Africa"
                ),
                "external"
            ),
            (
                "obj22-project-02-universal-social-protection-eastern-caribbean",
                Some(
                    "Universal Social Protection to Enhance Resilience and Accelerate the SDGs in the Eastern Caribbean"
                ),
                "derived"
            ),
            (
                "obj22-training-01-nota-orientativa-integracion-socioeconomica-peru",
                None,
                "seed"
            ),
            (
                "obj22-training-02-ilo-guide-gcm-objective-22",
                Some(
                    "Extending social protection to migrant workers, refugees and their families: \
                     A guide for policymakers and practitioners"
                ),
                "external"
            ),
            (
                "obj22-video-01-portability-social-security-rights",
                None,
                "seed"
            ),
            (
                "obj22-video-02-ecowas-general-convention-social-security-animation",
                None,
                "seed"
            ),
        ]
    );
}

#[test]
fn a_bad_iso_alpha3_code() {
    assert_eq!(
        problems_after("countries.json", &|v| set(
            v,
            "/countries/113/iso_alpha3",
            json!("MEXX")
        )),
        [r#"countries.json: countries[113].iso_alpha3: "MEXX" is not an ISO 3166-1 alpha-3 code"#]
    );
}

#[test]
fn an_objective_number_out_of_range() {
    assert_eq!(
        problems_after("objectives.json", &|v| set(
            v,
            "/objectives/22/number",
            json!(24)
        )),
        ["objectives.json: objectives[22].number: 24 is not a GCM objective number (1 to 23)"]
    );
}

#[test]
fn a_commitment_paragraph_that_is_not_n_plus_16() {
    assert_eq!(
        problems_after("objectives.json", &|v| set(
            v,
            "/objectives/0/commitment_paragraph",
            json!(16)
        )),
        [
            "objectives.json: objectives[0].commitment_paragraph: 16 is not the commitment paragraph of \
             objective 1 (A/RES/73/195 states objective N's commitment in paragraph N + 16: 17)"
        ]
    );
}

#[test]
fn a_duplicate_slug() {
    assert_eq!(
        problems_after("objectives.json", &|v| set(
            v,
            "/objectives/1/slug",
            json!("data")
        )),
        [
            r#"objectives.json: objectives[1].slug: "data" is used twice (first at objectives[0].slug)"#
        ]
    );
}

#[test]
fn a_duplicate_iso_alpha2_code() {
    assert_eq!(
        problems_after("countries.json", &|v| set(
            v,
            "/countries/1/iso_alpha2",
            json!("AF")
        )),
        [
            r#"countries.json: countries[1].iso_alpha2: "AF" is used twice (first at countries[0].iso_alpha2)"#
        ]
    );
}

#[test]
fn a_country_in_an_unknown_region_also_breaks_the_region_count() {
    assert_eq!(
        problems_after("countries.json", &|v| set(
            v,
            "/countries/113/region",
            json!("North America")
        )),
        [
            r#"countries.json: countries[113].region: "North America" is not a region in regions.json"#,
            r#"regions.json: regions[1].country_count: 36 does not match countries.json, which puts 35 countries in "Americas""#,
        ]
    );
}

#[test]
fn a_region_country_count_mismatch() {
    assert_eq!(
        problems_after("regions.json", &|v| set(
            v,
            "/regions/4/country_count",
            json!(15)
        )),
        [
            r#"regions.json: regions[4].country_count: 15 does not match countries.json, which puts 14 countries in "Oceania""#
        ]
    );
}

#[test]
fn global_is_a_scope_and_has_no_country_code() {
    assert_eq!(
        problems_after("countries.json", &|v| set(
            v,
            "/countries/66/iso_alpha3",
            json!("GLO")
        )),
        [
            r#"countries.json: countries[66].iso_alpha3: must be null in a global entry: "Global" is a scope, not a country"#
        ]
    );
}

#[test]
fn an_unknown_guidance_id_in_links() {
    assert_eq!(
        problems_after("links.json", &|v| set(
            v,
            "/guidance_items/2/guidance",
            json!("quno-obj22-sp-09")
        )),
        [
            r#"links.json: guidance_items[2].guidance: "quno-obj22-sp-09" is not a guidance id in guidance.json"#
        ]
    );
}

#[test]
fn an_unknown_action_letter_in_links() {
    assert_eq!(
        problems_after("links.json", &|v| set(
            v,
            "/guidance_actions/0/actions/1",
            json!("d")
        )),
        [
            r#"links.json: guidance_actions[0].actions[1]: "d" is not an action of objective 22 in objectives.json"#
        ]
    );
}

#[test]
fn an_unknown_item_and_a_missing_geography_entry() {
    assert_eq!(
        problems_after("links.json", &|v| set(
            v,
            "/item_geography/9/item",
            json!("obj22-video-99")
        )),
        [
            r#"links.json: item_geography[9].item: "obj22-video-99" is not the id of an item in the objective files"#,
            r#"links.json: item_geography: no entry for item "obj22-video-02-ecowas-general-convention-social-security-animation" (every item needs exactly one)"#,
        ]
    );
}

#[test]
fn two_geography_entries_for_one_item() {
    let first = "obj22-document-01-issa-handbook-social-security-migrant-workers";
    assert_eq!(
        problems_after("links.json", &|v| set(v, "/item_geography/1/item", json!(first))),
        [
            format!(r#"links.json: item_geography[1].item: "{first}" is used twice (first at item_geography[0].item)"#),
            r#"links.json: item_geography: no entry for item "obj22-document-02-covid-19-impacts-migrant-workers" (every item needs exactly one)"#.to_owned(),
        ]
    );
}

#[test]
fn an_unknown_country_in_links() {
    assert_eq!(
        problems_after("links.json", &|v| set(
            v,
            "/item_geography/2/countries/0",
            json!("ZZZ")
        )),
        [
            r#"links.json: item_geography[2].countries[0]: "ZZZ" is not the alpha-3 code of a country in countries.json"#
        ]
    );
}

#[test]
fn an_impossible_date() {
    assert_eq!(
        problems_after("objective_22_content.json", &|v| {
            set(v, "/items/0/date_of_publication", json!("2015-02-30"))
        }),
        [
            r#"objective_22_content.json: items[0].date_of_publication: "2015-02-30" is not a date (YYYY-MM-DD)"#
        ]
    );
}

#[test]
fn a_bad_language_code() {
    assert_eq!(
        problems_after("objective_22_content.json", &|v| set(
            v,
            "/items/6/language/code",
            json!("xx")
        )),
        [
            r#"objective_22_content.json: items[6].language.code: "xx" is not an ISO 639-1 language code"#
        ]
    );
}

#[test]
fn an_event_in_an_unknown_country() {
    assert_eq!(
        problems_after("objective_22_content.json", &|v| set(
            v,
            "/items/2/country/iso_alpha2",
            json!("ZZ")
        )),
        [
            r#"objective_22_content.json: items[2].country.iso_alpha2: "ZZ" is not the alpha-2 code of a country in countries.json"#
        ]
    );
}

#[test]
fn an_item_in_the_wrong_section() {
    assert_eq!(
        problems_after("objective_22_content.json", &|v| set(
            v,
            "/items/8/section",
            json!("Documents")
        )),
        [
            r#"objective_22_content.json: items[8].section: "Documents" is not the section of a video item (expected "Videos")"#
        ]
    );
}

#[test]
fn malformed_json() {
    let mut files = bundled_files();
    let principles = files
        .iter_mut()
        .find(|f| f.name == "principles.json")
        .expect("bundled");
    principles.text = principles.text.replacen(
        r#""slug": "people-centred","#,
        r#""slug": "people-centred",,"#,
        1,
    );
    assert_eq!(
        problems_of(&files),
        ["principles.json: line 13, column 32: invalid JSON: key must be a string"]
    );
}

#[test]
fn a_missing_required_field() {
    assert_eq!(
        problems_after("countries.json", &|v| remove(
            v,
            "/countries/0",
            "iso_alpha2"
        )),
        ["countries.json: countries[0].iso_alpha2: required field is missing"]
    );
}

#[test]
fn a_value_of_the_wrong_type() {
    assert_eq!(
        problems_after("regions.json", &|v| set(
            v,
            "/regions/0/position",
            json!("1")
        )),
        [r#"regions.json: regions[0].position: expected an integer, found "1""#]
    );
}

#[test]
fn a_commitment_that_differs_between_files() {
    assert_eq!(
        problems_after("objective_22_content.json", &|v| {
            set(v, "/commitment/text", json!("We commit to something else."));
            set(
                v,
                "/commitment/actions/1/text",
                json!("Conclude agreements;"),
            );
        }),
        [
            "objective_22_content.json: commitment.text: does not match the commitment_text of objective 22 in objectives.json",
            "objective_22_content.json: commitment.actions[1].text: does not match action (b) of objective 22 in objectives.json",
        ]
    );
}

#[test]
fn a_guidance_year_out_of_range() {
    assert_eq!(
        problems_after("guidance.json", &|v| set(
            v,
            "/special_procedures/0/year",
            json!(1900)
        )),
        ["guidance.json: special_procedures[0].year: 1900 is out of range (1946 to 2100)"]
    );
}

#[test]
fn an_instrument_code_that_does_not_match_its_kind_and_number() {
    assert_eq!(
        problems_after("instruments.json", &|v| set(
            v,
            "/instruments/0/id",
            json!("R097")
        )),
        [
            r#"instruments.json: instruments[0].id: "R097" does not match kind "convention" and number 97 (expected "C097")"#
        ]
    );
}

#[test]
fn a_missing_file_and_an_unknown_file() {
    let mut files: Vec<CatalogueFile> = bundled_files()
        .into_iter()
        .filter(|f| f.name != "links.json")
        .collect();
    files.push(CatalogueFile {
        name: "notes.json".into(),
        text: "{}".into(),
    });
    files.push(CatalogueFile {
        name: "objective_24_content.json".into(),
        text: "{}".into(),
    });
    assert_eq!(
        problems_of(&files),
        [
            "notes.json: $: not a catalogue file (expected objectives.json, principles.json, regions.json, \
             countries.json, document_types.json, instruments.json, guidance.json, links.json or \
             objective_<N>_content.json)",
            "objective_24_content.json: $: 24 is not a GCM objective number (1 to 23)",
            "links.json: $: the file is missing",
        ]
    );
}

#[test]
fn every_problem_of_every_file_is_reported_at_once() {
    let files = bundled_with(&[
        ("objectives.json", &|v| {
            set(v, "/objectives/22/number", json!(24))
        }),
        ("countries.json", &|v| {
            set(v, "/countries/113/iso_alpha3", json!("MEXX"))
        }),
        ("guidance.json", &|v| {
            set(v, "/special_procedures/3/year", json!(2101))
        }),
        ("objective_22_content.json", &|v| {
            set(v, "/items/6/date_of_publication", json!("2023-13-05"));
            remove(v, "/items/9", "summary");
        }),
        ("links.json", &|v| {
            set(v, "/guidance_items/0/guidance", json!("quno-obj22-sp-99"))
        }),
    ]);
    assert_eq!(
        problems_of(&files),
        [
            "objectives.json: objectives[22].number: 24 is not a GCM objective number (1 to 23)",
            r#"countries.json: countries[113].iso_alpha3: "MEXX" is not an ISO 3166-1 alpha-3 code"#,
            "guidance.json: special_procedures[3].year: 2101 is out of range (1946 to 2100)",
            r#"objective_22_content.json: items[6].date_of_publication: "2023-13-05" is not a date (YYYY-MM-DD)"#,
            "objective_22_content.json: items[9].summary: required field is missing",
            r#"links.json: guidance_items[0].guidance: "quno-obj22-sp-99" is not a guidance id in guidance.json"#,
        ]
    );
}

/// The text rule of `gcm_domain::text`, applied to catalogue files: each bad value is
/// named by its file and JSON path (record and field), and the whole catalogue is refused.
#[test]
fn bad_text_dates_and_urls_are_refused_with_file_record_and_field() {
    let file = "objective_22_content.json";
    let cases: [(&str, Value, &str); 9] = [
        (
            "/items/0/summary",
            json!("before\u{0}after"),
            "items[0].summary: contains a NUL character, which text cannot hold (U+0000 at character 7)",
        ),
        (
            "/items/1/summary",
            json!("a \u{E000}forged\u{E001} highlight"),
            "items[1].summary: contains a private-use character reserved for search highlights (U+E000 at character 3)",
        ),
        (
            "/items/2/title_candidate_external/text",
            json!("\u{3164}\u{A0}"),
            "items[2].title_candidate_external.text: must not be empty",
        ),
        (
            "/items/3/city",
            json!("\u{200B}"),
            "items[3].city: must not be empty",
        ),
        (
            "/items/2/start_date",
            json!("1850-06-01"),
            "items[2].start_date: 1850-06-01 is outside the years 1900 to 2100",
        ),
        (
            "/items/0/url",
            json!("javascript:alert(1)"),
            "items[0].url: is not a web address (it must start with http:// or https://)",
        ),
        (
            "/items/1/url",
            json!("https://example.org/a b"),
            "items[1].url: is not a web address: it contains whitespace or an invisible or control character (U+0020 at character 22)",
        ),
        (
            "/items/4/summary",
            json!("bell\u{7}"),
            "items[4].summary: contains a control character (U+0007 at character 5)",
        ),
        // A field no column holds is still stored (in `source`): checked all the same.
        (
            "/items/2/dates_note",
            json!("del\u{7f} and c1\u{85}"),
            "items[2].dates_note: contains the control character DEL (U+007F at character 4)",
        ),
    ];
    for (pointer, value, expected) in &cases {
        let files = bundled_with(&[(file, &|v: &mut Value| {
            let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
            v.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("an object")
                .insert(key.to_owned(), value.clone());
        })]);
        assert_eq!(
            problems_of(&files),
            [format!("{file}: {expected}")],
            "{pointer}"
        );
        assert!(
            super::validate::validate(&files).is_err(),
            "refused as a whole"
        );
    }
    // A carriage return: a long text may hold one, a one-line field may not.
    let files = bundled_with(&[(file, &|v: &mut Value| {
        set(v, "/items/0/summary", json!("line one\r\nline two"));
        set(v, "/items/3/city", json!("Lima\r"));
    })]);
    assert_eq!(
        problems_of(&files),
        [format!(
            "{file}: items[3].city: contains a carriage return (this field holds one line) (U+000D at character 5)"
        )]
    );
}

#[test]
fn imported_text_is_normalised_to_nfc() {
    let files = bundled_with(&[("objective_22_content.json", &|v: &mut Value| {
        set(v, "/items/3/city", json!("Bogota\u{301}"))
    })]);
    let catalogue = super::validate::validate(&files).expect("valid");
    assert!(
        catalogue
            .items
            .iter()
            .any(|i| i.city.as_deref() == Some("Bogot\u{e1}")),
        "the city is stored composed"
    );
}

#[test]
fn two_items_at_one_position_of_a_section_collide() {
    // The Hub's order is data: a position that collides within a section is refused.
    let problems = problems_after("objective_22_content.json", &|v| {
        set(v, "/items/1/position", json!(1))
    });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("objective_22_content.json: items[1].position: ")
            && problems[0].contains("position 1 among the"),
        "{problems:#?}"
    );
}

#[test]
fn an_organisation_over_its_length_limit() {
    let problems = problems_after("objective_22_content.json", &|v| {
        set(
            v,
            "/items/0/organisation",
            json!("I".repeat(gcm_domain::limits::ORGANISATION + 1)),
        )
    });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("objective_22_content.json: items[0].organisation: "),
        "{problems:#?}"
    );
}

#[test]
fn a_menu_filter_with_an_unknown_value() {
    assert_eq!(
        problems_after("objectives.json", &|v| {
            set(v, "/general_menu_entry/filter", json!("everything"))
        }),
        [
            r#"objectives.json: general_menu_entry.filter: "everything" is not a menu filter (one of general, scope_global)"#
        ]
    );
    assert_eq!(
        problems_after("principles.json", &|v| {
            set(v, "/extra_menu_entries/0/filter", json!("scope-global"))
        }),
        [
            r#"principles.json: extra_menu_entries[0].filter: "scope-global" is not a menu filter (one of general, scope_global)"#
        ]
    );
}

#[test]
fn a_menu_entry_without_a_filter_is_refused_and_null_says_the_source_is_silent() {
    assert_eq!(
        problems_after("principles.json", &|v| {
            remove(v, "/extra_menu_entries/0", "filter")
        }),
        [
            "principles.json: extra_menu_entries[0].filter: required field is missing (one of \
          general, scope_global, or null when the source does not say what the entry holds)"
        ]
    );
    assert_eq!(
        problems_after("objectives.json", &|v| {
            set(v, "/general_menu_entry/filter", Value::Null)
        }),
        Vec::<String>::new()
    );
}

#[test]
fn a_publication_reference_to_nothing() {
    // A row, and the treaty bodies' statement, name a publication the file does not describe.
    let problems = problems_after("guidance.json", &|v| {
        set(v, "/special_procedures/2/publication", json!("quno-2019"));
        set(v, "/treaty_bodies/publication", json!("ohchr-principles"));
    });
    assert_eq!(
        problems,
        [
            r#"guidance.json: special_procedures[2].publication: "quno-2019" names no publication (the file describes "quno-foundations-for-implementation-2018")"#,
            r#"guidance.json: treaty_bodies.publication: "ohchr-principles" names no publication (the file describes "quno-foundations-for-implementation-2018")"#,
        ]
    );
    // Without an id the publication cannot be named at all.
    let problems = problems_after("guidance.json", &|v| remove(v, "/publication", "id"));
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(
        problems.iter().all(|p| p
            .ends_with(r#"names no publication (the file describes no publication with an id)"#)),
        "{problems:#?}"
    );
}
