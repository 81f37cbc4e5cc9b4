//! `embed_migrations!` reads `migrations/` at compile time; a new migration folder must
//! rebuild the crate, which cargo does not know by itself.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
