//! Curation end to end: keys made with the CLI, a real server, real PostgreSQL. Every
//! role's allowed and refused actions (each refusal with its code), the review rules,
//! visibility, the audit trail and the catalogue version caches key on.

mod curation_support;

use curation_support::*;
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::json;

#[tokio::test]
async fn keys_are_created_listed_and_revoked_with_the_cli_and_only_their_hash_is_stored() {
    let db = TestDatabase::migrated().await;
    let output = keys_cli(
        &db,
        &[
            "create",
            "--name",
            "alice",
            "--role",
            "reviewer",
            "--affiliation",
            "internal",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let secret = stdout.lines().last().expect("a last line").to_owned();
    assert!(
        secret.starts_with("gcm_") && secret.len() > 40,
        "{secret:?}"
    );
    assert_eq!(
        stdout.matches(&secret).count(),
        1,
        "the secret is printed once"
    );

    let duplicate = keys_cli(&db, &["create", "--name", "alice", "--role", "admin"]);
    assert!(
        !duplicate.status.success(),
        "a second key named alice was created"
    );
    let bad_role = keys_cli(&db, &["create", "--name", "bob", "--role", "owner"]);
    assert!(!bad_role.status.success());

    let list = keys_cli(&db, &["list"]);
    let listed = String::from_utf8(list.stdout).expect("utf-8");
    assert!(listed.contains("alice\treviewer\tinternal"), "{listed}");
    assert!(listed.contains("active"), "{listed}");
    assert!(!listed.contains(&secret), "keys list shows a secret");

    let client = db.client().await;
    let rows = client
        .query("SELECT secret_hash FROM api_keys", &[])
        .await
        .expect("reading api_keys");
    assert_eq!(rows.len(), 1);
    let hash: Vec<u8> = rows[0].get(0);
    assert_eq!(hash.len(), 32);
    assert!(!String::from_utf8_lossy(&hash).contains(&secret[4..]));

    let revoke = keys_cli(&db, &["revoke", "alice"]);
    assert!(revoke.status.success(), "{revoke:?}");
    let again = keys_cli(&db, &["revoke", "alice"]);
    assert!(!again.status.success(), "revoking twice succeeded");
    let unknown = keys_cli(&db, &["revoke", "nobody"]);
    assert!(!unknown.status.success());
    let listed = String::from_utf8(keys_cli(&db, &["list"]).stdout).expect("utf-8");
    assert!(listed.contains("revoked"), "{listed}");
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_keys_are_unauthenticated_and_wrong_roles_forbidden()
{
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let revoked = create_key(&db, "former-expert", "reviewer", "external");
    assert!(keys_cli(&db, &["revoke", "former-expert"]).status.success());
    let server = TestServer::start(BIN, db.url()).await;

    // Public reads need no key, and a bad key does not break them.
    data(&server, None, "{ objectives { number } }", json!({})).await;

    let mine = "{ mySubmissions { nodes { id } } }";
    assert_code(
        &call(&server, None, mine, json!({})).await,
        "UNAUTHENTICATED",
    );
    for key in [
        "not-a-key",
        "gcm_tooshort",
        // Well formed, unknown.
        "gcm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        revoked.as_str(),
    ] {
        assert_code(
            &call(&server, Some(key), mine, json!({})).await,
            "UNAUTHENTICATED",
        );
    }
    let basic = server
        .http()
        .post(server.url("/graphql"))
        .header("authorization", "Basic dXNlcjpwdw==")
        .json(&json!({ "query": mine }))
        .send()
        .await
        .expect("POST")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    assert_code(&basic, "UNAUTHENTICATED");
    let anonymous_submit = call(
        &server,
        None,
        &submit_resource(),
        json!({ "input": resource_input("x") }),
    )
    .await;
    assert_code(&anonymous_submit, "UNAUTHENTICATED");

    let id = submit(&server, &cast.contributor, "Handbook on social security").await;
    // Contributors cannot review, read the queue, retract, restore or read the audit log.
    assert_code(
        &decide(&server, &cast.contributor, &id, "APPROVE").await,
        "FORBIDDEN",
    );
    let conflict = "mutation($id: ID!) { declareConflict(id: $id) { id } }";
    assert_code(
        &call(
            &server,
            Some(&cast.contributor),
            conflict,
            json!({ "id": id }),
        )
        .await,
        "FORBIDDEN",
    );
    let queue = "{ reviewQueue { totalCount nodes { id } } }";
    assert_code(
        &call(&server, Some(&cast.contributor), queue, json!({})).await,
        "FORBIDDEN",
    );
    let audit = "{ auditLog { entries { action } } }";
    assert_code(
        &call(&server, Some(&cast.contributor), audit, json!({})).await,
        "FORBIDDEN",
    );
    assert_code(
        &call(&server, Some(&cast.internal), audit, json!({})).await,
        "FORBIDDEN",
    );
    let published = data(
        &server,
        None,
        "{ resources(first: 1) { nodes { id } } }",
        json!({}),
    )
    .await["resources"]["nodes"][0]["id"]
        .as_str()
        .expect("a published resource")
        .to_owned();
    let retract = "mutation($id: ID!) { retractItem(id: $id, reason: \"duplicate\") { id } }";
    let restore = "mutation($id: ID!) { restoreItem(id: $id) { id } }";
    for key in [&cast.contributor, &cast.internal] {
        assert_code(
            &call(&server, Some(key), retract, json!({ "id": published })).await,
            "FORBIDDEN",
        );
        assert_code(
            &call(&server, Some(key), restore, json!({ "id": published })).await,
            "FORBIDDEN",
        );
    }
    // Admins cannot review (reviews count by affiliation; admins are not on the roster).
    assert_code(
        &decide(&server, &cast.admin, &id, "APPROVE").await,
        "FORBIDDEN",
    );
    // Another contributor may not touch this submission, nor see it.
    let withdraw = "mutation($id: ID!) { withdrawSubmission(id: $id) { status } }";
    assert_code(
        &call(
            &server,
            Some(&cast.other_contributor),
            withdraw,
            json!({ "id": id }),
        )
        .await,
        "FORBIDDEN",
    );
    let update = "mutation($id: ID!, $input: UpdateSubmissionInput!) { updateSubmission(id: $id, input: $input) { status } }";
    let mut input = resource_input("Changed");
    input["section"] = json!("DOCUMENTS");
    assert_code(
        &call(
            &server,
            Some(&cast.other_contributor),
            update,
            json!({ "id": id, "input": input }),
        )
        .await,
        "FORBIDDEN",
    );
    let theirs = data(
        &server,
        Some(&cast.other_contributor),
        "query($id: ID!) { submission(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    assert!(theirs["submission"].is_null(), "{theirs}");
    let others = data(&server, Some(&cast.other_contributor), mine, json!({})).await;
    assert_eq!(others["mySubmissions"]["nodes"], json!([]));
    // A reviewer may submit too, and never review their own submission.
    let own = submit(&server, &cast.internal, "A reviewer's own report").await;
    assert_code(
        &decide(&server, &cast.internal, &own, "APPROVE").await,
        "FORBIDDEN",
    );

    // The allowed side of each: the owner withdraws, reviewers see the queue, admins read the log.
    let queue_data = data(&server, Some(&cast.external[0]), queue, json!({})).await;
    assert_eq!(
        queue_data["reviewQueue"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(queue_data["reviewQueue"]["totalCount"], 2);
    let queue_data = data(&server, Some(&cast.admin), queue, json!({})).await;
    assert_eq!(
        queue_data["reviewQueue"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
    // One at a time, as a reviewer's inbox pages: the same two, oldest first.
    let paged = "query Inbox($after: String) { reviewQueue(first: 1, after: $after) {
        pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id } } } }";
    let one = data(&server, Some(&cast.admin), paged, json!({})).await;
    assert_eq!(one["reviewQueue"]["pageInfo"]["hasNextPage"], true);
    let two = data(
        &server,
        Some(&cast.admin),
        paged,
        json!({ "after": one["reviewQueue"]["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(two["reviewQueue"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(two["reviewQueue"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(
        [
            &one["reviewQueue"]["edges"][0]["node"]["id"],
            &two["reviewQueue"]["edges"][0]["node"]["id"]
        ],
        [
            &queue_data["reviewQueue"]["nodes"][0]["id"],
            &queue_data["reviewQueue"]["nodes"][1]["id"]
        ]
    );
    assert_code(
        &call(
            &server,
            Some(&cast.admin),
            paged,
            json!({ "after": "bm9wZQ" }),
        )
        .await,
        "INVALID_CURSOR",
    );
    assert_code(
        &call(
            &server,
            Some(&cast.admin),
            "{ reviewQueue(first: 101) { totalCount } }",
            json!({}),
        )
        .await,
        "PAGE_TOO_LARGE",
    );
    let log = data(&server, Some(&cast.admin), audit, json!({})).await;
    assert!(
        !log["auditLog"]["entries"]
            .as_array()
            .expect("entries")
            .is_empty()
    );
    let withdrawn = data(
        &server,
        Some(&cast.contributor),
        withdraw,
        json!({ "id": id }),
    )
    .await;
    assert_eq!(withdrawn["withdrawSubmission"]["status"], "WITHDRAWN");
    let retracted = call(
        &server,
        Some(&cast.admin),
        retract,
        json!({ "id": published }),
    )
    .await;
    assert!(retracted.get("errors").is_none(), "{retracted:#}");

    // No response ever carries a key's secret or hash.
    let everything = call(
        &server,
        Some(&cast.admin),
        "{ auditLog(first: 100) { entries { actor action subject before after } } }",
        json!({}),
    )
    .await
    .to_string();
    for secret in [&cast.contributor, &cast.internal, &cast.admin] {
        assert!(
            !everything.contains(&secret[4..]),
            "a secret leaked into the audit log"
        );
    }
    assert!(!everything.contains("secret_hash") && !everything.contains("secretHash"));
}

#[tokio::test]
async fn submissions_are_validated_like_the_importer_with_every_problem_at_its_input_path() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let contributor = create_key(&db, "c", "contributor", "external");
    let server = TestServer::start(BIN, db.url()).await;

    let mut input = resource_input("");
    input["url"] = json!("ftp://example.org/x");
    input["documentType"] = json!("no-such-type");
    input["objectives"] = json!([22, 24, 22]);
    input["principles"] = json!(["Not A Slug"]);
    input["regions"] = json!(["atlantis"]);
    input["countries"] = json!(["PER", "XXX", "pe"]);
    input["language"] = json!("zz");
    let body = call(
        &server,
        Some(&contributor),
        &submit_resource(),
        json!({ "input": input }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");
    let problems: Vec<(serde_json::Value, String)> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["path"].clone(),
                p["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let paths: Vec<serde_json::Value> = problems.iter().map(|(p, _)| p.clone()).collect();
    for expected in [
        json!(["input", "title"]),
        json!(["input", "url"]),
        json!(["input", "documentType"]),
        json!(["input", "objectives", 1]),
        json!(["input", "objectives", 2]),
        json!(["input", "principles", 0]),
        json!(["input", "regions", 0]),
        json!(["input", "countries", 1]),
        json!(["input", "countries", 2]),
        json!(["input", "language"]),
    ] {
        assert!(
            paths.contains(&expected),
            "no problem at {expected}: {problems:#?}"
        );
    }
    assert_eq!(paths.len(), 10, "{problems:#?}");

    // Fields of another kind are refused on the event input's update; dates must be ordered.
    let event = "mutation($input: SubmitEventInput!) { submitEvent(input: $input) { id status item { __typename } } }";
    let body = call(
        &server,
        Some(&contributor),
        event,
        json!({ "input": { "title": "Forum", "summary": "A regional forum.", "objectives": [23],
                           "country": "PER", "city": "Lima", "startsOn": "2026-05-02", "endsOn": "2026-05-01" } }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["problems"][0]["path"],
        json!(["input", "endsOn"])
    );
    let body = call(
        &server,
        Some(&contributor),
        event,
        json!({ "input": { "title": "Forum", "summary": "A regional forum.", "objectives": [23],
                           "country": "PER", "city": "Lima", "startsOn": "2026-05-01", "endsOn": "2026-05-02" } }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["submitEvent"]["item"]["__typename"], "Event");
    let project = "mutation($input: SubmitProjectInput!) { submitProject(input: $input) { status item { __typename scope } } }";
    let body = data(
        &server,
        Some(&contributor),
        project,
        json!({ "input": { "title": "Pilot", "summary": "A pilot.", "objectives": [1], "regions": ["africa"] } }),
    )
    .await;
    assert_eq!(body["submitProject"]["status"], "UNDER_REVIEW");
    assert_eq!(body["submitProject"]["item"]["scope"], "REGIONAL");

    // Nothing invalid was written; the two valid submissions were, with audit records.
    let client = db.client().await;
    let n: i64 = client
        .query_one("SELECT count(*) FROM submissions", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2);
    let audited: i64 = client
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action LIKE 'submission.submit_%'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn one_internal_and_two_external_approvals_publish_and_the_public_sees_it_only_then() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;

    let body = data(
        &server,
        Some(&cast.contributor),
        &submit_resource(),
        json!({ "input": resource_input("Portable pensions") }),
    )
    .await;
    let submission = &body["submitResource"];
    assert_eq!(submission["status"], "UNDER_REVIEW");
    let id = submission["id"].as_str().expect("id").to_owned();
    let item_id = submission["item"]["id"]
        .as_str()
        .expect("item id")
        .to_owned();
    assert!(
        public_node(&server, &item_id).await.is_null(),
        "visible before review"
    );
    let search = data(
        &server,
        None,
        "{ search(text: \"Portable pensions\") { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(
        search["search"]["totalCount"], 0,
        "found by search before review"
    );
    let version = catalogue_version(&db).await;

    // Two external approvals are not enough without an internal one.
    assert_eq!(
        decide_ok(&server, &cast.external[0], &id, "APPROVE").await,
        "UNDER_REVIEW"
    );
    assert_eq!(
        decide_ok(&server, &cast.external[1], &id, "APPROVE").await,
        "UNDER_REVIEW"
    );
    // A reviewer decides once per round.
    assert_code(
        &decide(&server, &cast.external[0], &id, "APPROVE").await,
        "BAD_USER_INPUT",
    );
    assert!(public_node(&server, &item_id).await.is_null());
    assert_eq!(catalogue_version(&db).await, version);
    assert_eq!(
        decide_ok(&server, &cast.internal, &id, "APPROVE").await,
        "PUBLISHED"
    );

    let node = public_node(&server, &item_id).await;
    assert_eq!(node["title"], "Portable pensions");
    assert!(
        catalogue_version(&db).await > version,
        "publishing did not bump the version"
    );
    let search = data(
        &server,
        None,
        "{ search(text: \"Portable pensions\") { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(search["search"]["totalCount"], 1);
    // Decided: no more reviews, updates or withdrawals.
    assert_code(
        &decide(&server, &cast.external[2], &id, "REJECT").await,
        "BAD_USER_INPUT",
    );
    let withdraw = "mutation($id: ID!) { withdrawSubmission(id: $id) { status } }";
    assert_code(
        &call(
            &server,
            Some(&cast.contributor),
            withdraw,
            json!({ "id": id }),
        )
        .await,
        "BAD_USER_INPUT",
    );

    let mine = data(
        &server,
        Some(&cast.contributor),
        &format!("{{ mySubmissions {{ nodes {{ {SUBMISSION_FIELDS} }} }} }}"),
        json!({}),
    )
    .await;
    let reviews = mine["mySubmissions"]["nodes"][0]["reviews"]
        .as_array()
        .expect("reviews")
        .clone();
    assert_eq!(reviews.len(), 3);
    // The contributor sees what was decided and why, not who decided it (no key is public).
    assert!(reviews[2]["reviewer"].is_null(), "{reviews:#?}");
    assert_eq!(reviews[2]["affiliation"], "INTERNAL");
    assert_eq!(reviews[2]["decision"], "APPROVE");
    assert_eq!(reviews[2]["comment"], "APPROVE by test");
    let as_admin = data(
        &server,
        Some(&cast.admin),
        "query($id: ID!) { submission(id: $id) { reviews { reviewer } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        as_admin["submission"]["reviews"][2]["reviewer"],
        "un-reviewer"
    );
}

#[tokio::test]
async fn thresholds_come_from_gcm_review_internal_and_gcm_review_external() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_REVIEW_INTERNAL", "0"),
            ("GCM_REVIEW_EXTERNAL", "1"),
        ],
    )
    .await;
    let id = submit(&server, &cast.contributor, "One expert suffices here").await;
    assert_eq!(
        decide_ok(&server, &cast.external[0], &id, "APPROVE").await,
        "PUBLISHED"
    );
}

#[tokio::test]
async fn rejections_splits_conflicts_and_requested_changes_follow_the_rules() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let extra = create_key(&db, "expert-5", "reviewer", "external");
    let server = TestServer::start(BIN, db.url()).await;
    let [e1, e2, e3, e4] = [
        &cast.external[0],
        &cast.external[1],
        &cast.external[2],
        &cast.external[3],
    ];

    // A lone rejection rejects.
    let id = submit(&server, &cast.contributor, "Rejected at once").await;
    assert_eq!(decide_ok(&server, e1, &id, "REJECT").await, "REJECTED");

    // A split asks for one more approving reviewer per rejection.
    let id = submit(&server, &cast.contributor, "Split decision").await;
    assert_eq!(
        decide_ok(&server, &cast.internal, &id, "APPROVE").await,
        "UNDER_REVIEW"
    );
    assert_eq!(decide_ok(&server, e1, &id, "REJECT").await, "UNDER_REVIEW");
    assert_eq!(decide_ok(&server, e2, &id, "APPROVE").await, "UNDER_REVIEW");
    assert_eq!(
        decide_ok(&server, e3, &id, "APPROVE").await,
        "UNDER_REVIEW",
        "thresholds met, but the rejection is not yet answered"
    );
    assert_eq!(decide_ok(&server, e4, &id, "APPROVE").await, "PUBLISHED");

    // A split tipped by a further rejection is rejected.
    let id = submit(&server, &cast.contributor, "Split then rejected").await;
    assert_eq!(decide_ok(&server, e1, &id, "APPROVE").await, "UNDER_REVIEW");
    assert_eq!(decide_ok(&server, e2, &id, "REJECT").await, "UNDER_REVIEW");
    assert_eq!(decide_ok(&server, e3, &id, "REJECT").await, "REJECTED");

    // A declared conflict bars the reviewer; others go on.
    let id = submit(&server, &cast.contributor, "Conflicted").await;
    let conflict = "mutation($id: ID!) { declareConflict(id: $id) { status } }";
    let declared = data(&server, Some(e1), conflict, json!({ "id": id })).await;
    assert_eq!(declared["declareConflict"]["status"], "UNDER_REVIEW");
    assert_code(&decide(&server, e1, &id, "APPROVE").await, "FORBIDDEN");
    assert_eq!(
        decide_ok(&server, &extra, &id, "APPROVE").await,
        "UNDER_REVIEW"
    );

    // Requested changes: the contributor updates, the review starts over (a new round).
    let id = submit(&server, &cast.contributor, "Needs work").await;
    assert_eq!(
        decide_ok(&server, &cast.internal, &id, "APPROVE").await,
        "UNDER_REVIEW"
    );
    assert_eq!(
        decide_ok(&server, e1, &id, "REQUEST_CHANGES").await,
        "CHANGES_REQUESTED"
    );
    assert_code(&decide(&server, e2, &id, "APPROVE").await, "BAD_USER_INPUT");
    let update = format!(
        "mutation($id: ID!, $input: UpdateSubmissionInput!) {{ updateSubmission(id: $id, input: $input) {{ {SUBMISSION_FIELDS} }} }}"
    );
    let mut input = resource_input("Needs work, reworked");
    input["countries"] = json!([]);
    let updated = data(
        &server,
        Some(&cast.contributor),
        &update,
        json!({ "id": id, "input": input }),
    )
    .await;
    assert_eq!(updated["updateSubmission"]["status"], "UNDER_REVIEW");
    assert_eq!(updated["updateSubmission"]["round"], 2);
    assert_eq!(
        updated["updateSubmission"]["item"]["title"],
        "Needs work, reworked"
    );
    // Round 1's internal approval no longer counts: two externals do not publish.
    assert_eq!(decide_ok(&server, e2, &id, "APPROVE").await, "UNDER_REVIEW");
    assert_eq!(decide_ok(&server, e3, &id, "APPROVE").await, "UNDER_REVIEW");
    assert_eq!(
        decide_ok(&server, &cast.internal, &id, "APPROVE").await,
        "PUBLISHED"
    );

    // Fields of another kind are refused on update, with their path.
    let id = submit(&server, &cast.contributor, "Wrong kind of field").await;
    let mut input = resource_input("Wrong kind of field");
    input["city"] = json!("Lima");
    let body = call(
        &server,
        Some(&cast.contributor),
        &update,
        json!({ "id": id, "input": input }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["problems"][0]["path"],
        json!(["input", "city"])
    );

    // Withdrawn: closed for everyone.
    let withdraw = "mutation($id: ID!) { withdrawSubmission(id: $id) { status } }";
    let done = data(
        &server,
        Some(&cast.contributor),
        withdraw,
        json!({ "id": id }),
    )
    .await;
    assert_eq!(done["withdrawSubmission"]["status"], "WITHDRAWN");
    assert_code(&decide(&server, e1, &id, "APPROVE").await, "BAD_USER_INPUT");
    let body = call(
        &server,
        Some(&cast.contributor),
        &update,
        json!({ "id": id, "input": resource_input("again") }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");
    let unknown = decide(&server, e1, "U3VibWlzc2lvbjo5OTk5", "APPROVE").await;
    assert_code(&unknown, "NOT_FOUND");
}

#[tokio::test]
async fn admins_retract_and_restore_items_and_every_change_is_in_the_audit_log() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;

    let id = submit(&server, &cast.contributor, "To be retracted").await;
    decide_ok(&server, &cast.internal, &id, "APPROVE").await;
    decide_ok(&server, &cast.external[0], &id, "APPROVE").await;
    let published = decide(&server, &cast.external[1], &id, "APPROVE").await;
    let item_id = published["data"]["reviewSubmission"]["item"]["id"]
        .as_str()
        .expect("item id")
        .to_owned();
    assert!(!public_node(&server, &item_id).await.is_null());

    let before = catalogue_version(&db).await;
    let retract =
        "mutation($id: ID!, $reason: String!) { retractItem(id: $id, reason: $reason) { id } }";
    let body = call(
        &server,
        Some(&cast.admin),
        retract,
        json!({ "id": item_id, "reason": "" }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");
    data(
        &server,
        Some(&cast.admin),
        retract,
        json!({ "id": item_id, "reason": "broken link" }),
    )
    .await;
    assert!(
        public_node(&server, &item_id).await.is_null(),
        "retracted item still public"
    );
    assert!(catalogue_version(&db).await > before);
    let status = data(
        &server,
        Some(&cast.contributor),
        "query($id: ID!) { submission(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(status["submission"]["status"], "RETRACTED");
    let body = call(
        &server,
        Some(&cast.admin),
        retract,
        json!({ "id": item_id, "reason": "again" }),
    )
    .await;
    assert_code(&body, "BAD_USER_INPUT");

    let restore = "mutation($id: ID!) { restoreItem(id: $id) { id } }";
    let retracted_version = catalogue_version(&db).await;
    data(
        &server,
        Some(&cast.admin),
        restore,
        json!({ "id": item_id }),
    )
    .await;
    assert!(
        !public_node(&server, &item_id).await.is_null(),
        "restored item not public"
    );
    assert!(catalogue_version(&db).await > retracted_version);

    // The trail: who, what, when, before and after, in order, paginated and filtered.
    // The trail is a Relay connection like every other list: edges, pageInfo, totalCount.
    let log = "query AuditTrail($after: String, $filter: AuditFilter) {
        auditLog(first: 3, after: $after, filter: $filter) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { ...Entry } }
        } }
        fragment Entry on AuditEntry { cursor actor action subject at before after }";
    let mut entries = Vec::new();
    let mut after = serde_json::Value::Null;
    let mut total = None;
    loop {
        let page = data(&server, Some(&cast.admin), log, json!({ "after": after })).await;
        let connection = &page["auditLog"];
        let edges = connection["edges"].as_array().expect("edges");
        assert!(edges.iter().all(|e| e["cursor"] == e["node"]["cursor"]));
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], !after.is_null());
        entries.extend(edges.iter().map(|e| e["node"].clone()));
        let count = connection["totalCount"].as_i64().expect("totalCount");
        assert_eq!(*total.get_or_insert(count), count, "totalCount changed");
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(Some(entries.len() as i64), total);
    // The earlier shape still answers, deprecated.
    let old = data(
        &server,
        Some(&cast.admin),
        "{ auditLog(first: 3) { entries { action } hasNextPage endCursor } }",
        json!({}),
    )
    .await;
    assert_eq!(
        old["auditLog"]["entries"][0]["action"],
        entries[0]["action"]
    );
    assert_eq!(old["auditLog"]["hasNextPage"], true);
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "key.create").count(), 8);
    let tail: Vec<&str> = actions.iter().copied().skip(8).collect();
    assert_eq!(
        tail,
        [
            "submission.submit_resource",
            "submission.review.approve",
            "submission.review.approve",
            "submission.review.approve",
            "item.retract",
            "item.restore",
        ]
    );
    let retraction = &entries[12];
    assert_eq!(retraction["actor"], "hub-admin");
    assert_eq!(retraction["before"]["status"], "published");
    assert_eq!(retraction["after"]["status"], "retracted");
    assert_eq!(retraction["after"]["reason"], "broken link");
    let publishing = &entries[11];
    assert_eq!(publishing["actor"], "expert-2");
    assert_eq!(publishing["before"]["status"], "under_review");
    assert_eq!(publishing["after"]["status"], "published");

    let filtered = data(
        &server,
        Some(&cast.admin),
        log,
        json!({ "filter": { "subject": retraction["subject"], "actor": "hub-admin" } }),
    )
    .await;
    assert_eq!(filtered["auditLog"]["totalCount"], 2, "{filtered:#}");
    let filtered = filtered["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(filtered.len(), 2);

    // Append-only: the database refuses to change or remove a record.
    let client = db.client().await;
    assert!(
        client
            .execute("UPDATE audit_log SET actor_name = 'x'", &[])
            .await
            .is_err()
    );
    assert!(client.execute("DELETE FROM audit_log", &[]).await.is_err());
}

#[tokio::test]
async fn admins_edit_an_items_links_with_every_problem_at_its_path_and_an_audit_record() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let admin = create_key(&db, "hub-admin", "admin", "internal");
    let contributor = create_key(&db, "c", "contributor", "external");
    let server = TestServer::start(BIN, db.url()).await;
    let client = db.client().await;
    let guidance: String = client
        .query_one(
            "SELECT slug FROM guidance_sources WHERE objective_number = 22 ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .expect("a guidance source")
        .get(0);
    let item_id = data(
        &server,
        None,
        "{ resources(first: 1) { nodes { id } } }",
        json!({}),
    )
    .await["resources"]["nodes"][0]["id"]
        .as_str()
        .expect("a resource")
        .to_owned();
    let set = "mutation($id: ID!, $links: ItemLinksInput!) { setItemLinks(id: $id, links: $links) {
        objectives { number } actions { code } guidanceSources { slug } countries { iso3 } regions { slug } } }";

    let refused = call(
        &server,
        Some(&contributor),
        set,
        json!({ "id": item_id, "links": { "objectives": [22] } }),
    )
    .await;
    assert_code(&refused, "FORBIDDEN");
    let bad = call(
        &server,
        Some(&admin),
        set,
        json!({ "id": item_id, "links": { "objectives": [], "actions": ["22z", "x"], "guidanceSources": ["nope"],
                                          "countries": ["ZZZ"], "regions": ["Bad Slug"] } }),
    )
    .await;
    assert_code(&bad, "BAD_USER_INPUT");
    let paths: Vec<serde_json::Value> = bad["errors"][0]["extensions"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].clone())
        .collect();
    assert_eq!(
        paths,
        [
            json!(["input", "objectives"]),
            json!(["input", "actions", 0]),
            json!(["input", "actions", 1]),
            json!(["input", "guidanceSources", 0]),
            json!(["input", "countries", 0]),
            json!(["input", "regions", 0]),
        ]
    );

    let version = catalogue_version(&db).await;
    // A global item with a country: refused by the importer's rule, so that the export
    // of a curated catalogue still imports.
    let global_with_country = call(
        &server,
        Some(&admin),
        set,
        json!({ "id": item_id, "links": { "countries": ["PER"] } }),
    )
    .await;
    assert_code(&global_with_country, "BAD_USER_INPUT");
    assert_eq!(
        global_with_country["errors"][0]["extensions"]["problems"][0]["path"],
        json!(["input", "countries"])
    );
    let links = json!({ "objectives": [22, 6], "actions": ["22b"], "guidanceSources": [guidance],
                        "countries": ["PER"], "regions": ["americas"], "scope": "REGIONAL" });
    let item = data(
        &server,
        Some(&admin),
        set,
        json!({ "id": item_id, "links": links }),
    )
    .await["setItemLinks"]
        .clone();
    assert_eq!(
        item["objectives"],
        json!([{ "number": 6 }, { "number": 22 }])
    );
    assert_eq!(item["actions"], json!([{ "code": "22b" }]));
    assert_eq!(item["guidanceSources"], json!([{ "slug": guidance }]));
    assert_eq!(item["countries"], json!([{ "iso3": "PER" }]));
    assert_eq!(item["regions"], json!([{ "slug": "americas" }]));
    assert!(catalogue_version(&db).await > version);
    // An omitted list is kept.
    let kept = data(
        &server,
        Some(&admin),
        set,
        json!({ "id": item_id, "links": { "countries": [] } }),
    )
    .await;
    assert_eq!(kept["setItemLinks"]["countries"], json!([]));
    assert_eq!(kept["setItemLinks"]["actions"], json!([{ "code": "22b" }]));
    let regional_without_region = call(
        &server,
        Some(&admin),
        set,
        json!({ "id": item_id, "links": { "regions": [] } }),
    )
    .await;
    assert_code(&regional_without_region, "BAD_USER_INPUT");
    assert_eq!(
        regional_without_region["errors"][0]["extensions"]["problems"][0]["path"],
        json!(["input", "regions"])
    );

    let log = data(
        &server,
        Some(&admin),
        "{ auditLog(filter: { action: \"item.set_links\" }) { entries { actor before after } } }",
        json!({}),
    )
    .await;
    let entries = log["auditLog"]["entries"]
        .as_array()
        .expect("entries")
        .clone();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["actor"], "hub-admin");
    assert_eq!(entries[0]["after"]["countries"], json!(["PER"]));
    assert_eq!(
        (
            &entries[0]["before"]["scope"],
            &entries[0]["after"]["scope"]
        ),
        (&json!("global"), &json!("regional"))
    );
    assert_eq!(entries[1]["before"]["countries"], json!(["PER"]));
    assert_eq!(entries[1]["after"]["countries"], json!([]));
}

/// The `problems` of a refused curation call: (path, message) pairs.
fn problems(body: &serde_json::Value) -> Vec<(serde_json::Value, String)> {
    body["errors"][0]["extensions"]["problems"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["path"].clone(),
                        p["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts `body` is one `BAD_USER_INPUT` whose only problem is at `path`; returns its message.
fn refused_at(body: &serde_json::Value, path: serde_json::Value) -> String {
    assert_code(body, "BAD_USER_INPUT");
    let found = problems(body);
    assert_eq!(
        found.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        vec![path],
        "{body:#}"
    );
    found[0].1.clone()
}

const SUBMIT_EVENT: &str =
    "mutation($input: SubmitEventInput!) { submitEvent(input: $input) { id item { title } } }";

fn event_input() -> serde_json::Value {
    json!({ "title": "Forum", "summary": "A regional forum.", "objectives": [23],
            "country": "PER", "city": "Lima", "startsOn": "2026-05-01", "endsOn": "2026-05-02" })
}

async fn rows(db: &TestDatabase) -> (i64, i64, i64) {
    (
        db.scalar("SELECT count(*) FROM items").await,
        db.scalar("SELECT count(*) FROM submissions").await,
        db.scalar("SELECT count(*) FROM audit_log").await,
    )
}

/// A NUL in any text of any curation call is the contributor's error, at its input path,
/// checked before SQL (by `gcm_domain::text`), and written nowhere.
#[tokio::test]
async fn a_nul_in_submitted_text_is_bad_input_and_writes_nothing() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let submission = submit(&server, &cast.contributor, "A valid handbook").await;
    let before = rows(&db).await;
    let nul = "before\u{0}after";
    let resource_fields: [(&str, serde_json::Value, serde_json::Value); 9] = [
        ("title", json!(nul), json!(["input", "title"])),
        ("summary", json!(nul), json!(["input", "summary"])),
        (
            "url",
            json!(format!("https://example.org/{nul}")),
            json!(["input", "url"]),
        ),
        ("organisation", json!(nul), json!(["input", "organisation"])),
        ("documentType", json!(nul), json!(["input", "documentType"])),
        ("language", json!("e\u{0}"), json!(["input", "language"])),
        (
            "principles",
            json!([nul]),
            json!(["input", "principles", 0]),
        ),
        ("regions", json!([nul]), json!(["input", "regions", 0])),
        (
            "countries",
            json!(["P\u{0}R"]),
            json!(["input", "countries", 0]),
        ),
    ];
    for (field, value, path) in &resource_fields {
        let mut input = resource_input("A title");
        input[*field] = value.clone();
        let body = call(
            &server,
            Some(&cast.contributor),
            &submit_resource(),
            json!({ "input": input }),
        )
        .await;
        refused_at(&body, path.clone());
        // The same input as an update of an open submission.
        let mut update = input.clone();
        update["section"] = json!("DOCUMENTS");
        let body = call(
            &server,
            Some(&cast.contributor),
            "mutation($id: ID!, $input: UpdateSubmissionInput!) { updateSubmission(id: $id, input: $input) { id } }",
            json!({ "id": submission, "input": update }),
        )
        .await;
        refused_at(&body, path.clone());
    }
    for (field, value) in [("city", json!(nul)), ("country", json!("P\u{0}R"))] {
        let mut input = event_input();
        input[field] = value;
        let body = call(
            &server,
            Some(&cast.contributor),
            SUBMIT_EVENT,
            json!({ "input": input }),
        )
        .await;
        refused_at(&body, json!(["input", field]));
    }
    let body = call(
        &server,
        Some(&cast.internal),
        &review(),
        json!({
            "id": submission,
            "revision": revision_of(&server, &cast.internal, &submission).await,
            "decision": "APPROVE",
            "comment": nul,
        }),
    )
    .await;
    refused_at(&body, json!(["input", "comment"]));
    let item = public_item_id();
    let body = call(
        &server,
        Some(&cast.admin),
        "mutation($id: ID!, $reason: String!) { retractItem(id: $id, reason: $reason) { id } }",
        json!({ "id": item, "reason": nul }),
    )
    .await;
    refused_at(&body, json!(["input", "reason"]));
    for list in ["actions", "guidanceSources", "countries", "regions"] {
        let body = call(
            &server,
            Some(&cast.admin),
            "mutation($id: ID!, $links: ItemLinksInput!) { setItemLinks(id: $id, links: $links) { id } }",
            json!({ "id": item, "links": { list: [nul] } }),
        )
        .await;
        refused_at(&body, json!(["input", list, 0]));
    }
    assert_eq!(before, rows(&db).await, "nothing written");
}

/// The id of a published resource of the bundled catalogue.
fn public_item_id() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("Resource:obj22-document-01-issa-handbook-social-security-migrant-workers")
}

/// The text rule's refusals, each at its input path and written nowhere: a forged
/// highlight, invisible titles, an event in 1850, addresses that are not http(s).
#[tokio::test]
async fn markers_invisible_titles_old_dates_and_bad_urls_are_refused() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let contributor = create_key(&db, "c", "contributor", "external");
    let server = TestServer::start(BIN, db.url()).await;
    let before = rows(&db).await;
    let send = async |mutation: &str, input: serde_json::Value| {
        call(
            &server,
            Some(&contributor),
            mutation,
            json!({ "input": input }),
        )
        .await
    };

    // A summary cannot forge the `<mark>` of search snippets.
    for marker in ["\u{E000}", "\u{E001}"] {
        let mut input = resource_input("A title");
        input["summary"] = json!(format!("See {marker}this{marker} now."));
        let message = refused_at(
            &send(&submit_resource(), input).await,
            json!(["input", "summary"]),
        );
        assert!(message.contains("search highlights"), "{message}");
        assert!(
            !message.contains("See"),
            "the value is not repeated: {message}"
        );
    }
    // Titles of nothing visible.
    for invisible in ["\u{200B}", "\u{3164}\u{A0}", "\u{FEFF} \u{2060}"] {
        let message = refused_at(
            &send(&submit_resource(), resource_input(invisible)).await,
            json!(["input", "title"]),
        );
        assert_eq!(message, "must not be empty");
    }
    // Dates from 1900 to 2100.
    let mut event = event_input();
    event["startsOn"] = json!("1850-05-01");
    let message = refused_at(
        &send(SUBMIT_EVENT, event).await,
        json!(["input", "startsOn"]),
    );
    assert!(message.contains("1900 to 2100"), "{message}");
    let mut resource = resource_input("A title");
    resource["publishedOn"] = json!("2101-01-01");
    refused_at(
        &send(&submit_resource(), resource).await,
        json!(["input", "publishedOn"]),
    );
    // Web addresses: http(s) with a host, nothing a browser would rewrite.
    for url in [
        "javascript:alert(1)",
        "https://example.org/a handbook",
        "https://",
        "https://example.org/\u{85}",
    ] {
        let mut input = resource_input("A title");
        input["url"] = json!(url);
        refused_at(
            &send(&submit_resource(), input).await,
            json!(["input", "url"]),
        );
    }
    // A carriage return: a summary may hold one, a title may not.
    let mut input = resource_input("A title\r");
    input["summary"] = json!("Line one.\r\nLine two.");
    refused_at(
        &send(&submit_resource(), input).await,
        json!(["input", "title"]),
    );
    assert_eq!(before, rows(&db).await, "nothing written");
}

/// Text is stored in NFC: "é" sent as e + U+0301 is read back as U+00E9, in the item,
/// the stored input and what the public API answers.
#[tokio::test]
async fn a_decomposed_title_is_stored_and_read_back_composed() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let contributor = create_key(&db, "c", "contributor", "external");
    let server = TestServer::start(BIN, db.url()).await;
    let mut input = resource_input("Re\u{301}sume\u{301} of the handbook");
    input["summary"] = json!("Cafe\u{301} culture.");
    let body = data(
        &server,
        Some(&contributor),
        &submit_resource(),
        json!({ "input": input }),
    )
    .await;
    assert_eq!(
        body["submitResource"]["item"]["title"],
        "R\u{e9}sum\u{e9} of the handbook"
    );
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT i.title, i.summary, s.input->>'title', i.source->>'summary' \
             FROM items i JOIN submissions s ON s.item_id = i.id",
            &[],
        )
        .await
        .expect("the stored item");
    let (title, summary, input_title, source_summary): (String, String, String, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(title, "R\u{e9}sum\u{e9} of the handbook");
    assert_eq!(input_title, title);
    assert_eq!(summary, "Caf\u{e9} culture.");
    assert_eq!(source_summary, summary);
}
