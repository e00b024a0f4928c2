//! The `folio` command line: argument parsing, file IO and terminal output around the `folio`
//! library. Everything about pages lives in the library; this crate only knows files and terminals.

mod args;
mod attachments;
mod check;
mod compile;
mod coverage;
mod export;
mod page_setup;
mod report;
mod serve;
mod zip_files;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Exit codes, as `--help` documents them.
pub mod exit {
    pub const OK: u8 = 0;
    /// A document failed (check), or typesetting failed.
    pub const FAILED: u8 = 1;
    /// Malformed input, unreadable files, bad arguments.
    pub const INPUT: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Compile(args) => compile::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    ExitCode::from(code)
}
