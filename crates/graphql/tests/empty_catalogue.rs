//! The schema executed in process on a migrated but empty database: every root field
//! and every SQL shape (pages in both directions and all orders, counts, facets, nested
//! lists) runs without error and returns empty results.

use gcm_test_support::TestDatabase;

async fn run(
    schema: &gcm_graphql::CatalogueSchema,
    pool: &gcm_store::Pool,
    query: &str,
) -> serde_json::Value {
    let response = gcm_graphql::execute(schema, async_graphql::Request::new(query), pool).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    response.data.into_json().expect("json")
}

#[tokio::test]
async fn every_root_field_answers_on_an_empty_catalogue() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    let schema = gcm_graphql::build_schema(pool.clone());
    for sort in ["GLOBAL_FIRST", "NEWEST", "TITLE"] {
        for page in ["first: 5", "last: 5"] {
            let q = format!(
                "{{ resources(sort: {sort}, {page}, filter: {{ objectives: [1], principles: [\"x\"], regions: [\"africa\"],
                   countries: [\"PER\"], documentTypes: [\"analysis\"], sections: [DOCUMENTS], scope: [GLOBAL], language: [\"en\"],
                   published: {{ from: \"2000-01-01\", to: \"2030-01-01\" }}, text: \"migration\" }})
                   {{ totalCount pageInfo {{ hasNextPage }} edges {{ cursor snippet node {{ slug }} }} }} }}"
            );
            let data = run(&schema, &pool, &q).await;
            assert_eq!(data["resources"]["totalCount"], 0);
        }
    }
    let data = run(
        &schema,
        &pool,
        "{ objectives { number } principles { slug } regions { slug } countries { iso3 } documentTypes { slug } instruments { code }
           guidanceSources(first: 3) { totalCount edges { cursor } } events { totalCount } projects { totalCount }
           search(text: \"portabilidad OR \\\"social security\\\"\", sort: RELEVANCE) { totalCount edges { relevance } }
           facets { total objectives { count } countries { count } years { year } }
           country(iso3: \"PER\") { iso3 } objective(number: 3) { number } }",
    )
    .await;
    assert_eq!(data["objectives"], serde_json::json!([]));
    assert_eq!(data["facets"]["total"], 0);
}
