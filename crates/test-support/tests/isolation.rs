//! The harness's own promise: each test database starts migrated and sees no other's writes.

use gcm_test_support::TestDatabase;

#[tokio::test]
async fn test_databases_are_migrated_and_isolated() {
    let (a, b) = tokio::join!(TestDatabase::migrated(), TestDatabase::migrated());
    assert_ne!(a.name(), b.name());
    let (ca, cb) = (a.client().await, b.client().await);
    ca.execute(
        "INSERT INTO document_types (slug, name, position) VALUES ('x', 'X', 1)",
        &[],
    )
    .await
    .expect("insert into a");
    let count = |row: tokio_postgres::Row| row.get::<_, i64>(0);
    let in_a = count(
        ca.query_one("SELECT count(*) FROM document_types", &[])
            .await
            .expect("count a"),
    );
    let in_b = count(
        cb.query_one("SELECT count(*) FROM document_types", &[])
            .await
            .expect("count b"),
    );
    assert_eq!((in_a, in_b), (1, 0));
}

#[tokio::test]
async fn dropped_databases_are_removed() {
    let name = {
        let db = TestDatabase::migrated().await;
        db.name().to_owned()
    };
    let check = TestDatabase::blank().await;
    let client = check.client().await;
    let left = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("query pg_database");
    assert!(left.is_none(), "{name} was not dropped");
}
