//! The store's own SQL texts are prepared once per connection and then only executed
//! (issue 17: re-parsing and re-planning them was two thirds of PostgreSQL's time on a
//! filtered page). PostgreSQL's `pg_prepared_statements` is per session, so the test reads
//! it on the one pooled connection that ran the requests.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use gcm_store::models::item_pages::{self, FacetDimension, ItemFilter, ItemSort, PageRequest};
use gcm_store::{PoolConfig, build_pool};
use gcm_test_support::TestDatabase;

#[derive(Debug, QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = BigInt)]
    executions: i64,
}

/// The statements prepared on this session, with how often each ran.
async fn prepared_statements(conn: &mut diesel_async::AsyncPgConnection) -> Vec<Prepared> {
    diesel::sql_query(
        "SELECT statement, generic_plans + custom_plans AS executions \
         FROM pg_prepared_statements ORDER BY statement",
    )
    .load(conn)
    .await
    .expect("pg_prepared_statements")
}

#[tokio::test]
async fn a_filtered_page_its_count_and_facets_are_prepared_once_and_executed_twice() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let pool = build_pool(
        db.url(),
        &PoolConfig {
            max_connections: 1,
            ..Default::default()
        },
    )
    .expect("a pool");
    let mut conn = pool.get().await.expect("the one connection");
    let filter = ItemFilter {
        objectives: Some(vec![22]),
        scopes: Some(vec!["global".to_owned()]),
        ..Default::default()
    };
    let request = PageRequest {
        sort: ItemSort::GlobalFirst,
        cursor: None,
        backward: false,
        limit: 11,
    };
    let mut answers = Vec::new();
    for _ in 0..2 {
        let page = item_pages::pages(&mut conn, &filter, &request, None)
            .await
            .expect("a page");
        let count = item_pages::counts(&mut conn, &filter, None, Some(10_000))
            .await
            .expect("a count");
        let facets = item_pages::facets(&mut conn, &filter, &FacetDimension::ALL)
            .await
            .expect("facets");
        answers.push((
            page.iter().map(|r| r.item.slug.clone()).collect::<Vec<_>>(),
            count,
            facets,
        ));
    }
    assert!(!answers[0].0.is_empty(), "objective 22 lists global items");
    assert_eq!(answers[0], answers[1], "the prepared run answers the same");

    let prepared = prepared_statements(&mut conn).await;
    let of = |needle: &str| -> Vec<&Prepared> {
        prepared
            .iter()
            .filter(|p| p.statement.contains(needle))
            .collect()
    };
    // One statement each, run twice: prepared on the first request, executed on the second.
    for (what, needle) in [
        ("the page", "AS snippet"),
        ("the count up to a limit", "LIMIT $15) AS m) AS count"),
        ("the facets", "'total' AS dimension"),
    ] {
        let found = of(needle);
        assert_eq!(found.len(), 1, "{what}: {prepared:#?}");
        assert_eq!(found[0].executions, 2, "{what}: {prepared:#?}");
    }
    // A text search is planned with its values every time (a generic plan of a search
    // page is the wrong one for a common word): run twice, never prepared.
    let search = ItemFilter {
        text: Some("pensions".to_owned()),
        ..Default::default()
    };
    for _ in 0..2 {
        item_pages::pages(&mut conn, &search, &request, None)
            .await
            .expect("a search page");
        item_pages::counts(&mut conn, &search, None, Some(10_000))
            .await
            .expect("a search count");
        item_pages::facets(&mut conn, &search, &FacetDimension::ALL)
            .await
            .expect("search facets");
    }
    let prepared = prepared_statements(&mut conn).await;
    let searches: Vec<&Prepared> = prepared
        .iter()
        .filter(|p| p.statement.contains("websearch_to_tsquery"))
        .collect();
    assert!(searches.is_empty(), "{searches:#?}");
    assert!(
        prepared.len() >= 3,
        "the earlier statements stay: {prepared:#?}"
    );
}
