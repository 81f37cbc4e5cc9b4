// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, std::fmt::Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    actions (id) {
        id -> Int4,
        objective_number -> Int4,
        letter -> Text,
        text -> Text,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Int4,
        name -> Text,
        role -> Text,
        affiliation -> Text,
        secret_hash -> Bytea,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        public -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        actor_id -> Nullable<Int4>,
        actor_name -> Text,
        action -> Text,
        subject -> Text,
        at -> Timestamptz,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
    }
}

diesel::table! {
    catalogue_files (file_name) {
        file_name -> Text,
        document -> Jsonb,
        imported_at -> Timestamptz,
    }
}

diesel::table! {
    catalogue_version (singleton) {
        singleton -> Bool,
        version -> Int8,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    countries (id) {
        id -> Int4,
        iso2 -> Text,
        iso3 -> Text,
        iso_numeric -> Nullable<Text>,
        name -> Text,
        slug -> Text,
        kind -> Text,
        region_id -> Int4,
        position -> Int4,
        source -> Jsonb,
    }
}

diesel::table! {
    document_types (id) {
        id -> Int4,
        slug -> Text,
        name -> Text,
        position -> Int4,
    }
}

diesel::table! {
    facet_counts (dimension, key, facet, facet_key, kind, section) {
        dimension -> Text,
        key -> Int4,
        facet -> Text,
        facet_key -> Int4,
        kind -> Text,
        section -> Text,
        count -> Int8,
    }
}

diesel::table! {
    guidance_source_actions (guidance_source_id, action_id) {
        guidance_source_id -> Int4,
        action_id -> Int4,
    }
}

diesel::table! {
    guidance_sources (id) {
        id -> Int4,
        slug -> Text,
        objective_number -> Int4,
        mechanism -> Text,
        body -> Text,
        abbreviation -> Nullable<Text>,
        year -> Int4,
        symbol -> Text,
        paragraph -> Text,
        guidance -> Text,
        position -> Int4,
        actions_reason -> Nullable<Text>,
        items_reason -> Nullable<Text>,
        source -> Jsonb,
    }
}

diesel::table! {
    guiding_principles (id) {
        id -> Int4,
        slug -> Text,
        name -> Text,
        position -> Int4,
        source -> Jsonb,
    }
}

diesel::table! {
    instruments (id) {
        id -> Int4,
        code -> Text,
        kind -> Text,
        number -> Int4,
        year -> Int4,
        title -> Text,
        source -> Jsonb,
    }
}

diesel::table! {
    item_actions (item_id, action_id) {
        item_id -> Int4,
        action_id -> Int4,
    }
}

diesel::table! {
    item_countries (item_id, country_id) {
        item_id -> Int4,
        country_id -> Int4,
        listed -> Bool,
        kind -> Text,
        section -> Nullable<Text>,
        scope_rank -> Int2,
        age_rank -> Int4,
    }
}

diesel::table! {
    item_guidance_sources (item_id, guidance_source_id) {
        item_id -> Int4,
        guidance_source_id -> Int4,
    }
}

diesel::table! {
    item_objectives (item_id, objective_number) {
        item_id -> Int4,
        objective_number -> Int4,
        listed -> Bool,
        kind -> Text,
        section -> Nullable<Text>,
        scope_rank -> Int2,
        age_rank -> Int4,
        hub_position -> Nullable<Int4>,
        hub_section -> Nullable<Int2>,
        hub_rank -> Nullable<Int4>,
    }
}

diesel::table! {
    item_principles (item_id, principle_id) {
        item_id -> Int4,
        principle_id -> Int4,
        listed -> Bool,
        kind -> Text,
        section -> Nullable<Text>,
        scope_rank -> Int2,
        age_rank -> Int4,
    }
}

diesel::table! {
    item_regions (item_id, region_id) {
        item_id -> Int4,
        region_id -> Int4,
        listed -> Bool,
        kind -> Text,
        section -> Nullable<Text>,
        scope_rank -> Int2,
        age_rank -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    items (id) {
        id -> Int4,
        slug -> Text,
        kind -> Text,
        section -> Nullable<Text>,
        document_type_id -> Nullable<Int4>,
        title -> Nullable<Text>,
        title_provenance -> Text,
        summary -> Text,
        summary_truncated -> Bool,
        url -> Nullable<Text>,
        published_on -> Nullable<Date>,
        language -> Nullable<Text>,
        organisation -> Nullable<Text>,
        city -> Nullable<Text>,
        event_country_id -> Nullable<Int4>,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        scope -> Text,
        status -> Text,
        position -> Int4,
        geography_reason -> Nullable<Text>,
        source -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        scope_rank -> Nullable<Int2>,
        age_rank -> Nullable<Int4>,
        title_key -> Nullable<Text>,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    list_sizes (relation) {
        relation -> Text,
        max_size -> Int4,
    }
}

diesel::table! {
    objective_instruments (objective_number, instrument_id) {
        objective_number -> Int4,
        instrument_id -> Int4,
    }
}

diesel::table! {
    objective_pages (objective_number) {
        objective_number -> Int4,
        source -> Jsonb,
    }
}

diesel::table! {
    objectives (number) {
        number -> Int4,
        slug -> Text,
        short_name -> Text,
        title -> Text,
        commitment_paragraph -> Int4,
        commitment_text -> Nullable<Text>,
        actions_lead_in -> Nullable<Text>,
        hub_term_id -> Nullable<Int4>,
        source -> Jsonb,
    }
}

diesel::table! {
    policy_options (id) {
        id -> Int4,
        objective_number -> Int4,
        number -> Int4,
        text -> Text,
        label -> Nullable<Text>,
        label_derived -> Bool,
    }
}

diesel::table! {
    regions (id) {
        id -> Int4,
        slug -> Text,
        name -> Text,
        m49_code -> Text,
        position -> Int4,
        source -> Jsonb,
    }
}

diesel::table! {
    related_objectives (objective_number, related_number) {
        objective_number -> Int4,
        related_number -> Int4,
        paragraph -> Int4,
        position -> Int4,
        as_given -> Nullable<Text>,
    }
}

diesel::table! {
    review_conflicts (submission_id, reviewer_id) {
        submission_id -> Int4,
        reviewer_id -> Int4,
        declared_at -> Timestamptz,
    }
}

diesel::table! {
    reviews (id) {
        id -> Int4,
        submission_id -> Int4,
        reviewer_id -> Int4,
        round -> Int4,
        decision -> Text,
        comment -> Nullable<Text>,
        at -> Timestamptz,
        withdrawn_at -> Nullable<Timestamptz>,
        withdrawn_reason -> Nullable<Text>,
    }
}

diesel::table! {
    submissions (id) {
        id -> Int4,
        item_id -> Int4,
        submitter_id -> Int4,
        status -> Text,
        round -> Int4,
        input -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    writer_positions (key_id) {
        key_id -> Int4,
        wal_position -> Int8,
        written_at -> Timestamptz,
    }
}

diesel::joinable!(actions -> objectives (objective_number));
diesel::joinable!(audit_log -> api_keys (actor_id));
diesel::joinable!(countries -> regions (region_id));
diesel::joinable!(guidance_source_actions -> actions (action_id));
diesel::joinable!(guidance_source_actions -> guidance_sources (guidance_source_id));
diesel::joinable!(guidance_sources -> objectives (objective_number));
diesel::joinable!(item_actions -> actions (action_id));
diesel::joinable!(item_actions -> items (item_id));
diesel::joinable!(item_countries -> countries (country_id));
diesel::joinable!(item_countries -> items (item_id));
diesel::joinable!(item_guidance_sources -> guidance_sources (guidance_source_id));
diesel::joinable!(item_guidance_sources -> items (item_id));
diesel::joinable!(item_objectives -> items (item_id));
diesel::joinable!(item_objectives -> objectives (objective_number));
diesel::joinable!(item_principles -> guiding_principles (principle_id));
diesel::joinable!(item_principles -> items (item_id));
diesel::joinable!(item_regions -> items (item_id));
diesel::joinable!(item_regions -> regions (region_id));
diesel::joinable!(items -> countries (event_country_id));
diesel::joinable!(items -> document_types (document_type_id));
diesel::joinable!(objective_instruments -> instruments (instrument_id));
diesel::joinable!(objective_instruments -> objectives (objective_number));
diesel::joinable!(objective_pages -> objectives (objective_number));
diesel::joinable!(policy_options -> objectives (objective_number));
diesel::joinable!(review_conflicts -> api_keys (reviewer_id));
diesel::joinable!(review_conflicts -> submissions (submission_id));
diesel::joinable!(reviews -> api_keys (reviewer_id));
diesel::joinable!(reviews -> submissions (submission_id));
diesel::joinable!(submissions -> api_keys (submitter_id));
diesel::joinable!(submissions -> items (item_id));
diesel::joinable!(writer_positions -> api_keys (key_id));

diesel::allow_tables_to_appear_in_same_query!(
    actions,
    api_keys,
    audit_log,
    catalogue_files,
    catalogue_version,
    countries,
    document_types,
    facet_counts,
    guidance_source_actions,
    guidance_sources,
    guiding_principles,
    instruments,
    item_actions,
    item_countries,
    item_guidance_sources,
    item_objectives,
    item_principles,
    item_regions,
    items,
    list_sizes,
    objective_instruments,
    objective_pages,
    objectives,
    policy_options,
    regions,
    related_objectives,
    review_conflicts,
    reviews,
    submissions,
    writer_positions,
);
