//! `gcm-catalogue`: see `gcm-catalogue --help`, and `gcm_server::cli` for the commands.

use clap::Parser;

fn main() -> std::process::ExitCode {
    gcm_server::cli::main(gcm_server::cli::Cli::parse())
}
