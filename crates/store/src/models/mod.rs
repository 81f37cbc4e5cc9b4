//! Row models, one module per table, with their batch queries.
