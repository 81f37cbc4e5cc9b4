//! The text rule (`gcm_domain::text`) over HTTP: random strings, mixing every C0
//! control, DEL and C1 controls, the highlight markers U+E000/U+E001, zero-width and
//! filler characters with ordinary text, sent to curation mutations and to the public
//! API's string arguments. Whatever the string, the answer is a typed error or success,
//! never `INTERNAL_SERVER_ERROR`; a value the rule refuses is `BAD_USER_INPUT` at its
//! path; a value it accepts is accepted.

mod curation_support;

use base64::Engine as _;
use curation_support::*;
use gcm_domain::text::{self, TextField};
use gcm_domain::{Invalid, limits};
use gcm_test_support::{TestDatabase, TestServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

/// The characters the rule is about, and ordinary ones.
fn hostile() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => (0u32..0x20).prop_map(|n| char::from_u32(n).unwrap_or('\0')),
        1 => (0x7fu32..0xa0).prop_map(|n| char::from_u32(n).unwrap_or('\0')),
        3 => prop::sample::select(vec![
            '\u{E000}', '\u{E001}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
            '\u{A0}', '\u{3164}', '\u{115F}', '\u{1160}', '\u{FFA0}', '\u{2800}', '\u{180E}',
            '\u{301}', ' ', '"', '\'', '\\', '%', '-', ':',
        ]),
        2 => any::<char>(),
        4 => prop::char::range('a', 'z'),
    ];
    prop::collection::vec(c, 0..24).prop_map(|cs| cs.into_iter().collect())
}

struct Harness {
    server: TestServer,
    contributor: String,
    admin: String,
}

fn ensure(ok: bool, what: &str, s: &str, body: &Value) -> Result<(), TestCaseError> {
    if ok {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("{what} for {s:?}: {body:#}")))
    }
}

/// No error at all, or only typed ones (never `INTERNAL_SERVER_ERROR`).
fn typed(what: &str, s: &str, body: &Value) -> Result<Vec<String>, TestCaseError> {
    let codes = codes(body);
    let every_error_coded = body["errors"]
        .as_array()
        .is_none_or(|errors| errors.len() == codes.len());
    ensure(
        every_error_coded,
        &format!("{what}: an error without a code"),
        s,
        body,
    )?;
    ensure(
        !codes.iter().any(|c| c == "INTERNAL_SERVER_ERROR"),
        &format!("{what}: INTERNAL_SERVER_ERROR"),
        s,
        body,
    )?;
    Ok(codes)
}

/// The answer of a field the rule judges: refused → one `BAD_USER_INPUT`, else no error.
fn judged(
    what: &str,
    s: &str,
    body: &Value,
    verdict: &Result<impl Sized, Invalid>,
) -> Result<(), TestCaseError> {
    let codes = typed(what, s, body)?;
    match verdict {
        Err(_) => ensure(
            codes == ["BAD_USER_INPUT"],
            &format!("{what}: refused text not BAD_USER_INPUT"),
            s,
            body,
        ),
        Ok(_) => ensure(
            codes.is_empty(),
            &format!("{what}: accepted text refused"),
            s,
            body,
        ),
    }
}

impl Harness {
    async fn check(&self, s: &str) -> Result<(), TestCaseError> {
        let server = &self.server;
        let contributor = Some(self.contributor.as_str());
        let line = TextField::line(limits::TITLE).clean(s);
        let many = TextField::multiline(limits::SUMMARY).clean(s);

        // Curation: each text field of submitResource on its own.
        for (field, verdict) in [("title", &line), ("summary", &many)] {
            let mut input = resource_input("A handbook");
            input[field] = json!(s);
            let body = call(
                server,
                contributor,
                &submit_resource(),
                json!({ "input": input }),
            )
            .await;
            judged(&format!("submitResource {field}"), s, &body, verdict)?;
            if verdict.is_err() {
                ensure(
                    body["errors"][0]["extensions"]["problems"][0]["path"]
                        == json!(["input", field]),
                    "the problem's path",
                    s,
                    &body,
                )?;
            }
        }
        let mut input = resource_input("A handbook");
        input["organisation"] = json!(s);
        let verdict = TextField::line(limits::ORGANISATION).clean(s);
        let body = call(
            server,
            contributor,
            &submit_resource(),
            json!({ "input": input }),
        )
        .await;
        judged("submitResource organisation", s, &body, &verdict)?;
        let mut input = resource_input("A handbook");
        input["url"] = json!(format!("https://example.org/{s}"));
        let body = call(
            server,
            contributor,
            &submit_resource(),
            json!({ "input": input }),
        )
        .await;
        typed("submitResource url", s, &body)?;
        if text::check_chars(s, text::Lines::One).is_err() {
            ensure(
                codes(&body) == ["BAD_USER_INPUT"],
                "a url with a control",
                s,
                &body,
            )?;
        }
        for list in ["principles", "regions", "countries"] {
            let mut input = resource_input("A handbook");
            input[list] = json!([s]);
            let body = call(
                server,
                contributor,
                &submit_resource(),
                json!({ "input": input }),
            )
            .await;
            let codes = typed(&format!("submitResource {list}"), s, &body)?;
            if text::check_key("a value", s).is_err() {
                ensure(codes == ["BAD_USER_INPUT"], list, s, &body)?;
            }
        }

        // Public arguments.
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let body = call(
            server,
            None,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": s }),
        )
        .await;
        ensure(
            typed("node(id:)", s, &body)? == ["BAD_USER_INPUT"],
            "node(id:)",
            s,
            &body,
        )?;
        let key_id = encoded.encode(format!("Resource:{s}"));
        let body = call(
            server,
            None,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [s, key_id] }),
        )
        .await;
        let codes = typed("nodes(ids:)", s, &body)?;
        ensure(
            codes.first().is_some_and(|c| c == "BAD_USER_INPUT"),
            "nodes(ids:)[0]",
            s,
            &body,
        )?;
        if text::check_key("a value", s).is_err() {
            ensure(
                codes == ["BAD_USER_INPUT", "BAD_USER_INPUT"],
                "nodes(ids:)[1]",
                s,
                &body,
            )?;
        }
        let query = text::clean_query(s, limits::QUERY_TEXT);
        let body = call(
            server,
            None,
            "query($s: String!) { search(text: $s, first: 1) { totalCount } }",
            json!({ "s": s }),
        )
        .await;
        let codes = typed("search(text:)", s, &body)?;
        match &query {
            Ok(Some(_)) => ensure(codes.is_empty(), "search(text:) accepted", s, &body)?,
            // Refused, or blank ("the search text is empty").
            _ => ensure(
                codes == ["BAD_USER_INPUT"],
                "search(text:) refused",
                s,
                &body,
            )?,
        }
        if query.is_err() {
            ensure(
                body["errors"][0]["extensions"]["argument"] == "text",
                "search(text:) argument",
                s,
                &body,
            )?;
        }
        let body = call(
            server,
            None,
            "query($s: String!) { resources(filter: { text: $s }, first: 1) { totalCount } }",
            json!({ "s": s }),
        )
        .await;
        judged("resources(filter: { text })", s, &body, &query)?;
        let body = call(
            server,
            None,
            "query($s: String!) { resources(filter: { principles: [$s], countries: [$s], language: [$s] }) { totalCount } }",
            json!({ "s": s }),
        )
        .await;
        typed("resources(filter: lists)", s, &body)?;
        let body = call(
            server,
            None,
            "query($s: String!) { resources(after: $s) { totalCount } }",
            json!({ "s": s }),
        )
        .await;
        let codes = typed("resources(after:)", s, &body)?;
        if text::check_key("a value", s).is_err() {
            ensure(codes == ["BAD_USER_INPUT"], "resources(after:)", s, &body)?;
        }
        let body = call(
            server,
            None,
            "query($s: String) { countries(region: $s) { name } }",
            json!({ "s": s }),
        )
        .await;
        typed("countries(region:)", s, &body)?;
        let actor = TextField::line(limits::QUERY_TEXT).blank_allowed().clean(s);
        let body = call(
            server,
            Some(&self.admin),
            "query($s: String!) { auditLog(filter: { actor: $s, subject: $s }) { entries { actor } } }",
            json!({ "s": s }),
        )
        .await;
        judged("auditLog(filter: { actor })", s, &body, &actor)?;
        if actor.is_err() {
            ensure(
                body["errors"][0]["extensions"]["argument"] == "filter.actor",
                "auditLog argument",
                s,
                &body,
            )?;
        }
        Ok(())
    }
}

#[test]
fn random_text_on_every_input_path_is_a_typed_answer_never_an_internal_error() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (_db, harness) = runtime.block_on(async {
        let db = TestDatabase::with_bundled_catalogue().await;
        let contributor = create_key(&db, "prop-contributor", "contributor", "external");
        let admin = create_key(&db, "prop-admin", "admin", "internal");
        // The input paths are the subject, not the rate limit: it is off.
        let server = TestServer::start_with_env(
            BIN,
            &[
                ("DATABASE_URL", db.url()),
                ("GCM_RATE_LIMIT_PER_SECOND", "0"),
            ],
        )
        .await;
        (
            db,
            Harness {
                server,
                contributor,
                admin,
            },
        )
    });
    // Every C0 control, DEL, a C1 control, the markers and the fillers, once each.
    let specials = (0u32..0x20)
        .chain([
            0x7f, 0x85, 0x9f, 0xE000, 0xE001, 0x200B, 0x3164, 0xFEFF, 0x2800,
        ])
        .filter_map(char::from_u32);
    for c in specials {
        for s in [format!("a{c}b"), c.to_string()] {
            if let Err(e) = runtime.block_on(harness.check(&s)) {
                panic!("{e}");
            }
        }
    }
    let mut runner = TestRunner::new(Config::with_cases(64));
    let result = runner.run(&hostile(), |s| runtime.block_on(harness.check(&s)));
    if let Err(e) = result {
        panic!("{e}");
    }
}
