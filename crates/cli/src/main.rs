//! `comptoir`: the command line. Thin over the library crates so that tests do not
//! rebuild the binary; argv and exit codes live here and nowhere else.

mod args;
mod bench_alert;
mod bench_dashboards;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// The pipeline's threads allocate many small strings at once; glibc's allocator spends
/// more time on its arena locks than on the work (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_tracing(cli.verbose);
    let _ = rustls::crypto::ring::default_provider().install_default();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs go to stderr, so `--json` output on stdout stays one clean line.
fn init_tracing(verbose: bool) {
    let default = if verbose { "info,tantivy=warn" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("COMPTOIR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
