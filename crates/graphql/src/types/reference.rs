//! Guiding principles, document types and ILO instruments.

use std::sync::Arc;

use async_graphql::{ID, Object};
use gcm_store::models::objectives::InstrumentRow;
use gcm_store::models::reference::{DocumentTypeRow, PrincipleRow};

use super::enums::InstrumentKind;
use crate::ids::{NodeType, node_id};

/// One of the ten guiding principles of the GCM (A/RES/73/195 paragraph 15).
#[derive(Debug, Clone)]
pub struct GuidingPrinciple(pub Arc<PrincipleRow>);

/// One of the ten guiding principles of the GCM (A/RES/73/195 paragraph 15).
#[Object]
impl GuidingPrinciple {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::GuidingPrinciple, &self.0.slug)
    }

    /// Stable key, e.g. `human-rights`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The name as the Hub's menu writes it.
    #[graphql(shareable)]
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Position in the Hub's menu (and paragraph 15's order), from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
}

/// A type of document the Hub classifies resources by.
#[derive(Debug, Clone)]
pub struct DocumentType(pub Arc<DocumentTypeRow>);

/// A type of document the Hub classifies resources by.
#[Object]
impl DocumentType {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::DocumentType, &self.0.slug)
    }

    /// Stable key, e.g. `guidelines-toolkits-manuals`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The name as the Hub's menu writes it.
    #[graphql(shareable)]
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// An ILO convention or recommendation.
#[derive(Debug, Clone)]
pub struct Instrument(pub Arc<InstrumentRow>);

/// An ILO convention or recommendation.
#[Object]
impl Instrument {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::Instrument, &self.0.code)
    }

    /// ILO code, e.g. `C118` (conventions C, recommendations R).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Convention or recommendation.
    async fn kind(&self) -> InstrumentKind {
        self.0.kind.into()
    }

    /// The instrument's number, e.g. 118.
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// Year of adoption.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The official ILO short title.
    #[graphql(shareable)]
    async fn title(&self) -> &str {
        &self.0.title
    }
}
