//! A corpus of hostile and malformed requests against the real server with its default
//! limits, each with the exact status and error code it must get; then the server must be
//! healthy, its memory bounded and the catalogue intact. Every case a WebSocket can carry
//! is sent over `/graphql/ws` too, and gets the same refusal there.

mod ws_support;

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");
const JSON: &str = "application/json";
/// The expected code of an execution error the executor raises without a code.
const UNCODED: &str = "(an error without a code)";
/// Longer than any answer takes: past it, the server hangs.
const HANG: std::time::Duration = std::time::Duration::from_secs(60);
/// The codes the pipeline refuses a request with before execution, whatever carried it.
const GATE_CODES: [&str; 14] = [
    "BAD_REQUEST",
    "GRAPHQL_PARSE_FAILED",
    "MAX_DOCUMENT_SIZE_EXCEEDED",
    "MAX_TOKENS_EXCEEDED",
    "MAX_DEPTH_EXCEEDED",
    "MAX_COMPLEXITY_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_ROOT_FIELDS_EXCEEDED",
    "MAX_DIRECTIVES_EXCEEDED",
    "MAX_VARIABLES_DEPTH_EXCEEDED",
    "MAX_VARIABLES_VALUES_EXCEEDED",
    "INTROSPECTION_DISABLED",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_HASH_MISMATCH",
];

/// How a case is sent.
enum Send {
    /// POST `application/json` with this JSON body.
    Json(Value),
    /// POST with this content type and these raw bytes.
    Raw(&'static str, Vec<u8>),
    /// GET with these query-string pairs.
    Get(Vec<(&'static str, String)>),
}

struct Case {
    name: &'static str,
    send: Send,
    status: u16,
    /// `extensions.code` of the first error; `None`: no error at all.
    code: Option<&'static str>,
}

fn query(text: impl Into<String>) -> Send {
    Send::Json(json!({ "query": text.into() }))
}

fn query_with(text: &str, variables: Value) -> Send {
    Send::Json(json!({ "query": text, "variables": variables }))
}

fn case(name: &'static str, send: Send, status: u16, code: Option<&'static str>) -> Case {
    Case {
        name,
        send,
        status,
        code,
    }
}

fn nested(levels: usize, open: &str, inner: &str, close: &str) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

fn fragment_bomb(levels: usize, on: &str, leaf: &str) -> String {
    let mut text = String::new();
    for level in 0..levels {
        text.push_str(&format!(
            "fragment F{level} on {on} {{ ...F{next} ...F{next} }}\n",
            next = level + 1
        ));
    }
    text.push_str(&format!("fragment F{levels} on {on} {{ {leaf} }}\n"));
    text
}

fn corpus() -> Vec<Case> {
    const INJECTIONS: [&str; 5] = [
        "'; DROP TABLE catalogue_item; --",
        "\" OR 1=1 --",
        "%' OR '1'='1",
        "$1; SELECT pg_sleep(10)",
        "\\x00\u{0}<script>alert(1)</script>",
    ];
    let mut cases = vec![
        // Depth
        case(
            "depth bomb",
            query(format!(
                "{{ objectives {} }}",
                nested(
                    9,
                    "{ resources { nodes { objectives ",
                    "{ number }",
                    "} } }"
                )
            )),
            400,
            Some("MAX_DEPTH_EXCEEDED"),
        ),
        case(
            "bracket nesting bomb",
            query(nested(200, "{ a ", "", "}")),
            400,
            Some("MAX_DEPTH_EXCEEDED"),
        ),
        case(
            "nested input object bomb",
            query(format!(
                "{{ resources(filter: {}) {{ totalCount }} }}",
                nested(60, "{ text: ", "\"x\"", "}")
            )),
            400,
            Some("MAX_DEPTH_EXCEEDED"),
        ),
        // Aliases, root fields, fragments
        case(
            "alias bomb",
            query(format!(
                "{{ objectives {{ {} }} }}",
                (0..200)
                    .map(|i| format!("a{i}: number"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            400,
            Some("MAX_ALIASES_EXCEEDED"),
        ),
        // The socket's own operation type, as the probe of issue 20 sent it.
        case(
            "subscription of 1,000 aliased searches",
            query(format!(
                "subscription {{ {} }}",
                (0..1000)
                    .map(|i| format!("a{i}: itemPublished {{ id title objectives {{ resources(first: 100) {{ nodes {{ id }} }} }} }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            400,
            Some("MAX_DOCUMENT_SIZE_EXCEEDED"),
        ),
        case(
            "subscription root field flood",
            query(format!(
                "subscription {{ {} }}",
                (0..60)
                    .map(|i| format!("a{i}: itemPublished {{ id }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            400,
            Some("MAX_ROOT_FIELDS_EXCEEDED"),
        ),
        case(
            "subscription depth bomb",
            query(format!(
                "subscription {{ itemPublished {{ ... on Resource {} }} }}",
                nested(
                    9,
                    "{ objectives { resources { nodes ",
                    "{ id }",
                    "} } }"
                )
            )),
            400,
            Some("MAX_DEPTH_EXCEEDED"),
        ),
        case(
            "root field flood",
            query(format!("{{ {} }}", "regions { slug } ".repeat(30))),
            400,
            Some("MAX_ROOT_FIELDS_EXCEEDED"),
        ),
        case(
            "fragment bomb at the root",
            query(format!(
                "{{ ...F0 }}\n{}",
                fragment_bomb(40, "Query", "__typename")
            )),
            400,
            Some("MAX_ROOT_FIELDS_EXCEEDED"),
        ),
        case(
            "fragment bomb of aliases",
            query(format!(
                "{{ objectives {{ ...F0 }} }}\n{}",
                fragment_bomb(40, "Objective", "n: number")
            )),
            400,
            Some("MAX_ALIASES_EXCEEDED"),
        ),
        case(
            "fragment bomb of lists",
            query(format!(
                "{{ ...F0 }}\n{}",
                fragment_bomb(12, "Query", "objectives { number }")
            )),
            400,
            Some("MAX_ROOT_FIELDS_EXCEEDED"),
        ),
        case(
            "fragment cycle",
            query("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "self-spreading fragment",
            query("{ objectives { ...A } } fragment A on Objective { number ...A }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "unknown fragment",
            query("{ ...Missing }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "malformed @include variable",
            query_with(
                "query ($i: Boolean!) { objectives @include(if: $i) { number guidanceSources { resources { title } } } }",
                json!({ "i": "yes" }),
            ),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "unknown fragment under an expensive list",
            query("{ objectives { resources(first: 100) { nodes { ...Missing } } } }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        // Cost
        case(
            "breadth by aliases of nested pages",
            query(format!(
                "{{ {} }}",
                (0..5)
                    .map(|i| format!("a{i}: objectives {{ resources(first: 100) {{ nodes {{ objectives {{ events(first: 100) {{ nodes {{ title }} }} }} }} }} }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            400,
            Some("MAX_COMPLEXITY_EXCEEDED"),
        ),
        case(
            "nested pages under every entity",
            query_with(
                "query ($r: [_Any!]!) { _entities(representations: $r) { ... on Objective { resources(first: 100) { nodes { objectives { resources(first: 100) { nodes { title } } } } } } } }",
                json!({ "r": (0..100).map(|i| json!({ "__typename": "Objective", "number": 1 + i % 23 })).collect::<Vec<_>>() }),
            ),
            400,
            Some("MAX_COMPLEXITY_EXCEEDED"),
        ),
        case(
            "cost bomb through nested pages",
            query(
                "{ resources(first: 100) { nodes { objectives { resources(first: 100) { nodes { objectives { resources(first: 100) { nodes { title } } } } } } } } }",
            ),
            400,
            Some("MAX_COMPLEXITY_EXCEEDED"),
        ),
        case(
            "page size in a variable",
            query_with(
                "query ($n: Int) { resources(first: $n) { nodes { countries { name } } } }",
                json!({ "n": 1_000_000 }),
            ),
            400,
            Some("MAX_COMPLEXITY_EXCEEDED"),
        ),
        case(
            "page too large but cheap",
            query("{ resources(first: 1000) { totalCount } }"),
            200,
            Some("PAGE_TOO_LARGE"),
        ),
        case(
            "negative page",
            query("{ resources(first: -5) { totalCount } }"),
            200,
            Some("BAD_USER_INPUT"),
        ),
        // Directives and tokens
        case(
            "directive flood",
            query(format!(
                "{{ __typename {} }}",
                "@skip(if: false) ".repeat(50)
            )),
            400,
            Some("MAX_DIRECTIVES_EXCEEDED"),
        ),
        case(
            // Ignored by the executor, as unknown extensions are.
            "unknown directive",
            query("{ __typename @evil }"),
            200,
            None,
        ),
        case(
            "token flood",
            query(format!("{{ __typename {} }}", "a ".repeat(6000))),
            400,
            Some("MAX_TOKENS_EXCEEDED"),
        ),
        case(
            "huge document",
            query(format!("{{ __typename }} #{}", "x".repeat(40_000))),
            400,
            Some("MAX_DOCUMENT_SIZE_EXCEEDED"),
        ),
        // Variables
        case(
            "huge variables",
            query_with(
                "query ($f: ItemFilter) { resources(filter: $f) { totalCount } }",
                json!({ "f": { "objectives": vec![1; 5000] } }),
            ),
            400,
            Some("MAX_VARIABLES_VALUES_EXCEEDED"),
        ),
        case(
            "deeply nested variables",
            query_with(
                "query ($v: ItemFilter) { resources(filter: $v) { totalCount } }",
                serde_json::from_str(&format!("{{ \"v\": {} }}", nested(100, "[", "1", "]")))
                    .expect("valid JSON"),
            ),
            400,
            Some("MAX_VARIABLES_DEPTH_EXCEEDED"),
        ),
        case(
            "nesting beyond the JSON parser's bound",
            Send::Raw(
                JSON,
                format!(
                    "{{ \"query\": \"{{ __typename }}\", \"variables\": {{ \"v\": {} }} }}",
                    nested(5000, "[", "1", "]")
                )
                .into_bytes(),
            ),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "variable of the wrong type",
            query_with(
                "query ($n: Int!) { objective(number: $n) { title } }",
                json!({ "n": "seven" }),
            ),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "variables not an object",
            Send::Json(json!({ "query": "{ __typename }", "variables": [1, 2] })),
            400,
            Some("BAD_REQUEST"),
        ),
        // Malformed bodies and content types
        case(
            "invalid JSON",
            Send::Raw(JSON, b"{ \"query\": \"{ __typename }\" ".to_vec()),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "invalid UTF-8",
            Send::Raw(JSON, b"{ \"query\": \"{ __typ\xff\xfename }\" }".to_vec()),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "empty body",
            Send::Raw(JSON, Vec::new()),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "JSON but not an object",
            Send::Raw(JSON, b"\"{ __typename }\"".to_vec()),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "query not a string",
            Send::Json(json!({ "query": { "a": 1 } })),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "no query",
            Send::Json(json!({ "operationName": "A" })),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "operation name not a string",
            Send::Json(json!({ "query": "{ __typename }", "operationName": 7 })),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "text/plain",
            Send::Raw("text/plain", b"{ __typename }".to_vec()),
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            "application/graphql",
            Send::Raw("application/graphql", b"{ __typename }".to_vec()),
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            "form encoded",
            Send::Raw(
                "application/x-www-form-urlencoded",
                b"query=%7B__typename%7D".to_vec(),
            ),
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            "multipart",
            Send::Raw("multipart/form-data; boundary=x", b"--x--".to_vec()),
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            "JSON in latin-1",
            Send::Raw(
                "application/json; charset=latin1",
                b"{\"query\":\"{ __typename }\"}".to_vec(),
            ),
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            "giant body",
            Send::Raw(JSON, vec![b' '; 1024 * 1024]),
            413,
            Some("MAX_BODY_SIZE_EXCEEDED"),
        ),
        // Syntax and names
        case(
            "syntax error",
            query("{ objectives { number "),
            200,
            Some("GRAPHQL_PARSE_FAILED"),
        ),
        case(
            "unknown field",
            query("{ catalogueItems { password } }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "unknown operation name",
            Send::Json(json!({ "query": "query A { __typename }", "operationName": "B" })),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "several operations without a name",
            query("query A { __typename } query B { __typename }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "subscription without a stream",
            query("subscription { __typename }"),
            400,
            Some("OPERATION_NOT_ALLOWED"),
        ),
        case(
            "unknown mutation",
            query("mutation { dropAllItems }"),
            200,
            Some("GRAPHQL_VALIDATION_FAILED"),
        ),
        case(
            "mutation over GET",
            Send::Get(vec![("query", "mutation { __typename }".into())]),
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            "GET with variables that are not JSON",
            Send::Get(vec![
                ("query", "{ __typename }".into()),
                ("variables", "{nope".into()),
            ]),
            400,
            Some("BAD_REQUEST"),
        ),
        case(
            "integer out of range",
            query_with(
                "query ($n: Int!) { objective(number: $n) { title } }",
                json!({ "n": 99_999_999_999_999_i64 }),
            ),
            200,
            Some("BAD_USER_INPUT"),
        ),
        // Cursors and ids
        case(
            "invalid cursor",
            query("{ resources(after: \"not-a-cursor\") { totalCount } }"),
            200,
            Some("INVALID_CURSOR"),
        ),
        case(
            "cursor of another shape",
            query("{ resources(after: \"eyJhIjoxfQ==\") { totalCount } }"),
            200,
            Some("INVALID_CURSOR"),
        ),
        case(
            "objective out of range",
            query("{ objective(number: 0) { title } }"),
            200,
            Some("BAD_USER_INPUT"),
        ),
        // Batches
        case(
            "batch flood",
            Send::Json(Value::Array(vec![
                json!({ "query": "{ __typename }" });
                1000
            ])),
            400,
            Some("BATCHING_DISABLED"),
        ),
    ];
    // Injection strings in every string argument: refused as input, or matched as text
    // (never run as SQL).
    for injection in INJECTIONS {
        // Text is matched as text; only control characters (here a NUL) are refused.
        let text_answer = if injection.contains('\u{0}') {
            Some("BAD_USER_INPUT")
        } else {
            None
        };
        cases.push(case(
            "injection in country(iso3:)",
            query_with(
                "query ($s: String!) { country(iso3: $s) { name } }",
                json!({ "s": injection }),
            ),
            200,
            Some("BAD_USER_INPUT"),
        ));
        cases.push(case(
            "injection in search(text:)",
            query_with(
                "query ($s: String!) { search(text: $s) { totalCount } }",
                json!({ "s": injection }),
            ),
            200,
            text_answer,
        ));
        cases.push(case(
            "injection in the item filter's text",
            query_with(
                "query ($s: String!) { events(filter: { text: $s }) { totalCount } }",
                json!({ "s": injection }),
            ),
            200,
            text_answer,
        ));
        cases.push(case(
            "injection in countries(region:)",
            query_with(
                "query ($s: String) { countries(region: $s) { name } }",
                json!({ "s": injection }),
            ),
            200,
            Some("BAD_USER_INPUT"),
        ));
        cases.push(case(
            "injection in the item filter's slugs and codes",
            query_with(
                "query ($s: String!) { resources(filter: { countries: [$s], regions: [$s], language: [$s], documentTypes: [$s], principles: [$s] }) { totalCount } }",
                json!({ "s": injection }),
            ),
            200,
            Some("BAD_USER_INPUT"),
        ));
        cases.push(case(
            "injection in a cursor",
            query_with(
                "query ($s: String) { resources(after: $s) { totalCount } }",
                json!({ "s": injection }),
            ),
            200,
            // A control character breaks the text rule (bad input at `after`); any other
            // string is merely not a cursor.
            Some(text_answer.unwrap_or("INVALID_CURSOR")),
        ));
        cases.push(case(
            "injection in node(id:)",
            query_with(
                "query ($s: ID!) { node(id: $s) { id } }",
                json!({ "s": injection }),
            ),
            200,
            Some("BAD_USER_INPUT"),
        ));
    }
    cases
}

async fn send(server: &TestServer, send: &Send) -> (u16, Value) {
    let http = server.http();
    let url = server.url("/graphql");
    let request = match send {
        Send::Json(body) => http
            .post(&url)
            .header("content-type", JSON)
            .body(serde_json::to_vec(body).expect("JSON")),
        Send::Raw(content_type, bytes) => http
            .post(&url)
            .header("content-type", *content_type)
            .body(bytes.clone()),
        Send::Get(pairs) => http.get(&url).query(pairs),
    };
    let response = request
        .header("accept", JSON)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

#[tokio::test]
async fn the_hostile_corpus_gets_exact_answers_and_leaves_the_server_healthy() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let census = "{ objectives { number } regions { slug } countries { iso3 } resources { totalCount } events { totalCount } projects { totalCount } }";
    let before = server.data(census, json!({})).await;
    let rss_before = server.rss_kib();

    let cases = corpus();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let statements_before = server.metric("gcm_sql_statements_total").await;
        // A hang is a failure; slowness on a shared machine is not.
        let (status, body) = tokio::time::timeout(HANG, send(&server, &case.send))
            .await
            .unwrap_or_else(|_| panic!("{}: no answer within {HANG:?}", case.name));
        let statements = server.metric("gcm_sql_statements_total").await - statements_before;
        let has_errors = body.get("errors").is_some();
        let code = body["errors"][0]["extensions"]["code"]
            .as_str()
            .or(has_errors.then_some(UNCODED));
        let expected_code_ok = match case.code {
            Some(expected) => code == Some(expected),
            None => !has_errors,
        };
        if status != case.status || !expected_code_ok {
            failures.push(format!(
                "{}: expected {} {:?}, got {status} {:?}: {}",
                case.name,
                case.status,
                case.code,
                code,
                body.to_string().chars().take(400).collect::<String>()
            ));
        }
        if case.code == Some("MAX_COMPLEXITY_EXCEEDED") {
            let extensions = &body["errors"][0]["extensions"];
            if statements != 0.0 || extensions["limit"].as_u64() >= extensions["value"].as_u64() {
                failures.push(format!(
                    "{}: a cost refusal with {statements} statements: {body}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Healthy, memory bounded, catalogue intact.
    let health = server
        .http()
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(health.status(), 200);
    let after = server.data(census, json!({})).await;
    assert_eq!(before, after, "the catalogue changed");
    assert_eq!(after["objectives"].as_array().map(Vec::len), Some(23));
    let rss_after = server.rss_kib();
    assert!(
        rss_after < 256 * 1024 && rss_after < rss_before + 128 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
    eprintln!(
        "corpus: {} cases; RSS {rss_before} KiB before, {rss_after} KiB after",
        cases.len()
    );
}

/// Cases whose document has no operation the request selects.
const NO_OPERATION_CASES: [&str; 2] = [
    "unknown operation name",
    "several operations without a name",
];

/// What a case must get over `/graphql/ws`: the refusal HTTP gives when the gate refuses it
/// there; otherwise (HTTP executed it) `OPERATION_NOT_ALLOWED`, as only subscriptions run
/// over the socket. `None`: a WebSocket cannot carry the case (raw bodies, GET, batches).
fn over_websocket(case: &Case) -> Option<&'static str> {
    let Send::Json(payload @ Value::Object(_)) = &case.send else {
        return None;
    };
    let is_subscription = payload["query"]
        .as_str()
        .is_some_and(|query| query.trim_start().starts_with("subscription"));
    match case.code {
        Some(code) if GATE_CODES.contains(&code) => Some(code),
        // No operation to run: the gate refuses it as invalid, before any transport rule.
        _ if NO_OPERATION_CASES.contains(&case.name) => Some("GRAPHQL_VALIDATION_FAILED"),
        _ if is_subscription => None,
        _ => Some("OPERATION_NOT_ALLOWED"),
    }
}

#[tokio::test]
async fn every_case_a_websocket_can_carry_gets_the_same_refusal_over_it() {
    use ws_support::*;
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let mut socket = connect(&server).await.expect("connecting");
    init(&mut socket, json!({})).await;
    let mut failures = Vec::new();
    let mut sent = 0;
    for (index, case) in corpus().iter().enumerate() {
        let (Some(expected), Send::Json(payload)) = (over_websocket(case), &case.send) else {
            continue;
        };
        sent += 1;
        let statements_before = server.metric("gcm_sql_statements_total").await;
        let id = format!("case-{index}");
        subscribe(&mut socket, &id, payload.clone()).await;
        // The first message for the case, then through its last (`error` or `complete`).
        let answer = next_json(&mut socket).await;
        let mut last = answer.clone();
        while last["type"] == "next" {
            last = next_json(&mut socket).await;
        }
        let statements = server.metric("gcm_sql_statements_total").await - statements_before;
        if answer["type"] != "error"
            || answer["id"] != id.as_str()
            || code_of(&answer) != Some(expected)
        {
            failures.push(format!(
                "{}: expected an error {expected}, got {answer}",
                case.name
            ));
        }
        if statements != 0.0 {
            failures.push(format!("{}: {statements} statements ran", case.name));
        }
    }
    assert!(sent >= 40, "{sent} cases over the socket");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Still open, still serving subscriptions.
    subscribe(
        &mut socket,
        "live",
        json!({ "query": "subscription { itemPublished { id } }" }),
    )
    .await;
    send(&mut socket, json!({ "id": "live", "type": "complete" })).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    eprintln!("corpus over the WebSocket: {sent} cases");
}
