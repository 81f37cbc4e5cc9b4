-- The GCM catalogue: reference content (objectives, principles, geography,
-- instruments, guidance) and the curated items that partners publish per objective.
--
-- Conventions: every table has a surrogate or natural primary key plus unique natural
-- keys; enumerations are text with CHECK constraints (readable in psql, easy to extend
-- in a later migration); every link table is indexed in both directions; `source` keeps
-- the record exactly as it was imported so provenance fields survive an export.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- Accent-insensitive English stemming ("integracion" finds "integración").
CREATE TEXT SEARCH CONFIGURATION gcm (COPY = english);
ALTER TEXT SEARCH CONFIGURATION gcm
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

-- Slugs: lowercase ASCII words joined by single hyphens.
CREATE DOMAIN slug AS text CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(VALUE) <= 200);

-- One row per imported file: its `meta` block and any top-level keys that are not records.
CREATE TABLE catalogue_files (
    file_name  text PRIMARY KEY CHECK (file_name ~ '^[a-z0-9_]+\.json$'),
    document   jsonb NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE objectives (
    number               integer PRIMARY KEY CHECK (number BETWEEN 1 AND 23),
    slug                 slug NOT NULL UNIQUE,
    short_name           text NOT NULL UNIQUE CHECK (length(short_name) BETWEEN 1 AND 200),
    title                text NOT NULL UNIQUE CHECK (length(title) BETWEEN 1 AND 500),
    -- A/RES/73/195: objective N's commitment stands in paragraph N + 16.
    commitment_paragraph integer NOT NULL UNIQUE CHECK (commitment_paragraph = number + 16),
    commitment_text      text CHECK (length(commitment_text) > 0),
    actions_lead_in      text CHECK (length(actions_lead_in) > 0),
    hub_term_id          integer UNIQUE,
    source               jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE actions (
    id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    letter           text NOT NULL CHECK (letter ~ '^[a-z]$'),
    text             text NOT NULL CHECK (length(text) > 0),
    UNIQUE (objective_number, letter)
);

CREATE TABLE guiding_principles (
    id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug             slug NOT NULL UNIQUE,
    name             text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    position         integer NOT NULL UNIQUE CHECK (position > 0),
    source           jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE regions (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug      slug NOT NULL UNIQUE,
    name      text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    m49_code  text NOT NULL UNIQUE CHECK (m49_code ~ '^[0-9]{3}$'),
    position  integer NOT NULL UNIQUE CHECK (position > 0),
    source    jsonb NOT NULL DEFAULT '{}'
);

-- Countries and entities of the Hub's country menu. "Global" is a scope, not a country,
-- and is not stored here.
CREATE TABLE countries (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    iso2            text NOT NULL UNIQUE CHECK (iso2 ~ '^[A-Z]{2}$'),
    iso3            text NOT NULL UNIQUE CHECK (iso3 ~ '^[A-Z]{3}$'),
    iso_numeric     text UNIQUE CHECK (iso_numeric ~ '^[0-9]{3}$'),
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    slug            slug NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('un_member_state', 'territory', 'other_entity')),
    region_id       integer NOT NULL REFERENCES regions (id),
    position        integer NOT NULL UNIQUE CHECK (position > 0),
    source          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX countries_region_id_idx ON countries (region_id);

CREATE TABLE document_types (
    id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug      slug NOT NULL UNIQUE,
    name      text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    position  integer NOT NULL UNIQUE CHECK (position > 0)
);

-- ILO conventions (C) and recommendations (R).
CREATE TABLE instruments (
    id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code    text NOT NULL UNIQUE CHECK (code ~ '^[CR][0-9]{3}$'),
    kind    text NOT NULL CHECK (kind IN ('convention', 'recommendation')),
    number  integer NOT NULL CHECK (number > 0),
    year    integer NOT NULL CHECK (year BETWEEN 1919 AND 2100),
    title   text NOT NULL CHECK (length(title) > 0),
    source  jsonb NOT NULL DEFAULT '{}',
    CHECK ((kind = 'convention') = (code LIKE 'C%')),
    UNIQUE (kind, number)
);

CREATE TABLE objective_instruments (
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    instrument_id    integer NOT NULL REFERENCES instruments (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_number, instrument_id)
);
CREATE INDEX objective_instruments_instrument_idx ON objective_instruments (instrument_id, objective_number);

-- The text of an objective's Hub page that is not a record of its own (heading, lead
-- paragraph, introduction and closing paragraphs, report languages), as imported.
CREATE TABLE objective_pages (
    objective_number integer PRIMARY KEY REFERENCES objectives (number) ON DELETE CASCADE,
    source           jsonb NOT NULL
);

CREATE TABLE policy_options (
    id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    number           integer NOT NULL CHECK (number > 0),
    text             text NOT NULL CHECK (length(text) > 0),
    label            text,
    label_derived    boolean NOT NULL DEFAULT false,
    UNIQUE (objective_number, number)
);

-- "The theme of objective 22 is also very relevant for ... Objective 5 (para. 21)".
CREATE TABLE related_objectives (
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    related_number   integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    paragraph        integer NOT NULL CHECK (paragraph > 0),
    position         integer NOT NULL CHECK (position > 0),
    as_given         text,
    PRIMARY KEY (objective_number, related_number),
    UNIQUE (objective_number, position),
    CHECK (objective_number <> related_number)
);
CREATE INDEX related_objectives_related_idx ON related_objectives (related_number, objective_number);

-- Guidance that UN human-rights mechanisms give per objective.
CREATE TABLE guidance_sources (
    id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug             slug NOT NULL UNIQUE,
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    mechanism        text NOT NULL CHECK (mechanism IN ('special_procedure', 'treaty_body')),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 500),
    abbreviation     text CHECK (length(abbreviation) BETWEEN 1 AND 100),
    year             integer NOT NULL CHECK (year BETWEEN 1946 AND 2100),
    symbol           text NOT NULL CHECK (symbol ~ '^[A-Z][A-Za-z0-9./()-]*$'),
    paragraph        text NOT NULL CHECK (length(paragraph) BETWEEN 1 AND 50),
    guidance         text NOT NULL CHECK (length(guidance) > 0),
    position         integer NOT NULL CHECK (position > 0),
    -- Curators' reasons for the links below (links.json), kept so a reviewer can check them.
    actions_reason   text,
    items_reason     text,
    source           jsonb NOT NULL DEFAULT '{}',
    UNIQUE (objective_number, mechanism, position)
);
CREATE INDEX guidance_sources_objective_idx ON guidance_sources (objective_number, position);

CREATE TABLE guidance_source_actions (
    guidance_source_id integer NOT NULL REFERENCES guidance_sources (id) ON DELETE CASCADE,
    action_id          integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (guidance_source_id, action_id)
);
CREATE INDEX guidance_source_actions_action_idx ON guidance_source_actions (action_id, guidance_source_id);

-- Wraps unaccent so it can stand in generated columns and index expressions.
CREATE FUNCTION gcm_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN unaccent('unaccent'::regdictionary, $1);

-- Catalogue items: resources (documents, training and guidance, videos), events, projects.
CREATE TABLE items (
    id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              slug NOT NULL UNIQUE,
    kind              text NOT NULL CHECK (kind IN ('resource', 'event', 'project')),
    -- Resources only: the Hub section heading they are listed under.
    section           text CHECK (section IN ('documents', 'training_and_guidance', 'videos')),
    document_type_id  integer REFERENCES document_types (id),
    -- What clients see as the title, and where it came from: the seed itself, derived
    -- from the seed's text by the catalogue, or an external candidate the curators found.
    title             text CHECK (length(title) BETWEEN 1 AND 500),
    title_provenance  text NOT NULL CHECK (title_provenance IN ('seed', 'derived', 'external')),
    summary           text NOT NULL CHECK (length(summary) BETWEEN 1 AND 10000),
    summary_truncated boolean NOT NULL DEFAULT false,
    url               text CHECK (url ~ '^https?://' AND length(url) <= 2000),
    published_on      date,
    language          text CHECK (language ~ '^[a-z]{2}$'),
    organisation      text CHECK (length(organisation) BETWEEN 1 AND 300),
    city              text CHECK (length(city) BETWEEN 1 AND 200),
    event_country_id  integer REFERENCES countries (id),
    starts_on         date,
    ends_on           date,
    scope             text NOT NULL CHECK (scope IN ('global', 'regional', 'national')),
    status            text NOT NULL DEFAULT 'published'
                      CHECK (status IN ('under_review', 'changes_requested', 'published', 'rejected', 'retracted')),
    position          integer NOT NULL DEFAULT 0,
    geography_reason  text,
    source            jsonb NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),

    -- Sort keys for keyset pagination. GLOBAL_FIRST is the Hub's rule: global before
    -- regional before national, then newest first; undated items sort last.
    scope_rank        smallint GENERATED ALWAYS AS
                      (CASE scope WHEN 'global' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END) STORED,
    age_rank          integer GENERATED ALWAYS AS
                      (date '9999-12-31' - coalesce(published_on, starts_on, date '0001-01-01')) STORED,
    title_key         text GENERATED ALWAYS AS
                      (lower(gcm_unaccent(coalesce(title, summary)))) STORED,
    search            tsvector GENERATED ALWAYS AS
                      (setweight(to_tsvector('gcm'::regconfig, coalesce(title, '')), 'A')
                       || setweight(to_tsvector('gcm'::regconfig, coalesce(organisation, '')), 'B')
                       || setweight(to_tsvector('gcm'::regconfig, summary), 'C')) STORED,

    CHECK ((kind = 'resource') = (section IS NOT NULL)),
    CHECK (kind = 'resource' OR (document_type_id IS NULL AND published_on IS NULL AND language IS NULL)),
    CHECK (kind = 'event' OR (city IS NULL AND event_country_id IS NULL AND starts_on IS NULL AND ends_on IS NULL)),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    CHECK (title IS NOT NULL OR title_provenance = 'seed')
);
CREATE INDEX items_search_idx ON items USING gin (search);
CREATE INDEX items_global_first_idx ON items (kind, scope_rank, age_rank, id) WHERE status = 'published';
CREATE INDEX items_newest_idx ON items (kind, age_rank, id) WHERE status = 'published';
CREATE INDEX items_title_idx ON items (kind, title_key, id) WHERE status = 'published';
CREATE INDEX items_document_type_idx ON items (document_type_id);
CREATE INDEX items_event_country_idx ON items (event_country_id);
CREATE INDEX items_status_idx ON items (status);

CREATE TABLE item_objectives (
    item_id          integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    objective_number integer NOT NULL REFERENCES objectives (number) ON DELETE CASCADE,
    PRIMARY KEY (item_id, objective_number)
);
CREATE INDEX item_objectives_reverse_idx ON item_objectives (objective_number, item_id);

CREATE TABLE item_principles (
    item_id      integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    principle_id integer NOT NULL REFERENCES guiding_principles (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, principle_id)
);
CREATE INDEX item_principles_reverse_idx ON item_principles (principle_id, item_id);

CREATE TABLE item_regions (
    item_id   integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    region_id integer NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, region_id)
);
CREATE INDEX item_regions_reverse_idx ON item_regions (region_id, item_id);

CREATE TABLE item_countries (
    item_id    integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    country_id integer NOT NULL REFERENCES countries (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, country_id)
);
CREATE INDEX item_countries_reverse_idx ON item_countries (country_id, item_id);

CREATE TABLE item_guidance_sources (
    item_id            integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    guidance_source_id integer NOT NULL REFERENCES guidance_sources (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, guidance_source_id)
);
CREATE INDEX item_guidance_sources_reverse_idx ON item_guidance_sources (guidance_source_id, item_id);

CREATE TABLE item_actions (
    item_id   integer NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    action_id integer NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, action_id)
);
CREATE INDEX item_actions_reverse_idx ON item_actions (action_id, item_id);

-- Bumped by every write to the catalogue, so caches know when to drop what they hold.
CREATE TABLE catalogue_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO catalogue_version DEFAULT VALUES;
