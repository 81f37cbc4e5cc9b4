//! Lists read from a link table's listing (migration 3) against the same lists read from
//! `items`: a filter on one country (a listing) and on that country plus one that does not
//! exist (two values, so `items` with a semi-join) must give the same pages, counts and
//! facets, in every sort and from every cursor; and the copied keys must follow the item.
//! Counts and facets of such a list come from the counts kept in `facet_counts`
//! (migration 4), which must equal a count from scratch after any write.

use gcm_store::catalogue;
use gcm_store::models::item_pages::{
    self, FacetDimension, FacetRow, ItemFilter, ItemSort, PageRequest, PageRow, Parent,
};
use gcm_store::synthetic::{self, SyntheticSize};
use gcm_test_support::TestDatabase;

async fn generated() -> TestDatabase {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool)
        .await
        .expect("bundled catalogue");
    let mut conn = pool.get().await.expect("connection");
    synthetic::generate(&mut conn, SyntheticSize::items(3000), 11)
        .await
        .expect("generate");
    db
}

/// Links whose copied keys differ from their item's (must stay 0).
const STALE_LINKS: &str = "
    SELECT count(*) FROM (
        SELECT item_id, listed, kind, section, scope_rank, age_rank FROM item_objectives
        UNION ALL SELECT item_id, listed, kind, section, scope_rank, age_rank FROM item_principles
        UNION ALL SELECT item_id, listed, kind, section, scope_rank, age_rank FROM item_regions
        UNION ALL SELECT item_id, listed, kind, section, scope_rank, age_rank FROM item_countries) l
    JOIN items i ON i.id = l.item_id
    WHERE (l.listed, l.kind, l.section, l.scope_rank, l.age_rank)
          IS DISTINCT FROM (i.status = 'published', i.kind, i.section, i.scope_rank, i.age_rank)";

/// Kept facet counts that differ from a count from scratch over the links (must stay 0).
const FACET_COUNT_DRIFT: &str = "
    WITH kept AS (
        SELECT dimension, key, facet, facet_key, kind, section, count FROM facet_counts WHERE count <> 0),
    fresh AS (
        SELECT a.dimension, a.key, b.dimension AS facet, b.key AS facet_key, a.kind, a.section, count(*) AS count
        FROM item_links a JOIN item_links b ON b.item_id = a.item_id
        WHERE a.listed AND b.listed GROUP BY 1, 2, 3, 4, 5, 6)
    SELECT count(*) FROM ((TABLE kept EXCEPT TABLE fresh) UNION ALL (TABLE fresh EXCEPT TABLE kept)) drift";

/// The list sizes kept by triggers equal a count from scratch.
async fn assert_list_sizes_exact(db: &TestDatabase, when: &str) {
    let mut conn = db.pool().get().await.expect("connection");
    let kept = gcm_store::list_sizes::load(&mut conn).await.expect("kept");
    let fresh = gcm_store::list_sizes::recount(&mut conn)
        .await
        .expect("recount");
    assert!(kept.len() > 20, "{kept:?}");
    assert_eq!(kept, fresh, "list sizes {when}");
}

/// Every page of `filter` in `sort`, forwards by `size` from the start.
async fn all_pages(db: &TestDatabase, filter: &ItemFilter, sort: ItemSort) -> Vec<Vec<i32>> {
    let mut conn = db.pool().get().await.expect("connection");
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let request = PageRequest {
            sort,
            cursor: cursor.clone(),
            backward: false,
            limit: 37,
        };
        let rows: Vec<PageRow> = item_pages::pages(&mut conn, filter, &request, None)
            .await
            .expect("page");
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            break;
        };
        cursor = Some(last.keyset(sort));
        pages.push(rows.iter().map(|r| r.item.id).collect());
        // Backwards from page 2's first row gives page 1, in list order.
        if pages.len() == 2 {
            let request = PageRequest {
                backward: true,
                cursor: Some(first.keyset(sort)),
                ..request.clone()
            };
            let before: Vec<i32> = item_pages::pages(&mut conn, filter, &request, None)
                .await
                .expect("page backwards")
                .iter()
                .map(|r| r.item.id)
                .collect();
            assert_eq!(before, pages[0], "backwards from page 2");
        }
    }
    pages
}

/// The item ids of one parent's page among nested pages.
fn ids_under(rows: &[PageRow], parent: i32) -> Vec<i32> {
    rows.iter()
        .filter(|r| r.parent_key == parent)
        .map(|r| r.item.id)
        .collect()
}

fn sorted(mut rows: Vec<FacetRow>) -> Vec<FacetRow> {
    rows.sort_by(|a, b| (&a.dimension, &a.key).cmp(&(&b.dimension, &b.key)));
    rows
}

#[tokio::test]
async fn a_list_of_one_country_region_principle_or_objective_reads_the_same_from_its_listing() {
    let db = generated().await;
    let client = db.client().await;
    let top_country: String = client
        .query_one(
            "SELECT c.iso3 FROM item_countries l JOIN countries c ON c.id = l.country_id
             GROUP BY c.iso3 ORDER BY count(*) DESC, c.iso3 LIMIT 1",
            &[],
        )
        .await
        .expect("top country")
        .get(0);
    let region: String = client
        .query_one("SELECT slug FROM regions ORDER BY position LIMIT 1", &[])
        .await
        .expect("region")
        .get(0);
    let principle: String = client
        .query_one(
            "SELECT slug FROM guiding_principles ORDER BY position LIMIT 1",
            &[],
        )
        .await
        .expect("principle")
        .get(0);
    let resource = Some(vec!["resource".to_owned()]);
    let filters: Vec<(ItemFilter, ItemFilter)> = vec![
        (
            ItemFilter {
                countries: Some(vec![top_country.clone()]),
                kinds: resource.clone(),
                sections: Some(vec!["documents".to_owned()]),
                ..Default::default()
            },
            ItemFilter {
                countries: Some(vec![top_country.clone(), "ZZZ".to_owned()]),
                kinds: resource.clone(),
                sections: Some(vec!["documents".to_owned()]),
                ..Default::default()
            },
        ),
        (
            ItemFilter {
                countries: Some(vec![top_country.clone()]),
                ..Default::default()
            },
            ItemFilter {
                countries: Some(vec![top_country.clone(), "ZZZ".to_owned()]),
                ..Default::default()
            },
        ),
        (
            ItemFilter {
                regions: Some(vec![region.clone()]),
                kinds: Some(vec!["event".to_owned(), "project".to_owned()]),
                text: Some("workers".to_owned()),
                ..Default::default()
            },
            ItemFilter {
                regions: Some(vec![region.clone(), "no-such-region".to_owned()]),
                kinds: Some(vec!["event".to_owned(), "project".to_owned()]),
                text: Some("workers".to_owned()),
                ..Default::default()
            },
        ),
        (
            ItemFilter {
                principles: Some(vec![principle.clone()]),
                kinds: resource.clone(),
                ..Default::default()
            },
            ItemFilter {
                principles: Some(vec![principle.clone(), "no-such-principle".to_owned()]),
                kinds: resource.clone(),
                ..Default::default()
            },
        ),
        (
            ItemFilter {
                objectives: Some(vec![22]),
                scopes: Some(vec!["national".to_owned()]),
                ..Default::default()
            },
            ItemFilter {
                objectives: Some(vec![22, 22]),
                scopes: Some(vec!["national".to_owned()]),
                ..Default::default()
            },
        ),
    ];
    let mut conn = db.pool().get().await.expect("connection");
    for (listing, items) in &filters {
        for sort in [ItemSort::GlobalFirst, ItemSort::Newest, ItemSort::Title] {
            let expected = all_pages(&db, items, sort).await;
            assert!(expected.len() > 1, "{items:?} spans pages");
            assert_eq!(
                all_pages(&db, listing, sort).await,
                expected,
                "{listing:?} {sort:?}"
            );
        }
        let counted = item_pages::counts(&mut conn, listing, None, None)
            .await
            .expect("count");
        let listed: usize = all_pages(&db, items, ItemSort::GlobalFirst)
            .await
            .iter()
            .map(Vec::len)
            .sum();
        assert_eq!(counted.get(&0).copied(), Some(listed as i64), "{listing:?}");
        // All dimensions (the set read with the items), and those a listing alone can count.
        let some = [
            FacetDimension::Kind,
            FacetDimension::Objective,
            FacetDimension::Principle,
            FacetDimension::Region,
            FacetDimension::Country,
        ];
        for dimensions in [&FacetDimension::ALL[..], &some[..]] {
            let expected = sorted(
                item_pages::facets(&mut conn, items, dimensions)
                    .await
                    .expect("facets"),
            );
            assert!(expected.len() > 10);
            let actual = item_pages::facets(&mut conn, listing, dimensions)
                .await
                .expect("facets");
            assert_eq!(sorted(actual), expected, "{listing:?} {dimensions:?}");
        }
    }

    // Under parents: every objective's page and count, against the filter on each alone.
    let numbers: Vec<i32> = (1..=23).collect();
    let request = PageRequest {
        sort: ItemSort::GlobalFirst,
        cursor: None,
        backward: false,
        limit: 5,
    };
    let kinds = ItemFilter {
        kinds: resource,
        ..Default::default()
    };
    let nested = item_pages::pages(
        &mut conn,
        &kinds,
        &request,
        Some((Parent::Objective, &numbers)),
    )
    .await
    .expect("nested pages");
    let nested_counts =
        item_pages::counts(&mut conn, &kinds, Some((Parent::Objective, &numbers)), None)
            .await
            .expect("nested counts");
    for number in numbers.iter().copied() {
        let alone = ItemFilter {
            objectives: Some(vec![number, number]),
            ..kinds.clone()
        };
        let page: Vec<i32> = item_pages::pages(&mut conn, &alone, &request, None)
            .await
            .expect("page")
            .iter()
            .map(|r| r.item.id)
            .collect();
        let under_parent = ids_under(&nested, number);
        assert_eq!(under_parent, page, "objective {number}");
        let count = item_pages::counts(&mut conn, &alone, None, None)
            .await
            .expect("count");
        assert_eq!(
            nested_counts.get(&number),
            count.get(&0),
            "objective {number}"
        );
    }

    // Under a parent, a filter on the parent's own dimension narrows the list further.
    let also_22 = ItemFilter {
        objectives: Some(vec![22]),
        ..kinds.clone()
    };
    let narrowed = item_pages::counts(
        &mut conn,
        &also_22,
        Some((Parent::Objective, &numbers)),
        None,
    )
    .await
    .expect("narrowed counts");
    let narrowed_pages = item_pages::pages(
        &mut conn,
        &also_22,
        &request,
        Some((Parent::Objective, &numbers)),
    )
    .await
    .expect("narrowed pages");
    for number in numbers.iter().copied() {
        let both = format!(
            "FROM items i WHERE i.status = 'published' AND i.kind = 'resource'
             AND EXISTS (SELECT 1 FROM item_objectives l WHERE l.item_id = i.id AND l.objective_number = {number})
             AND EXISTS (SELECT 1 FROM item_objectives l WHERE l.item_id = i.id AND l.objective_number = 22)"
        );
        let expected = db.scalar::<i64>(&format!("SELECT count(*) {both}")).await;
        assert_eq!(
            narrowed.get(&number).copied(),
            Some(expected),
            "{number} and 22"
        );
        let page = ids_under(&narrowed_pages, number);
        let first: Vec<i32> = db
            .client()
            .await
            .query(
                &format!("SELECT i.id {both} ORDER BY i.scope_rank, i.age_rank, i.id LIMIT 5"),
                &[],
            )
            .await
            .expect("expected page")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(page, first, "{number} and 22");
    }
}

#[tokio::test]
async fn links_keep_their_items_listing_keys_through_imports_and_edits() {
    let db = generated().await;
    assert_eq!(
        db.scalar::<i64>(STALE_LINKS).await,
        0,
        "generated and imported"
    );
    assert_eq!(
        db.scalar::<i64>(FACET_COUNT_DRIFT).await,
        0,
        "generated and imported"
    );
    assert_list_sizes_exact(&db, "generated and imported").await;
    assert!(
        db.scalar::<i64>("SELECT count(*) FROM item_countries WHERE listed")
            .await
            > 0
    );
    assert!(
        db.scalar::<i64>("SELECT count(*) FROM facet_counts WHERE count > 0")
            .await
            > 1000
    );

    let client = db.client().await;
    // Retract a few, move others to another date and section, add a link: all followed.
    client
        .batch_execute(
            "UPDATE items SET status = 'retracted' WHERE id IN (SELECT item_id FROM item_countries LIMIT 50);
             UPDATE items SET published_on = published_on - 400, section = 'videos'
                 WHERE kind = 'resource' AND section = 'documents' AND id % 7 = 0;
             INSERT INTO item_countries (item_id, country_id)
                 SELECT i.id, (SELECT min(id) FROM countries) FROM items i
                 WHERE NOT EXISTS (SELECT 1 FROM item_countries l WHERE l.item_id = i.id) LIMIT 20;",
        )
        .await
        .expect("edits");
    assert_eq!(db.scalar::<i64>(STALE_LINKS).await, 0, "after edits");
    assert_eq!(db.scalar::<i64>(FACET_COUNT_DRIFT).await, 0, "after edits");
    assert_list_sizes_exact(&db, "after edits").await;

    // Deletions (of items, cascading, and of links), several links of one item in one
    // statement, a re-publication, and a re-import that replaces the bundled items' links.
    client
        .batch_execute(
            "DELETE FROM items WHERE id IN (SELECT item_id FROM item_regions ORDER BY item_id LIMIT 30);
             DELETE FROM item_principles WHERE item_id % 5 = 0;
             DELETE FROM item_guidance_sources WHERE item_id % 2 = 0 AND guidance_source_id =
                 (SELECT guidance_source_id FROM item_guidance_sources GROUP BY 1 ORDER BY count(*) DESC LIMIT 1);
             INSERT INTO item_objectives (item_id, objective_number)
                 SELECT i.id, o.number FROM (SELECT id FROM items WHERE id % 11 = 0 LIMIT 40) i
                 CROSS JOIN (VALUES (1), (2), (3)) AS o(number)
                 ON CONFLICT (item_id, objective_number) DO NOTHING;
             UPDATE items SET status = 'published'
                 WHERE id IN (SELECT id FROM items WHERE status = 'retracted' ORDER BY id LIMIT 10);",
        )
        .await
        .expect("more edits");
    catalogue::import_bundled(&db.pool())
        .await
        .expect("re-import");
    assert_eq!(
        db.scalar::<i64>(FACET_COUNT_DRIFT).await,
        0,
        "after deletions"
    );
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM facet_counts WHERE count < 0")
            .await,
        0
    );
    assert_list_sizes_exact(&db, "after deletions and a re-import").await;
    assert!(
        db.scalar::<i64>("SELECT count(*) FROM item_countries WHERE NOT listed")
            .await
            >= 50
    );

    // A retracted item leaves its country's list at once.
    let retracted: String = client
        .query_one(
            "SELECT c.iso3 FROM items i JOIN item_countries l ON l.item_id = i.id
             JOIN countries c ON c.id = l.country_id WHERE i.status = 'retracted' LIMIT 1",
            &[],
        )
        .await
        .expect("retracted item's country")
        .get(0);
    let filter = ItemFilter {
        countries: Some(vec![retracted]),
        ..Default::default()
    };
    let pages = all_pages(&db, &filter, ItemSort::GlobalFirst).await;
    let listed: Vec<i32> = pages.into_iter().flatten().collect();
    let published: i64 = db
        .scalar::<i64>(&format!(
            "SELECT count(*) FROM items WHERE status = 'published' AND id = ANY('{{{}}}'::int4[])",
            listed
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ))
        .await;
    assert_eq!(
        published,
        listed.len() as i64,
        "only published items listed"
    );
}
