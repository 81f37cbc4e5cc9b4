//! The Relay `Node` interface: every entity has an opaque global id that `node` resolves.

use async_graphql::{ID, Interface};

use super::geography::{Country, Region};
use super::guidance::GuidanceSource;
use super::item::{Event, Project, Resource};
use super::objective::{Action, Objective};
use super::reference::{DocumentType, GuidingPrinciple, Instrument};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    Objective(Objective),
    Action(Action),
    GuidanceSource(GuidanceSource),
    GuidingPrinciple(GuidingPrinciple),
    Region(Region),
    Country(Country),
    DocumentType(DocumentType),
    Instrument(Instrument),
    Resource(Resource),
    Event(Event),
    Project(Project),
}
