//! The GraphQL types: one module per domain, wrapping the store's rows.

pub mod connection;
pub mod enums;
pub mod facets;
pub mod filter;
pub mod geography;
pub mod guidance;
pub mod item;
pub mod item_lists;
pub mod menus;
pub mod node;
pub mod objective;
pub mod reference;
pub mod scalars;
