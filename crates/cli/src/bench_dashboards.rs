//! `comptoir bench dashboards`: ingests a file replayed N times (1,000,000 mentions by
//! default with the airline file) into a fresh data directory, then times the listening
//! dashboard through the router — the page for each range, one topic, the charts
//! fragment the page refreshes, the JSON API and a CSV export — and prints p50/p99.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use connectors::Format;
use service::{App, Config};

use crate::args::BenchDashboardsArgs;

pub fn run(args: BenchDashboardsArgs) -> Result<ExitCode> {
    let format: Format = args.format.parse()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let temporary = tempfile::tempdir()?;
    let data_dir = args.keep_in.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    let filled = std::fs::read_dir(&data_dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if !filled {
        eprintln!("ingesting {} × {} into {}", args.repeat, args.file.display(), data_dir.display());
        service::bench::bench_ingest(format, &bytes, args.repeat, 2, &data_dir)?;
    }
    let app = Arc::new(App::open(Config { data_dir: data_dir.clone(), ..Config::default() })?);
    let mentions = app.store().count_mentions()?;
    let topic = app.list_topics()?.first().map(|topic| topic.id.0).unwrap_or(1);
    eprintln!("{mentions} mentions stored; timing the dashboards");
    let password = service::demo::ensure_demo_admin(&app)?;
    let session = app.sign_in(service::demo::DEMO_ADMIN_EMAIL, &password)?.session_secret;
    let paths: Vec<String> = vec![
        "/app/listening?range=24h".into(),
        "/app/listening?range=7d".into(),
        "/app/listening?range=30d".into(),
        // Every stored mention in one dashboard: the aggregation's worst case.
        "/app/listening?range=all".into(),
        format!("/app/listening?topic={topic}&range=all"),
        "/app/listening/charts?range=all".into(),
        "/api/v1/dashboards/listening?range=all".into(),
        "/api/v1/dashboards/listening?range=all&format=csv&chart=volume_by_source".into(),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let timings = runtime.block_on(async {
        let ingest = service::start_ingest_thread(app.clone(), 16);
        let state = web::AppState::new(app.clone(), ingest, "bench");
        web::bench::time_pages(state, &session, &paths, args.requests).await
    });
    if args.json {
        println!("{}", serde_json::json!({ "mentions": mentions, "pages": timings }));
    } else {
        println!("{mentions} mentions; server time per request over {} requests:", args.requests);
        for timing in &timings {
            println!("  {:<72} {}  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms", timing.path, timing.status, timing.p50_ms, timing.p99_ms, timing.max_ms);
        }
    }
    Ok(ExitCode::SUCCESS)
}
