//! One function per subcommand.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use connectors::Format;
use service::{App, BatchReport, Config, ImportOptions, Origin, Sort};

use crate::args::*;
use crate::output;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let load = || Config::load(cli.config.as_deref(), cli.data_dir.as_deref()).context("configuration");
    match cli.command {
        Command::Serve(args) => serve(load()?, args),
        Command::Demo(args) => demo(cli.data_dir.is_some() || std::env::var_os("COMPTOIR_DATA_DIR").is_some(), load()?, args),
        Command::Import(args) => import(load()?, args),
        Command::Search(args) => search(load()?, args),
        Command::Reindex => reindex(load()?),
        Command::Migrate => {
            let config = load()?;
            let app = App::open(config)?;
            app.store().migrate()?;
            eprintln!("migrations applied ({})", app.store().backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Reenrich(args) => reenrich(load()?, args),
        Command::Train(args) => train(args),
        Command::Authors(args) => authors(load()?, args),
        Command::Export(ExportCommand::Corrections { out }) => {
            let app = App::open(load()?)?;
            let rows = app.export_corrections(&out)?;
            eprintln!("wrote {rows} corrections to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(BenchCommand::Ingest(args)) => bench_ingest(args),
        Command::Bench(BenchCommand::Pages(args)) => bench_pages(args),
        Command::Bench(BenchCommand::Detector(args)) => bench_detector(args),
        Command::Bench(BenchCommand::AlertLatency(args)) => bench_alert_latency(args),
        Command::Bench(BenchCommand::Inbox(args)) => bench_inbox(args),
        Command::Bench(BenchCommand::InboxLive(args)) => bench_inbox_live(args),
        Command::Bench(BenchCommand::Reports(args)) => bench_reports(args),
        Command::Bench(BenchCommand::Dashboards(args)) => crate::bench_dashboards::run(args),
        Command::Eval(EvalCommand::Anomalies { nab_dir, out }) => {
            let summary = service::eval::eval_anomalies(&nab_dir, &out)?;
            eprintln!("scored {} series ({} rows) into {}", summary.series, summary.rows, out.display());
            println!("{}", serde_json::to_string(&summary)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Sentiment(args)) => eval_text(service::eval_text::EvalTask::Sentiment, args),
        Command::Eval(EvalCommand::Reason(args)) => eval_text(service::eval_text::EvalTask::Reason, args),
        Command::Token(TokenCommand::Create { label, email, scopes }) => {
            let app = App::open(load()?)?;
            let scopes = scopes.iter().map(|scope| scope.parse()).collect::<Result<Vec<domain::Scope>, _>>()?;
            let token = match email {
                Some(email) => app.create_user_api_token("cli", &email, &label, &scopes)?,
                None if scopes.is_empty() => app.create_api_token(&label)?,
                None => bail!("--scope narrows a user's token: give --email too"),
            };
            eprintln!("API token created (shown once; send it as `Authorization: Bearer TOKEN`):");
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Topic(command) => topic(load()?, command),
        Command::User(command) => user(load()?, command),
    }
}

fn serve(mut config: Config, args: ServeArgs) -> Result<ExitCode> {
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let app = Arc::new(App::open(config)?);
    run_server(app, "serve".into(), |_, address| eprintln!("Comptoir is listening on http://{address}/"))
}

fn demo(data_dir_chosen: bool, mut config: Config, args: DemoArgs) -> Result<ExitCode> {
    if !data_dir_chosen {
        config.data_dir = std::env::temp_dir().join(format!("comptoir-demo-{}", std::process::id()));
    }
    config.listen = args.listen;
    // The demo serves plain http://127.0.0.1: a `Secure` cookie would never come back.
    config.web.secure_cookies = false;
    if config.early_warning == service::early_warning::EarlyWarningConfig::default() {
        config.early_warning = service::demo::demo_early_warning();
    }
    // The demo brand's own accounts, so crisis mode can broadcast and answer in bulk.
    if config.publishing.accounts.is_empty() {
        config.publishing.accounts = service::publishing::PublishingConfig::demo().accounts;
    }
    let app = Arc::new(App::open(config)?);
    if app.list_alert_rules()?.is_empty() {
        let extra = service::demo::DemoAlertChannels {
            webhook: args.alert_webhook.clone().map(|url| (url, args.alert_webhook_secret.clone())),
            email: args.alert_email.clone(),
        };
        for rule in service::demo::demo_alert_rules(&extra) {
            app.create_alert_rule(rule)?;
        }
    }
    if app.list_topics()?.is_empty() {
        for (name, query) in service::demo::DEMO_TOPICS {
            app.create_topic(&domain::NewListeningTopic { name: name.into(), query: query.into(), languages: vec![], owner: "demo".into() })?;
        }
    }
    let token = app.create_api_token("demo")?;
    let admin_password = service::demo::ensure_demo_admin(&app)?;
    let agent_token = app.seed_demo_care()?;
    let options = service::demo::DemoOptions { rate: args.rate, spike_after: Duration::from_secs(args.spike_after), ..Default::default() };
    run_server(app, "demo: simulated stream of X, Bluesky and Mastodon posts".into(), move |state, address| {
        println!("Comptoir demo is running: open http://{address}/");
        println!("Web app: http://{address}/app");
        println!("Sign in as: {}", service::demo::DEMO_ADMIN_EMAIL);
        println!("Password: {admin_password}");
        println!("Data directory: {}", state.app.config.data_dir.display());
        println!("API token: {token}");
        println!("Try: curl -H 'Authorization: Bearer {token}' 'http://{address}/api/v1/search?q=retard*&sort=newest'");
        println!("After the spike: curl -H 'Authorization: Bearer {token}' http://{address}/api/v1/incidents");
        println!("Cases opened from the stream: curl -H 'Authorization: Bearer {token}' 'http://{address}/api/v1/cases?queue=all'");
        if let Some(agent_token) = &agent_token {
            println!("Agent Julie Dupont (team Service client) token: {agent_token}");
            println!("Her queue: curl -H 'Authorization: Bearer {agent_token}' 'http://{address}/api/v1/cases?queue=mine'");
        }
        println!("Press Ctrl-C to stop.");
        tokio::spawn(service::demo::run_demo_stream(state.ingest.clone(), options));
    })
}

fn run_server(app: Arc<App>, mode: String, on_start: impl FnOnce(&web::AppState, std::net::SocketAddr)) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listen = app.config.listen.clone();
        let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
        let ingest = service::start_ingest_thread(app.clone(), app.config.ingest.queue_batches * 16);
        let state = web::AppState::new(app.clone(), ingest.clone(), &mode);
        service::live::start_live_connectors(app.clone(), ingest);
        tokio::spawn(service::run_care_sweep(app.clone()));
        on_start(&state, listener.local_addr()?);
        web::serve(listener, state).await?;
        eprintln!("stopping");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn import(config: Config, args: ImportArgs) -> Result<ExitCode> {
    let format: Format = args.format.parse()?;
    let app = App::open(config)?;
    let mut total = BatchReport::default();
    let mut unreadable = Vec::new();
    for path in &args.files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                unreadable.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let records = match connectors::read_records(format, &bytes) {
            Ok(records) => records,
            Err(error) => {
                unreadable.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        let origin = Origin { format: format.name().to_string(), origin: path.display().to_string() };
        let progress = output::progress_bar(records.len() as u64, &path.display().to_string());
        let report = service::import_records(&app, records, &origin, ImportOptions::from_config(&app), &|done| progress.set_position(done))?;
        progress.finish_and_clear();
        total.add(&report);
    }
    if !app.writer().has_index() {
        eprintln!("note: a running Comptoir server owns the search index; it will index these mentions within seconds");
    }
    for problem in &unreadable {
        eprintln!("error: cannot read {problem}");
    }
    if args.json {
        output::print_import_json(&total, &unreadable);
    } else {
        output::print_import_summary(&total);
    }
    Ok(if unreadable.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn search(config: Config, args: SearchArgs) -> Result<ExitCode> {
    let app = App::open(config)?;
    let sort = match args.sort {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Newest => Sort::Newest,
        SortArg::Oldest => Sort::Oldest,
    };
    let found = match app.search(&args.query, sort, args.limit, args.offset) {
        Ok(found) => found,
        Err(error @ service::ServiceError::Query(_)) => bail!("{error}"),
        Err(error) => return Err(error.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string(&found)?);
    } else {
        output::print_search(&found);
    }
    Ok(ExitCode::SUCCESS)
}

fn reindex(config: Config) -> Result<ExitCode> {
    let app = App::open(config)?;
    let total = app.store().count_mentions()?;
    let progress = output::progress_bar(total, "reindex");
    let indexed = app.reindex(&|done| progress.set_position(done))?;
    progress.finish_and_clear();
    eprintln!("reindexed {indexed} mentions");
    Ok(ExitCode::SUCCESS)
}

fn reenrich(config: Config, args: ReenrichArgs) -> Result<ExitCode> {
    let app = App::open(config)?;
    let scope = if args.all { service::ReenrichScope::All } else { service::ReenrichScope::Outdated };
    let progress = output::progress_bar(app.store().count_mentions()?, "reenrich");
    let report = app.reenrich(scope, &|done| progress.set_position(done))?;
    progress.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "re-enriched {} mentions ({} changed sentiment) with {}",
            report.updated, report.sentiment_changed, report.model_version
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn train(args: TrainArgs) -> Result<ExitCode> {
    let task = match args.task {
        TrainTaskArg::Sentiment => service::TrainTask::Sentiment,
        TrainTaskArg::Reason => service::TrainTask::Reason,
        TrainTaskArg::Intent => service::TrainTask::Intent,
    };
    let request = service::TrainRequest {
        task,
        input: args.input,
        text_column: args.text_column,
        label_column: args.label_column,
        out: args.out,
    };
    let report = service::train_model(&request)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} examples, labels {}: 5-fold cross-validated accuracy {:.1}%, macro-F1 {:.1}\n{}model {} written to {}",
            report.examples,
            report.labels.join(", "),
            100.0 * report.accuracy,
            100.0 * report.macro_f1,
            report.details,
            report.model_version,
            request.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_ingest(args: BenchIngestArgs) -> Result<ExitCode> {
    let format: Format = args.format.parse()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let dir = tempfile::tempdir()?;
    let result = service::bench::bench_ingest(format, &bytes, args.repeat, args.threads, dir.path())?;
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        println!(
            "{} mentions in {:.2} s: {:.0} mentions/s ({} thread(s), parse {:.2} s)",
            result.mentions, result.seconds, result.mentions_per_sec, result.threads, result.parse_seconds
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Fills a fresh data directory from the file, then times each page of the web app.
fn bench_pages(args: BenchPagesArgs) -> Result<ExitCode> {
    let format: Format = args.format.parse()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let temporary = tempfile::tempdir()?;
    let data_dir = args.keep_in.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    let filled = std::fs::read_dir(&data_dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if !filled {
        service::bench::bench_ingest(format, &bytes, args.repeat, 2, &data_dir)?;
    }
    let app = Arc::new(App::open(Config { data_dir: data_dir.clone(), ..Config::default() })?);
    let mentions = app.store().count_mentions()?;
    if args.cases > 0 && app.list_agents()?.len() < 100 {
        eprintln!("loading {} cases and 100 agents", args.cases);
        service::bench_inbox::load_inbox(&app, args.cases, 100, 1, &|loaded| {
            if loaded % 200_000 == 0 {
                eprintln!("  {loaded} cases");
            }
        })?;
    }
    eprintln!("{mentions} mentions stored; timing the pages");
    let password = service::demo::ensure_demo_admin(&app)?;
    let session = app.sign_in(service::demo::DEMO_ADMIN_EMAIL, &password)?.session_secret;
    let newest = app.search("*", service::Sort::Newest, 1, 0)?.mentions;
    let handle = newest.first().map(|mention| mention.mention.author.handle.clone()).unwrap_or_default();
    let contact = app.list_contacts(Some(&handle), None, 1)?.items.first().map(|contact| contact.id.0).unwrap_or(1);
    let paths: Vec<String> = [
        "/app".to_string(),
        "/app/live".into(),
        "/app/contacts".into(),
        format!("/app/contacts?q={handle}"),
        format!("/app/contacts/{contact}"),
        format!("/app/contacts/{contact}/merge?other={}", contact + 1),
        "/app/admin/users".into(),
        "/app/admin/audit".into(),
        "/app/admin/sources".into(),
        "/app/inbox".into(),
        "/app/inbox?queue=breaching".into(),
        // Filters and orders (issue #6); `bench inbox --data-dir D` then `--keep-in D`
        // times them at a million cases.
        "/app/inbox?sort=priority".into(),
        "/app/inbox?queue=unassigned&sort=oldest".into(),
        "/app/inbox?intent=complaint&language=fr&source=x".into(),
        "/app/inbox?status=open&priority=urgent".into(),
        "/app/inbox?tag=bench&sentiment=negative".into(),
        // The first case the pipeline opened (a 404 in the output when none was).
        "/app/cases/1".into(),
    ]
    .into();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let timings = runtime.block_on(async {
        let ingest = service::start_ingest_thread(app.clone(), 16);
        let state = web::AppState::new(app.clone(), ingest, "bench");
        web::bench::time_pages(state, &session, &paths, args.requests).await
    });
    if args.json {
        println!("{}", serde_json::json!({ "mentions": mentions, "pages": timings }));
    } else {
        println!("{mentions} mentions; server time per page over {} requests:", args.requests);
        for timing in &timings {
            println!("  {:<40} {}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms", timing.path, timing.status, timing.p50_ms, timing.p99_ms, timing.max_ms);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Times new cases reaching an open inbox (issue #6: within 1 s of the ingestion).
fn bench_inbox_live(args: BenchInboxLiveArgs) -> Result<ExitCode> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let temporary = tempfile::tempdir()?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    let app = Arc::new(App::open(Config { data_dir, ..Config::default() })?);
    let mentions = app.store().count_mentions()?;
    let password = service::demo::ensure_demo_admin(&app)?;
    let session = app.sign_in(service::demo::DEMO_ADMIN_EMAIL, &password)?.session_secret;
    let token = app.create_api_token("bench inbox-live")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let arrivals = runtime.block_on(async {
        let ingest = service::start_ingest_thread(app.clone(), 16);
        let state = web::AppState::new(app.clone(), ingest, "bench");
        web::bench::time_inbox_arrivals(state, &session, &token, args.runs, std::time::Duration::from_secs(10)).await
    });
    if args.json {
        println!("{}", serde_json::json!({ "mentions_before": mentions, "arrivals": arrivals }));
    } else {
        println!(
            "{} of {} complaints reached the open inbox ({mentions} mentions stored before): p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
            arrivals.arrived, arrivals.runs, arrivals.p50_ms, arrivals.p99_ms, arrivals.max_ms
        );
    }
    Ok(if arrivals.arrived == arrivals.runs { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn bench_detector(args: BenchDetectorArgs) -> Result<ExitCode> {
    if args.points == 0 {
        bail!("--points must be at least 1");
    }
    let result = service::bench::bench_detector(args.points)?;
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        println!(
            "{} points in {:.3} s on-CPU ({:.3} s wall): {:.0} points/s per core (target 1,000,000)",
            result.points, result.cpu_seconds, result.seconds, result.points_per_cpu_second
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_alert_latency(args: BenchAlertLatencyArgs) -> Result<ExitCode> {
    if args.bucket_seconds < 1 || args.runs == 0 {
        bail!("--bucket-seconds and --runs must be at least 1");
    }
    let options = crate::bench_alert::AlertLatencyOptions {
        bucket_seconds: args.bucket_seconds,
        warmup_buckets: args.warmup_buckets,
        ..Default::default()
    };
    let mut runs = Vec::new();
    for _ in 0..args.runs {
        runs.push(crate::bench_alert::run(options)?);
    }
    let latencies: Vec<Option<f64>> = runs.iter().map(|run| run.latency_seconds).collect();
    let all_delivered = latencies.iter().all(Option::is_some);
    let worst = latencies.iter().flatten().copied().fold(None, |worst: Option<f64>, latency| Some(worst.map_or(latency, |w| w.max(latency))));
    if args.json {
        println!("{}", serde_json::json!({ "runs": runs, "all_delivered": all_delivered, "worst_latency_seconds": worst }));
    } else {
        for run in &runs {
            match run.latency_seconds {
                Some(latency) => println!("alert delivered {latency:.3} s after the end of the spike's bucket ({} s buckets)", run.bucket_seconds),
                None => println!("no alert arrived within the timeout"),
            }
        }
        if let Some(worst) = worst {
            println!("worst: {worst:.3} s (target 5 s)");
        }
    }
    Ok(if all_delivered { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn topic(config: Config, command: TopicCommand) -> Result<ExitCode> {
    let app = App::open(config)?;
    match command {
        TopicCommand::Add { name, query, languages, owner } => {
            let topic = app.create_topic(&domain::NewListeningTopic { name, query, languages, owner })?;
            println!("{}", topic.id);
        }
        TopicCommand::List => {
            for topic in app.list_topics()? {
                println!("{}\t{}\t{}\t{}", topic.id, topic.topic.name, topic.topic.query, topic.topic.languages.join(","));
            }
        }
        TopicCommand::Remove { id } => {
            if !app.delete_topic(domain::TopicId(id))? {
                bail!("no topic {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_text(task: service::eval_text::EvalTask, args: EvalTextArgs) -> Result<ExitCode> {
    use service::eval_text::{eval_text, EvalFormat, EvalRequest};
    let format = match args.format {
        EvalFormatArg::Airline => EvalFormat::Airline,
        EvalFormatArg::Umsab => EvalFormat::Umsab,
        EvalFormatArg::Tweeteval => EvalFormat::TweetEval,
    };
    if args.cv.is_some_and(|folds| folds < 2) {
        bail!("--cv needs at least 2 folds");
    }
    let report = eval_text(&EvalRequest {
        task,
        format,
        input: args.input,
        model: args.model,
        cross_validation_folds: args.cv,
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("model {}", report.model);
    println!(
        "n={} accuracy={:.1}% macro-F1={:.1} ({:.0} texts/s, one thread)",
        report.n,
        100.0 * report.accuracy,
        100.0 * report.macro_f1,
        report.texts_per_sec
    );
    for (label, class) in &report.per_class {
        println!(
            "  {label:<28} precision={:5.1}% recall={:5.1}% F1={:5.1} n={}",
            100.0 * class.precision,
            100.0 * class.recall,
            100.0 * class.f1,
            class.support
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn authors(config: Config, args: AuthorsArgs) -> Result<ExitCode> {
    let app = App::open(config)?;
    let authors = app.top_authors(args.limit)?;
    if args.json {
        for author in &authors {
            println!("{}", serde_json::to_string(author)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>9}  {:>6}  {:>6}  {:>10}  author", "influence", "posts", "echoes", "followers");
    for author in &authors {
        let followers = author.followers.map(|count| count.to_string()).unwrap_or_else(|| "-".into());
        println!(
            "{:>9.1}  {:>6}  {:>6}  {:>10}  {}:@{}",
            author.influence,
            author.posts,
            author.echoes,
            followers,
            author.source.as_str(),
            output::terminal_safe(&author.handle)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn user(config: Config, command: UserCommand) -> Result<ExitCode> {
    let app = App::open(config)?;
    match command {
        UserCommand::Add { email, role, name, language, signature, expertise, capacity } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            if password.is_empty() {
                bail!("the password (one line on standard input) is empty");
            }
            let request = service::UserRequest {
                email,
                password,
                role: role.parse()?,
                display_name: name,
                language: language.parse()?,
                signature,
                expertise,
                capacity,
            };
            let user = app.create_user("cli", &request)?;
            eprintln!("user {} created ({}, {})", user.id, user.email, user.role.as_str());
            println!("{}", user.id);
        }
        UserCommand::List { json } => {
            let users = app.list_users()?;
            if json {
                println!("{}", serde_json::to_string(&users)?);
            } else {
                for user in users {
                    let state = if user.active { "" } else { " (inactive)" };
                    println!("{}\t{}\t{}\t{}{state}", user.id, user.email, user.role.as_str(), user.display_name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bench_reports(args: BenchReportsArgs) -> Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let data_dir = match &args.keep_in {
        Some(folder) => {
            if std::fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_some()) {
                anyhow::bail!("{} is not empty: --keep-in takes a new or empty folder", folder.display());
            }
            folder.clone()
        }
        None => dir.path().to_path_buf(),
    };
    let mut config = Config { data_dir, ..Config::default() };
    if let Some(url) = &args.postgres {
        config.database_url = url.clone();
    }
    let app = Arc::new(App::open(config)?);
    let backend = app.store().backend().to_string();
    eprintln!("loading {} cases and {} agents into {backend}…", args.cases, args.agents);
    let fixture = service::bench_inbox::load_inbox(&app, args.cases, args.agents, 1, &|loaded| {
        if loaded % 200_000 == 0 {
            eprintln!("  {loaded} cases");
        }
    })?;
    let token = service::bench_reports::supervisor_token(&app)?;
    let team = app.list_teams()?.into_iter().find(|team| team.name == "Bench care").map(|team| team.id.0);
    eprintln!("loaded in {:.1} s; {} requests per period…", fixture.load_seconds, args.requests);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let ingest = service::start_ingest_thread(app.clone(), 8);
        let state = web::AppState::new(app.clone(), ingest, "bench");
        let server = tokio::spawn(web::serve(listener, state));
        let measured = service::bench_reports::drive_reports(&format!("http://{address}"), &token, &fixture, team, &backend, args.requests).await;
        server.abort();
        anyhow::Ok(measured?)
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        for query in &result.per_query {
            println!("{backend}: /api/v1/reports/care{} p50 {:.1} ms p99 {:.1} ms", query.query, query.latency.p50_ms, query.latency.p99_ms);
        }
        println!("{backend}: {} cases — overall p50 {:.1} ms p99 {:.1} ms, {} errors", result.cases, result.overall.p50_ms, result.overall.p99_ms, result.errors);
    }
    Ok(if result.errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn bench_inbox(args: BenchInboxArgs) -> Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let mut config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    if let Some(url) = &args.postgres {
        config.database_url = url.clone();
    }
    let app = Arc::new(App::open(config)?);
    let backend = app.store().backend().to_string();
    eprintln!("loading {} cases and {} agents into {backend}…", args.cases, args.agents);
    let fixture = service::bench_inbox::load_inbox(&app, args.cases, args.agents, args.clients, &|loaded| {
        if loaded % 200_000 == 0 {
            eprintln!("  {loaded} cases");
        }
    })?;
    eprintln!("loaded in {:.1} s; {} clients × {} requests…", fixture.load_seconds, args.clients, args.requests);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let ingest = service::start_ingest_thread(app.clone(), 8);
        let state = web::AppState::new(app.clone(), ingest, "bench");
        let server = tokio::spawn(web::serve(listener, state));
        let measured = service::bench_inbox::drive_inbox(&format!("http://{address}"), &fixture, &backend, args.clients, args.requests).await;
        server.abort();
        anyhow::Ok(measured?)
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        println!(
            "{backend}: {} cases, {} clients — list p50 {:.1} ms p99 {:.1} ms; open p50 {:.1} ms p99 {:.1} ms; {:.0} requests/s, {} errors; loaded at {:.0} cases/s",
            result.cases, result.clients, result.list.p50_ms, result.list.p99_ms, result.open.p50_ms, result.open.p99_ms,
            result.requests_per_sec, result.errors, result.load_cases_per_sec
        );
    }
    Ok(if result.errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
