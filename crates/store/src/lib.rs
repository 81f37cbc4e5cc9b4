//! PostgreSQL storage for the GCM catalogue: the diesel schema, row models with their
//! batch queries (many keys in, one map out: the GraphQL loaders call these), the
//! embedded migrations, the connection pool, and the catalogue importer/exporter. (The
//! embedded PostgreSQL cluster is `gcm-embedded-postgres`.)
//!
//! `diesel_async::RunQueryDsl` is imported only inside this crate: it is implemented for
//! every type, and outside a store module it shadows methods such as `Schema::execute`.

pub mod catalogue;
pub mod curation;
pub mod error;
pub mod list_sizes;
pub mod migrations;
pub mod models;
mod pool;
pub mod prepared;
pub mod replicas;
/// `diesel print-schema` of the migrated database (options in the workspace's diesel.toml),
/// never edited by hand: `tests/schema_rs.rs` fails with a diff when it differs.
pub mod schema;
pub mod synthetic;
pub mod version;

pub use error::{StoreError, StoreResult};
pub use pool::{
    Conn, Pool, PoolConfig, build_pool, forget_cached_statements, note_stale_plan,
    record_statement_texts, stale_plans_seen,
};
