//! Concurrency: reviews and updates of one submission sent at the same moment, many
//! times over, always end in a state one serial order of the successful requests explains.

mod curation_support;

use curation_support::*;
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

const ROUNDS: usize = 15;
/// Rounds run at most until both orders of a race were seen: a race test that never saw
/// both did not test a race, and fails.
const MAX_ROUNDS: usize = 120;

/// Whether to run another round: at least [`ROUNDS`], then until both orders were seen.
fn another_round(round: usize, orders: (usize, usize)) -> bool {
    round < ROUNDS || (round < MAX_ROUNDS && (orders.0 == 0 || orders.1 == 0))
}

fn assert_both_orders(names: (&str, &str), orders: (usize, usize)) {
    eprintln!("{}: {}, {}: {}", names.0, orders.0, names.1, orders.1);
    assert!(
        orders.0 > 0 && orders.1 > 0,
        "the race never happened both ways in {MAX_ROUNDS} rounds: {}: {}, {}: {}",
        names.0,
        orders.0,
        names.1,
        orders.1
    );
}

fn succeeded(body: &Value) -> bool {
    body.get("errors").is_none()
}

async fn status(server: &TestServer, key: &str, id: &str) -> (String, i64) {
    let data = data(
        server,
        Some(key),
        "query($id: ID!) { submission(id: $id) { status round } }",
        json!({ "id": id }),
    )
    .await;
    (
        data["submission"]["status"]
            .as_str()
            .expect("status")
            .to_owned(),
        data["submission"]["round"].as_i64().expect("round"),
    )
}

/// The item's status always mirrors its submission's, and every review belongs to a round
/// that existed.
async fn check_invariants(db: &TestDatabase) {
    let client = db.client().await;
    let mismatched: i64 = client
        .query_one(
            "SELECT count(*) FROM submissions s JOIN items i ON i.id = s.item_id
             WHERE i.status <> CASE s.status WHEN 'withdrawn' THEN 'rejected' ELSE s.status END",
            &[],
        )
        .await
        .expect("query")
        .get(0);
    assert_eq!(
        mismatched, 0,
        "an item's status differs from its submission's"
    );
    let orphans: i64 = client
        .query_one(
            "SELECT count(*) FROM reviews r JOIN submissions s ON s.id = r.submission_id WHERE r.round > s.round",
            &[],
        )
        .await
        .expect("query")
        .get(0);
    assert_eq!(orphans, 0);
    // No approval of a revoked key counts on a submission still open.
    let revoked: i64 = client
        .query_one(
            "SELECT count(*) FROM reviews r
             JOIN submissions s ON s.id = r.submission_id AND s.round = r.round
             JOIN api_keys k ON k.id = r.reviewer_id
             WHERE k.revoked_at IS NOT NULL AND r.withdrawn_at IS NULL
               AND r.decision = 'approve' AND s.status IN ('under_review', 'changes_requested')",
            &[],
        )
        .await
        .expect("query")
        .get(0);
    assert_eq!(revoked, 0, "a revoked key's approval still counts");
}

#[tokio::test]
async fn two_reviewers_deciding_at_once_end_in_one_consistent_state() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let mut orders = (0, 0);
    let mut round = 0;
    while another_round(round, orders) {
        round += 1;
        let id = submit(&server, &cast.contributor, &format!("Race {round}")).await;
        decide_ok(&server, &cast.internal, &id, "APPROVE").await;
        decide_ok(&server, &cast.external[0], &id, "APPROVE").await;
        let version = catalogue_version(&db).await;
        // The approval alone would publish; the rejection alone would split the decision.
        let (approve, reject) = tokio::join!(
            decide(&server, &cast.external[1], &id, "APPROVE"),
            decide(&server, &cast.external[2], &id, "REJECT"),
        );
        let (final_status, _) = status(&server, &cast.contributor, &id).await;
        assert!(succeeded(&approve), "the approval failed: {approve:#}");
        let published_version = catalogue_version(&db).await;
        if succeeded(&reject) {
            // Rejection first: 3 approvals against 1 rejection wait for a fourth approval.
            assert_eq!(final_status, "UNDER_REVIEW");
            assert_eq!(published_version, version);
            orders.0 += 1;
        } else {
            // Approval first: published, and the late rejection found it decided.
            assert_code(&reject, "BAD_USER_INPUT");
            assert_eq!(final_status, "PUBLISHED");
            assert_eq!(published_version, version + 1);
            orders.1 += 1;
        }
        check_invariants(&db).await;
    }
    assert_both_orders(("reject-first", "approve-first"), orders);
}

#[tokio::test]
async fn an_update_racing_a_review_ends_in_one_consistent_state() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let update = "mutation($id: ID!, $input: UpdateSubmissionInput!) { updateSubmission(id: $id, input: $input) { status round } }";
    let mut orders = (0, 0);
    let mut round = 0;
    while another_round(round, orders) {
        round += 1;
        let id = submit(&server, &cast.contributor, &format!("Update race {round}")).await;
        decide_ok(&server, &cast.internal, &id, "APPROVE").await;
        decide_ok(&server, &cast.external[0], &id, "APPROVE").await;
        let input = resource_input(&format!("Update race {round}, revised"));
        // The reviewer read revision 1 and approves what they read.
        let read = revision_of(&server, &cast.external[1], &id).await;
        assert_eq!(read, 1);
        let (review, updated) = tokio::join!(
            decide_at(&server, &cast.external[1], &id, read, "APPROVE"),
            call(
                &server,
                Some(&cast.contributor),
                update,
                json!({ "id": id, "input": input })
            ),
        );
        let (final_status, final_round) = status(&server, &cast.contributor, &id).await;
        if succeeded(&updated) {
            // Update after the review would find it published, so the update came first:
            // the approval of revision 1 was refused and nothing counts in round 2.
            assert_code(&review, "CONFLICT");
            assert_eq!(review["errors"][0]["extensions"]["currentRevision"], 2);
            assert_eq!((final_status.as_str(), final_round), ("UNDER_REVIEW", 2));
            let reviews: i64 = db
                .client()
                .await
                .query_one(
                    "SELECT count(*) FROM reviews r JOIN submissions s ON s.id = r.submission_id
                     WHERE r.round = 2 AND s.item_id = (SELECT item_id FROM submissions ORDER BY id DESC LIMIT 1)",
                    &[],
                )
                .await
                .expect("query")
                .get(0);
            assert_eq!(reviews, 0);
            orders.0 += 1;
        } else {
            assert!(succeeded(&review), "the review failed: {review:#}");
            assert_code(&updated, "BAD_USER_INPUT");
            assert_eq!((final_status.as_str(), final_round), ("PUBLISHED", 1));
            orders.1 += 1;
        }
        check_invariants(&db).await;
    }
    assert_both_orders(("update-first", "review-first"), orders);
}

#[tokio::test]
async fn a_revocation_racing_the_keys_review_never_leaves_its_approval_counting() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let mut orders = (0, 0);
    let mut round = 0;
    while another_round(round, orders) {
        round += 1;
        let name = format!("leaving-expert-{round}");
        let leaving = create_key(&db, &name, "reviewer", "external");
        let id = submit(
            &server,
            &cast.contributor,
            &format!("Revocation race {round}"),
        )
        .await;
        decide_ok(&server, &cast.internal, &id, "APPROVE").await;
        let read = revision_of(&server, &leaving, &id).await;
        let cli_db = db.url().to_owned();
        let (review, revoked) = tokio::join!(
            async {
                // Spread the review over the time the CLI takes to start and revoke.
                let delay = (round as u64 % 8) * 25;
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                decide_at(&server, &leaving, &id, read, "APPROVE").await
            },
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(BIN)
                    .args(["keys", "revoke", &name])
                    .env("DATABASE_URL", cli_db)
                    .env("RUST_LOG", "warn")
                    .output()
                    .expect("running keys revoke")
            }),
        );
        let revoked = revoked.expect("the revocation thread");
        assert!(revoked.status.success(), "{revoked:?}");
        if succeeded(&review) {
            // The review came first and the revocation withdrew it.
            orders.0 += 1;
        } else {
            assert_code(&review, "UNAUTHENTICATED");
            orders.1 += 1;
        }
        let (final_status, _) = status(&server, &cast.contributor, &id).await;
        assert_eq!(final_status, "UNDER_REVIEW");
        check_invariants(&db).await;
    }
    assert_both_orders(("review-first", "revoke-first"), orders);
}
