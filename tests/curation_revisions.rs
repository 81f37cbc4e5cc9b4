//! Reviews bound to what was reviewed (issue 20), end to end as a client sees it: a review
//! names the revision it read and a stale one is a `CONFLICT` that writes nothing; an update
//! discards the approvals of the content it replaced; a declared conflict withdraws the
//! reviewer's own review; a revoked key's pending approvals stop counting; contributors
//! see decisions and comments, and reviewers' names only for public keys.

mod curation_support;

use curation_support::*;
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

fn update_query() -> String {
    format!(
        "mutation($id: ID!, $input: UpdateSubmissionInput!) {{ updateSubmission(id: $id, input: $input) {{ {SUBMISSION_FIELDS} }} }}"
    )
}

/// Replaces the submission's content as its contributor; returns the new revision.
async fn update(server: &TestServer, key: &str, id: &str, title: &str) -> i64 {
    let body = data(
        server,
        Some(key),
        &update_query(),
        json!({ "id": id, "input": resource_input(title) }),
    )
    .await;
    assert_eq!(body["updateSubmission"]["status"], "UNDER_REVIEW");
    body["updateSubmission"]["revision"]
        .as_i64()
        .expect("a revision")
}

/// The whole audit trail, oldest first, as an admin reads it.
async fn audit_entries(server: &TestServer, admin: &str) -> Vec<Value> {
    let log = "query($after: String) { auditLog(first: 100, after: $after) {
        entries { actor action subject before after } hasNextPage endCursor } }";
    let mut entries = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = data(server, Some(admin), log, json!({ "after": after })).await;
        entries.extend(
            page["auditLog"]["entries"]
                .as_array()
                .expect("entries")
                .clone(),
        );
        if page["auditLog"]["hasNextPage"] != true {
            return entries;
        }
        after = page["auditLog"]["endCursor"].clone();
    }
}

/// The submission as `key` reads it (its status, revision, reviews and item).
async fn read(server: &TestServer, key: &str, id: &str) -> Value {
    data(
        server,
        Some(key),
        &format!("query($id: ID!) {{ submission(id: $id) {{ {SUBMISSION_FIELDS} }} }}"),
        json!({ "id": id }),
    )
    .await["submission"]
        .clone()
}

fn reviewers(submission: &Value) -> Vec<Value> {
    submission["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|r| r["reviewer"].clone())
        .collect()
}

fn item_id(submission: &Value) -> String {
    submission["item"]["id"]
        .as_str()
        .expect("an item id")
        .to_owned()
}

#[tokio::test]
async fn a_review_of_a_stale_revision_is_a_conflict_and_writes_nothing() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;

    let id = submit(&server, &cast.contributor, "Handbook, first draft").await;
    let submitted = read(&server, &cast.internal, &id).await;
    assert_eq!(submitted["revision"], 1);
    assert_eq!(
        update(&server, &cast.contributor, &id, "Handbook, second draft").await,
        2
    );

    let log_before = audit_entries(&server, &cast.admin).await;
    let version = catalogue_version(&db).await;
    for stale in [1, 3, 0] {
        let body = decide_at(&server, &cast.internal, &id, stale, "APPROVE").await;
        assert_code(&body, "CONFLICT");
        assert_eq!(body["errors"][0]["extensions"]["currentRevision"], 2);
        assert!(body["data"].is_null(), "{body:#}");
    }
    // Nothing was written: no review, no audit record, the same status and version.
    let after = read(&server, &cast.internal, &id).await;
    assert_eq!(after["status"], "UNDER_REVIEW");
    assert_eq!(after["reviews"], json!([]));
    assert_eq!(audit_entries(&server, &cast.admin).await, log_before);
    assert_eq!(catalogue_version(&db).await, version);
    let stored: i64 = db
        .client()
        .await
        .query_one("SELECT count(*) FROM reviews", &[])
        .await
        .expect("query")
        .get(0);
    assert_eq!(stored, 0);

    // The current revision is reviewed, and the reviewer cannot decide twice.
    let body = decide_at(&server, &cast.internal, &id, 2, "APPROVE").await;
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_eq!(body["data"]["reviewSubmission"]["revision"], 2);
    assert_code(
        &decide_at(&server, &cast.internal, &id, 2, "APPROVE").await,
        "BAD_USER_INPUT",
    );
}

#[tokio::test]
async fn an_update_between_two_reviewers_discards_the_first_approval() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    // Two external approvals publish: each test below turns on one approval too few.
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_REVIEW_INTERNAL", "0"),
            ("GCM_REVIEW_EXTERNAL", "2"),
        ],
    )
    .await;
    let [e1, e2, e3] = [&cast.external[0], &cast.external[1], &cast.external[2]];

    let id = submit(&server, &cast.contributor, "Remittance costs, v1").await;
    // Both reviewers read revision 1; the first approves it.
    let seen_by_e2 = revision_of(&server, e2, &id).await;
    assert_eq!(decide_ok(&server, e1, &id, "APPROVE").await, "UNDER_REVIEW");
    // The contributor changes the content between the two reviews.
    assert_eq!(
        update(&server, &cast.contributor, &id, "Remittance costs, v2").await,
        2
    );
    // The second reviewer's approval of what they read (v1) is refused: v2 is not
    // published on approvals given to v1.
    let late = decide_at(&server, e2, &id, seen_by_e2, "APPROVE").await;
    assert_code(&late, "CONFLICT");
    assert_eq!(late["errors"][0]["extensions"]["currentRevision"], 2);
    let now = read(&server, e2, &id).await;
    assert_eq!(now["status"], "UNDER_REVIEW");
    let item = item_id(&now);
    assert!(public_node(&server, &item).await.is_null());

    // Reading v2 and approving it is one approval: v1's no longer counts.
    assert_eq!(decide_ok(&server, e2, &id, "APPROVE").await, "UNDER_REVIEW");
    assert!(
        public_node(&server, &item).await.is_null(),
        "published on one approval of v2"
    );
    let now = read(&server, e3, &id).await;
    let rounds: Vec<&Value> = now["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|r| &r["round"])
        .collect();
    assert_eq!(rounds, [&json!(1), &json!(2)], "{now:#}");

    // The trail says the update discarded one review.
    let log = audit_entries(&server, &cast.admin).await;
    let updated = log
        .iter()
        .find(|e| e["action"] == "submission.update")
        .expect("an update record");
    assert_eq!(updated["before"]["round"], 1);
    assert_eq!(updated["after"]["round"], 2);
    assert_eq!(updated["after"]["discardedReviews"], 1);

    // A second approval of v2 publishes v2.
    assert_eq!(decide_ok(&server, e3, &id, "APPROVE").await, "PUBLISHED");
    let node = public_node(&server, &item).await;
    assert_eq!(node["title"], "Remittance costs, v2");
}

#[tokio::test]
async fn declaring_a_conflict_withdraws_the_reviewers_own_review_and_decides_again() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let [e1, e2, e3] = [&cast.external[0], &cast.external[1], &cast.external[2]];
    let conflict =
        "mutation($id: ID!) { declareConflict(id: $id) { status reviews { reviewer decision } } }";

    // Approve, then declare a conflict: the approval is gone.
    let id = submit(&server, &cast.contributor, "Approved, then conflicted").await;
    decide_ok(&server, &cast.internal, &id, "APPROVE").await;
    decide_ok(&server, e1, &id, "APPROVE").await;
    let declared = data(&server, Some(e1), conflict, json!({ "id": id })).await;
    assert_eq!(declared["declareConflict"]["status"], "UNDER_REVIEW");
    assert_eq!(
        declared["declareConflict"]["reviews"],
        json!([{ "reviewer": "un-reviewer", "decision": "APPROVE" }])
    );
    // One more external approval is not enough any more: the withdrawn one does not count.
    assert_eq!(decide_ok(&server, e2, &id, "APPROVE").await, "UNDER_REVIEW");
    assert_eq!(decide_ok(&server, e3, &id, "APPROVE").await, "PUBLISHED");
    assert_eq!(
        reviewers(&read(&server, &cast.admin, &id).await),
        [json!("un-reviewer"), json!("expert-2"), json!("expert-3")]
    );
    let log = audit_entries(&server, &cast.admin).await;
    let subject = log
        .iter()
        .find(|e| e["action"] == "submission.declare_conflict")
        .expect("a conflict record")["subject"]
        .clone();
    let withdrawal = log
        .iter()
        .find(|e| e["action"] == "submission.review.withdraw" && e["subject"] == subject)
        .expect("a withdrawal record");
    assert_eq!(withdrawal["actor"], "expert-1");
    assert_eq!(withdrawal["after"]["withdrawn"]["reviewer"], "expert-1");
    assert_eq!(withdrawal["after"]["withdrawn"]["decision"], "approve");
    assert_eq!(withdrawal["after"]["withdrawn"]["reason"], "conflict");
    assert_eq!(withdrawal["after"]["status"], "under_review");

    // A request for changes withdrawn the same way sends the submission back to review.
    let id = submit(&server, &cast.contributor, "Changes asked, then conflicted").await;
    assert_eq!(
        decide_ok(&server, e1, &id, "REQUEST_CHANGES").await,
        "CHANGES_REQUESTED"
    );
    let declared = data(&server, Some(e1), conflict, json!({ "id": id })).await;
    assert_eq!(declared["declareConflict"]["status"], "UNDER_REVIEW");
    assert_eq!(declared["declareConflict"]["reviews"], json!([]));
    assert_code(&decide(&server, e1, &id, "APPROVE").await, "FORBIDDEN");

    // A decided submission keeps its reviews.
    let published = submit(&server, &cast.contributor, "Published, then conflicted").await;
    decide_ok(&server, &cast.internal, &published, "APPROVE").await;
    decide_ok(&server, e1, &published, "APPROVE").await;
    decide_ok(&server, e2, &published, "APPROVE").await;
    let declared = data(&server, Some(e1), conflict, json!({ "id": published })).await;
    assert_eq!(declared["declareConflict"]["status"], "PUBLISHED");
    assert_eq!(
        declared["declareConflict"]["reviews"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[tokio::test]
async fn revoking_a_key_withdraws_its_pending_approvals_and_published_items_stay_published() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let [e1, e2, e3] = [&cast.external[0], &cast.external[1], &cast.external[2]];

    let done = submit(
        &server,
        &cast.contributor,
        "Published before the revocation",
    )
    .await;
    decide_ok(&server, &cast.internal, &done, "APPROVE").await;
    decide_ok(&server, e1, &done, "APPROVE").await;
    assert_eq!(decide_ok(&server, e2, &done, "APPROVE").await, "PUBLISHED");
    let done_item = item_id(&read(&server, &cast.admin, &done).await);

    let pending = submit(&server, &cast.contributor, "Pending at the revocation").await;
    decide_ok(&server, &cast.internal, &pending, "APPROVE").await;
    assert_eq!(
        decide_ok(&server, e1, &pending, "APPROVE").await,
        "UNDER_REVIEW"
    );

    let revoke = keys_cli(&db, &["revoke", "expert-1"]);
    assert!(revoke.status.success(), "{revoke:?}");

    // The published item stays published, with its reviews.
    let after = read(&server, &cast.admin, &done).await;
    assert_eq!(after["status"], "PUBLISHED");
    assert_eq!(reviewers(&after).len(), 3);
    assert!(!public_node(&server, &done_item).await.is_null());

    // The pending approval no longer counts: one more external approval does not publish.
    let after = read(&server, &cast.admin, &pending).await;
    assert_eq!(after["status"], "UNDER_REVIEW");
    assert_eq!(reviewers(&after), [json!("un-reviewer")]);
    assert_eq!(
        decide_ok(&server, e2, &pending, "APPROVE").await,
        "UNDER_REVIEW"
    );
    assert_eq!(
        decide_ok(&server, e3, &pending, "APPROVE").await,
        "PUBLISHED"
    );

    let log = audit_entries(&server, &cast.admin).await;
    let revoked = log
        .iter()
        .find(|e| e["action"] == "key.revoke")
        .expect("a revocation record");
    assert_eq!(revoked["subject"], "ApiKey:expert-1");
    assert_eq!(revoked["after"]["withdrawnApprovals"], 1);
    let withdrawals: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "submission.review.withdraw")
        .collect();
    assert_eq!(withdrawals.len(), 1, "{withdrawals:#?}");
    assert_eq!(withdrawals[0]["actor"], "operator (command line)");
    assert_eq!(withdrawals[0]["after"]["withdrawn"]["reviewer"], "expert-1");
    assert_eq!(
        withdrawals[0]["after"]["withdrawn"]["reason"],
        "key_revoked"
    );
    // The revoked key can do nothing more.
    assert_code(
        &decide(&server, e1, &pending, "APPROVE").await,
        "UNAUTHENTICATED",
    );
}

#[tokio::test]
async fn contributors_see_decisions_and_comments_and_only_public_reviewers_names() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let named = create_key_with(&db, "named-expert", "reviewer", "external", &["--public"]);
    let listed = String::from_utf8(keys_cli(&db, &["list"]).stdout).expect("utf-8");
    let line = listed
        .lines()
        .find(|l| l.starts_with("named-expert\t"))
        .expect("the public key is listed");
    assert!(line.ends_with("\tpublic"), "{listed}");
    assert!(
        listed
            .lines()
            .filter(|l| l.starts_with("expert-1\t"))
            .all(|l| !l.contains("public")),
        "{listed}"
    );
    let server = TestServer::start(BIN, db.url()).await;

    let id = submit(&server, &cast.contributor, "Who reviewed this?").await;
    decide_ok(&server, &cast.external[0], &id, "APPROVE").await;
    decide_ok(&server, &named, &id, "APPROVE").await;

    let expected_names = [json!("expert-1"), json!("named-expert")];
    // The contributor: decisions and comments, a name only for the public key.
    for query in [
        format!("query($id: ID!) {{ submission(id: $id) {{ {SUBMISSION_FIELDS} }} }}"),
        format!("{{ mySubmissions {{ nodes {{ {SUBMISSION_FIELDS} }} }} }}"),
    ] {
        let body = data(
            &server,
            Some(&cast.contributor),
            &query,
            json!({ "id": id }),
        )
        .await;
        let submission = if body["submission"].is_null() {
            body["mySubmissions"]["nodes"][0].clone()
        } else {
            body["submission"].clone()
        };
        assert_eq!(reviewers(&submission), [Value::Null, json!("named-expert")]);
        let reviews = submission["reviews"].as_array().expect("reviews");
        for review in reviews {
            assert_eq!(review["decision"], "APPROVE");
            assert_eq!(review["comment"], "APPROVE by test");
            assert_eq!(review["affiliation"], "EXTERNAL");
        }
    }
    // Reviewers and admins see every name.
    assert_eq!(
        reviewers(&read(&server, &cast.external[1], &id).await),
        expected_names
    );
    assert_eq!(
        reviewers(&read(&server, &cast.admin, &id).await),
        expected_names
    );
    let queue = data(
        &server,
        Some(&cast.external[1]),
        "{ reviewQueue { nodes { reviews { reviewer } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        queue["reviewQueue"]["nodes"][0]["reviews"],
        json!([{ "reviewer": "expert-1" }, { "reviewer": "named-expert" }])
    );
}
