mod exit {
    pub const OK: u8 = 0;
    pub const INPUT: u8 = 2;
}
#[path = "../../folio-cli/src/serve.rs"]
mod serve;
use clap::{Parser, Subcommand};
#[derive(Debug, Parser)]
#[command(name = "folio")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve.
    Serve(serve::ServeArgs),
}
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let Command::Serve(args) = cli.command;
    std::process::ExitCode::from(serve::run(&args))
}
