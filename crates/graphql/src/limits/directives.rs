//! Demand control declared in the schema: Federation's `@listSize` (v2.9 and later) on every
//! list field, so routers (Apollo Router's `demand_control`, Hive Router) and this server's
//! own analyser ([`super::CostModel`], which reads the same served SDL) cost a query alike.
//!
//! - a connection: `@listSize(assumedSize: 20, slicingArguments: ["first", "last"],
//!   sizedFields: ["edges", "nodes"], requireOneSlicingArgument: false)`;
//! - a fixed reference list: `@listSize(assumedSize: N)`, N its real size;
//! - a curated relation: `@listSize(assumedSize: N, slicingArguments: ["first"],
//!   requireOneSlicingArgument: false)`, N a design figure below. This server replaces N
//!   with the relation's live maximum (`gcm_store::list_sizes`); `/readyz` and the log warn
//!   when the live maximum passes N, because routers would then under-estimate.

use async_graphql::TypeDirective;

// Federation's `@listSize`. The SDL export drops this definition (routers know it from the
// `@link` import); introspection still lists it. No doc comment: it would become a
// description that the export cannot drop with the definition's one line.
#[TypeDirective(name = "listSize", location = "FieldDefinition")]
pub fn list_size(
    assumed_size: Option<i32>,
    slicing_arguments: Option<Vec<String>>,
    sized_fields: Option<Vec<String>>,
    require_one_slicing_argument: Option<bool>,
) {
}

/// The page size of a connection when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// `assumedSize` of the connection declarations.
pub const CONNECTION_ASSUMED: i32 = DEFAULT_PAGE_SIZE;

/// Design figures of the curated relations: what a list is expected to hold at most in a
/// catalogue of the Hub's kind. Several are hard bounds of the data model (an objective's
/// actions are lettered a–z; an item serves at most the 23 objectives).
pub mod design {
    /// An item's objectives: at most all 23.
    pub const ITEM_OBJECTIVES: i32 = 23;
    /// An item's guiding principles: at most all 10.
    pub const ITEM_PRINCIPLES: i32 = 10;
    /// An item's regions: at most all 5.
    pub const ITEM_REGIONS: i32 = 5;
    /// An item's countries: the Hub ties a national or regional item to a few.
    pub const ITEM_COUNTRIES: i32 = 30;
    /// An item's guidance sources and actions (curated links).
    pub const ITEM_GUIDANCE: i32 = 10;
    pub const ITEM_ACTIONS: i32 = 10;
    /// An objective's lettered actions: a to z.
    pub const OBJECTIVE_ACTIONS: i32 = 26;
    /// Guidance compiled for one objective.
    pub const OBJECTIVE_GUIDANCE: i32 = 50;
    /// Other objectives an objective names: at most the other 22.
    pub const OBJECTIVE_RELATED: i32 = 22;
    pub const OBJECTIVE_INSTRUMENTS: i32 = 20;
    pub const OBJECTIVE_POLICY_OPTIONS: i32 = 30;
    /// Guidance sources linked to one action, and actions to one guidance source.
    pub const ACTION_GUIDANCE: i32 = 20;
    pub const GUIDANCE_ACTIONS: i32 = 26;
    /// Items of one kind linked to one guidance source.
    pub const GUIDANCE_ITEMS: i32 = 100;
    /// Countries of one region (Africa has 54).
    pub const REGION_COUNTRIES: i32 = 60;
    /// Reviews of one submission, over its rounds.
    pub const SUBMISSION_REVIEWS: i32 = 20;
    /// A contributor's submissions, and the review queue.
    pub const SUBMISSIONS: i32 = 100;
}

/// Real sizes of the fixed reference lists (the bundled catalogue's; the live count
/// replaces them where a catalogue holds more).
pub mod fixed {
    pub const OBJECTIVES: i32 = 23;
    pub const PRINCIPLES: i32 = 10;
    pub const REGIONS: i32 = 5;
    pub const COUNTRIES: i32 = 195;
    pub const DOCUMENT_TYPES: i32 = 12;
    pub const INSTRUMENTS: i32 = 5;
    /// Item kinds, resource sections and scopes: the enums' sizes.
    pub const KINDS: i32 = 3;
    pub const SECTIONS: i32 = 3;
    pub const SCOPES: i32 = 3;
    /// Years 1900 to 2100.
    pub const YEARS: i32 = 201;
}

/// The slicing argument of curated relation lists.
pub fn first_only() -> Option<Vec<String>> {
    Some(vec!["first".to_owned()])
}

/// The slicing arguments of connections.
pub fn first_or_last() -> Option<Vec<String>> {
    Some(vec!["first".to_owned(), "last".to_owned()])
}

/// The lists inside a connection that hold the page.
pub fn edges_and_nodes() -> Option<Vec<String>> {
    Some(vec!["edges".to_owned(), "nodes".to_owned()])
}
