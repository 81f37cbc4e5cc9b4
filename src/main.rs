//! `gcm-catalogue`: see `gcm-catalogue --help`, and `gcm_server::cli` for the commands.

use clap::Parser;

/// Answering a GraphQL query allocates per field (futures, values, strings); glibc's
/// allocator spent a third of the CPU of the benchmark's full traversal (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gcm_server::cli::main(gcm_server::cli::Cli::parse())
}
