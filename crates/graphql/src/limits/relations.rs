//! Which kept list size (`gcm_store::list_sizes`) bounds which list field: the one place a
//! schema coordinate is tied to the table and column behind it. A test checks that every
//! list the SDL declares an `assumedSize` for is named here or is a fixed enumeration,
//! and that every relation named here is kept by the migration.

/// `(schema coordinate, relation)`: the relation's largest list bounds the field.
pub const RELATIONS: &[(&str, &str)] = &[
    ("Query.objectives", "objectives"),
    ("Query.principles", "guiding_principles"),
    ("Query.regions", "regions"),
    ("Query.countries", "countries"),
    ("Query.documentTypes", "document_types"),
    ("Query.instruments", "instruments"),
    ("Query.mySubmissions", "submissions.submitter_id"),
    ("Query.reviewQueue", "submissions"),
    ("Facets.objectives", "objectives"),
    ("Facets.principles", "guiding_principles"),
    ("Facets.regions", "regions"),
    ("Facets.countries", "countries"),
    ("Facets.documentTypes", "document_types"),
    ("Objective.actions", "actions.objective_number"),
    (
        "Objective.guidanceSources",
        "guidance_sources.objective_number",
    ),
    (
        "Objective.relatedObjectives",
        "related_objectives.objective_number",
    ),
    (
        "Objective.instruments",
        "objective_instruments.objective_number",
    ),
    ("Objective.policyOptions", "policy_options.objective_number"),
    (
        "Action.guidanceSources",
        "guidance_source_actions.action_id",
    ),
    (
        "GuidanceSource.actions",
        "guidance_source_actions.guidance_source_id",
    ),
    // One kind's items of a source are at most all its items.
    (
        "GuidanceSource.resources",
        "item_guidance_sources.guidance_source_id",
    ),
    (
        "GuidanceSource.events",
        "item_guidance_sources.guidance_source_id",
    ),
    (
        "GuidanceSource.projects",
        "item_guidance_sources.guidance_source_id",
    ),
    ("Region.countries", "countries.region_id"),
    ("Submission.reviews", "reviews.submission_id"),
    ("CatalogueItem.objectives", "item_objectives.item_id"),
    ("CatalogueItem.principles", "item_principles.item_id"),
    ("CatalogueItem.regions", "item_regions.item_id"),
    ("CatalogueItem.countries", "item_countries.item_id"),
    (
        "CatalogueItem.guidanceSources",
        "item_guidance_sources.item_id",
    ),
    ("CatalogueItem.actions", "item_actions.item_id"),
    ("Resource.objectives", "item_objectives.item_id"),
    ("Resource.principles", "item_principles.item_id"),
    ("Resource.regions", "item_regions.item_id"),
    ("Resource.countries", "item_countries.item_id"),
    ("Resource.guidanceSources", "item_guidance_sources.item_id"),
    ("Resource.actions", "item_actions.item_id"),
    ("Event.objectives", "item_objectives.item_id"),
    ("Event.principles", "item_principles.item_id"),
    ("Event.regions", "item_regions.item_id"),
    ("Event.countries", "item_countries.item_id"),
    ("Event.guidanceSources", "item_guidance_sources.item_id"),
    ("Event.actions", "item_actions.item_id"),
    ("Project.objectives", "item_objectives.item_id"),
    ("Project.principles", "item_principles.item_id"),
    ("Project.regions", "item_regions.item_id"),
    ("Project.countries", "item_countries.item_id"),
    ("Project.guidanceSources", "item_guidance_sources.item_id"),
    ("Project.actions", "item_actions.item_id"),
];

/// Lists whose size is fixed by an enumeration or a range, not by the data.
pub const FIXED: &[&str] = &[
    "Facets.kinds",
    "Facets.sections",
    "Facets.scopes",
    "Facets.years",
    "Query.nodes",
    "Query.auditLog",
    // Bounded by its `first` (at most 100), like the audit log.
    "Facets.organisations",
    // The Hub's menus: the bundled reference lists plus the entries that are not records
    // (a kept relation's live size would leave those out).
    "HubMenus.objectives",
    "HubMenus.principles",
    "HubMenus.regions",
    "HubMenus.countries",
    "HubMenus.documentTypes",
    // One entry per kind of mechanism.
    "Objective.guidanceCoverage",
    // A menu entry's filter holds one value.
    "HubMenuFilter.objectives",
    "HubMenuFilter.principles",
    "HubMenuFilter.regions",
    "HubMenuFilter.countries",
    "HubMenuFilter.documentTypes",
    "HubMenuFilter.scope",
    // A publication's own scope statement, as its file gives it (two lines for QUNO's).
    "Publication.scopeAsGiven",
];

/// The relation that bounds a field, if any.
pub fn relation_of(coordinate: &str) -> Option<&'static str> {
    RELATIONS
        .iter()
        .find(|(field, _)| *field == coordinate)
        .map(|(_, relation)| *relation)
}
