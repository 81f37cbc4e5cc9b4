//! The synthetic generator against a real PostgreSQL: labelled, deterministic, shaped like
//! the catalogue, and its bulk path (indexes and foreign keys dropped and rebuilt) writes
//! the same catalogue and leaves the schema exactly as the migrations made it.

use gcm_store::catalogue;
use gcm_store::synthetic::{self, SyntheticSize};
use gcm_test_support::TestDatabase;

/// Every index and constraint of the public schema, as PostgreSQL would recreate them.
const SCHEMA_OBJECTS: &str = "
    SELECT string_agg(def, E'\\n' ORDER BY def) FROM (
        SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
        JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
        UNION ALL
        SELECT c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public') d";

/// The generated rows with their links by slug, so two databases compare whatever ids they gave.
const SYNTHETIC_ROWS: &str = "
    SELECT string_agg(r, E'\\n' ORDER BY r) FROM (
        SELECT (to_jsonb(i) - '{id,created_at,updated_at}'::text[])::text AS r FROM items i
        UNION ALL SELECT 'objective ' || i.slug || ' ' || l.objective_number FROM item_objectives l JOIN items i ON i.id = l.item_id
        UNION ALL SELECT 'country ' || i.slug || ' ' || l.country_id FROM item_countries l JOIN items i ON i.id = l.item_id
        UNION ALL SELECT 'region ' || i.slug || ' ' || l.region_id FROM item_regions l JOIN items i ON i.id = l.item_id
        UNION ALL SELECT 'principle ' || i.slug || ' ' || l.principle_id FROM item_principles l JOIN items i ON i.id = l.item_id
        UNION ALL SELECT 'guidance ' || i.slug || ' ' || g.slug FROM item_guidance_sources l
            JOIN items i ON i.id = l.item_id JOIN guidance_sources g ON g.id = l.guidance_source_id
        UNION ALL SELECT 'guidance-action ' || g.slug || ' ' || a.objective_number || a.letter FROM guidance_source_actions l
            JOIN guidance_sources g ON g.id = l.guidance_source_id JOIN actions a ON a.id = l.action_id) rows";

async fn generated(size: SyntheticSize, seed: i64) -> TestDatabase {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool)
        .await
        .expect("bundled catalogue");
    let mut conn = pool.get().await.expect("connection");
    synthetic::generate(&mut conn, size, seed)
        .await
        .expect("generate");
    db
}

#[tokio::test]
async fn the_bulk_path_writes_the_same_catalogue_and_restores_every_index_and_key() {
    let plain = SyntheticSize::items(3000);
    assert!(!plain.rebuild_indexes);
    let bulk = SyntheticSize {
        rebuild_indexes: true,
        ..plain
    };
    let untouched = TestDatabase::migrated().await;
    let a = generated(plain, 5).await;
    let b = generated(bulk, 5).await;
    let c = generated(plain, 6).await;

    let schema = untouched.scalar::<String>(SCHEMA_OBJECTS).await;
    assert!(schema.contains("items_published_search_idx") && schema.contains("FOREIGN KEY"));
    assert_eq!(b.scalar::<String>(SCHEMA_OBJECTS).await, schema);
    assert_eq!(a.scalar::<String>(SCHEMA_OBJECTS).await, schema);

    let rows = a.scalar::<String>(SYNTHETIC_ROWS).await;
    assert_eq!(
        b.scalar::<String>(SYNTHETIC_ROWS).await,
        rows,
        "same seed, same catalogue"
    );
    assert_ne!(
        c.scalar::<String>(SYNTHETIC_ROWS).await,
        rows,
        "another seed, another catalogue"
    );
}

#[tokio::test]
async fn every_generated_record_is_labelled_and_shaped_like_the_catalogue() {
    let db = generated(SyntheticSize::items(5000), 9).await;
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE slug LIKE 'synthetic-%'),
                    count(*) FILTER (WHERE slug LIKE 'synthetic-%' AND (source->>'synthetic')::boolean
                                     AND summary LIKE 'Synthetic%' AND title LIKE 'Synthetic%'),
                    count(DISTINCT kind), count(DISTINCT scope)
             FROM items",
            &[],
        )
        .await
        .expect("items");
    let (items, labelled, kinds, scopes): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(items, 5000);
    assert_eq!(labelled, 5000);
    assert_eq!((kinds, scopes), (3, 3));

    // About five links per item, and a few countries hold most national items.
    let links: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM item_objectives) + (SELECT count(*) FROM item_countries)
                  + (SELECT count(*) FROM item_regions) + (SELECT count(*) FROM item_principles)
                  + (SELECT count(*) FROM item_guidance_sources)",
            &[],
        )
        .await
        .expect("links")
        .get(0);
    assert!((20_000..30_000).contains(&links), "{links} links");
    let top_share: f64 = client
        .query_one(
            "SELECT (sum(n) FILTER (WHERE rank <= 10))::float8 / sum(n)::float8 FROM (
                 SELECT count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS rank
                 FROM item_countries GROUP BY country_id) c",
            &[],
        )
        .await
        .expect("skew")
        .get(0);
    // Spread evenly over 195 countries, ten would hold 5%.
    assert!(
        top_share > 0.25,
        "top ten countries hold {top_share} of links"
    );
    // Every objective gets items, low-numbered ones the most.
    let per_objective: Vec<i64> = client
        .query(
            "SELECT count(*) FROM item_objectives GROUP BY objective_number ORDER BY objective_number",
            &[],
        )
        .await
        .expect("objectives")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(per_objective.len(), 23);
    assert!(per_objective[0] > 3 * per_objective[22]);
}

#[tokio::test]
async fn size_s_is_the_bundled_catalogue_alone() {
    let size = SyntheticSize::named("s").expect("S");
    let db = generated(size, 1).await;
    let items: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM items WHERE slug LIKE 'synthetic-%'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(items, 0);
    assert_eq!(
        SyntheticSize::named("M").map(|s| s.items),
        Some(10_000),
        "M"
    );
    let large = SyntheticSize::named("L").expect("L");
    assert!(large.items == 1_000_000 && large.rebuild_indexes);
    assert!(SyntheticSize::named("XL").is_none());
}
