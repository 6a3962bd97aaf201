//! The command-line grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "comptoir", version, about = "Comptoir: social listening and customer care, in one program")]
pub struct Cli {
    /// Where the embedded default keeps its files [env: COMPTOIR_DATA_DIR] [default: ./comptoir-data]
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// A TOML configuration file (default: DATA_DIR/comptoir.toml when it exists)
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Log what happens (or set COMPTOIR_LOG=info)
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: HTTP API, webhooks, live connectors from the configuration
    Serve(ServeArgs),
    /// Run the server with a simulated stream of French and English mentions
    Demo(DemoArgs),
    /// Import files in a source format
    Import(ImportArgs),
    /// Search stored mentions with the listening query language (docs/queries.md)
    Search(SearchArgs),
    /// Rebuild the search index from the store
    Reindex,
    /// Apply the store's migrations and exit
    Migrate,
    /// Run the current understanding models again over stored mentions
    Reenrich(ReenrichArgs),
    /// Train an understanding model on a labelled CSV file (5-fold cross-validated)
    Train(TrainArgs),
    /// List authors by real influence (engagement earned and echoes, not followers)
    Authors(AuthorsArgs),
    /// Export data out of the store
    #[command(subcommand)]
    Export(ExportCommand),
    /// Measure the product as it runs
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Evaluate a model on a public benchmark, from fresh state
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage users (people who sign in)
    #[command(subcommand)]
    User(UserCommand),
    /// Manage listening topics
    #[command(subcommand)]
    Topic(TopicCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: COMPTOIR_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long)]
    pub listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Simulated posts per second outside the spike
    #[arg(long, default_value_t = 3.0)]
    pub rate: f64,
    /// Seconds before the simulated outage spike starts
    #[arg(long, default_value_t = 60)]
    pub spike_after: u64,
    /// Also send the spike's alert to this webhook (signed with --alert-webhook-secret)
    #[arg(long, env = "COMPTOIR_DEMO_ALERT_WEBHOOK")]
    pub alert_webhook: Option<String>,
    #[arg(long, env = "COMPTOIR_DEMO_ALERT_WEBHOOK_SECRET", default_value = "demo")]
    pub alert_webhook_secret: String,
    /// Also e-mail the spike's alert to these addresses (comma-separated; needs [smtp]
    /// or COMPTOIR_SMTP_HOST)
    #[arg(long, env = "COMPTOIR_DEMO_ALERT_EMAIL", value_delimiter = ',')]
    pub alert_email: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// x-v2, jetstream, mastodon, rss, atom, eml, mbox, airline-csv, twcs-csv, ndjson
    #[arg(long)]
    pub format: String,
    /// Print one JSON object with the counts instead of a summary
    #[arg(long)]
    pub json: bool,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (`*` matches everything)
    pub query: String,
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The full ingestion pipeline on the embedded default, from a fresh data directory
    Ingest(BenchIngestArgs),
    /// Server time of the web app's pages over a data set ingested from a file
    Pages(BenchPagesArgs),
    /// The spike detector alone: points scored per second of one core
    Detector(BenchDetectorArgs),
    /// From the end of a spike's bucket to its webhook alert, through the running server
    AlertLatency(BenchAlertLatencyArgs),
    /// The care inbox: loads cases and agents, runs the HTTP server and measures listing
    /// and opening cases under concurrent clients (p50/p99)
    Inbox(BenchInboxArgs),
    /// From a complaint's ingestion to its case in an open inbox (the case events stream
    /// and the case fetch the inbox page makes), one complaint at a time
    InboxLive(BenchInboxLiveArgs),
    /// The care report: loads cases (as `bench inbox` does), runs the HTTP server and
    /// measures `GET /api/v1/reports/care` over several periods, one request at a time
    Reports(BenchReportsArgs),
    /// The listening dashboard's server time (page, charts fragment, API, CSV) over a
    /// data set ingested from a file (p50/p99)
    Dashboards(BenchDashboardsArgs),
}

#[derive(Debug, Args)]
pub struct BenchInboxLiveArgs {
    /// Complaints ingested, one after the other
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Use this data directory (say, one `bench inbox` filled) instead of a fresh one
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchReportsArgs {
    /// Measure on PostgreSQL (an empty database: the bench fills it) instead of SQLite
    #[arg(long)]
    pub postgres: Option<String>,
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    #[arg(long, default_value_t = 100)]
    pub agents: usize,
    /// Requests per period measured
    #[arg(long, default_value_t = 20)]
    pub requests: usize,
    /// Load into this empty folder and keep it afterwards (to inspect the SQLite
    /// database); by default a temporary folder, removed at the end
    #[arg(long)]
    pub keep_in: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchDashboardsArgs {
    #[arg(long)]
    pub format: String,
    pub file: PathBuf,
    /// Replay the file this many times, with fresh ids (100 × the airline file ≈ 1,000,000 mentions)
    #[arg(long, default_value_t = 100)]
    pub repeat: usize,
    /// Requests per path
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    /// Keep the data set in this folder; a folder filled by an earlier run (this bench's
    /// or `bench pages`') is reused as it is
    #[arg(long)]
    pub keep_in: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchPagesArgs {
    #[arg(long)]
    pub format: String,
    pub file: PathBuf,
    /// Replay the file this many times, with fresh ids (the data set's size)
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Requests per page
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    /// Keep the data set in this folder; a folder filled by an earlier run is reused
    /// as it is (nothing is ingested)
    #[arg(long)]
    pub keep_in: Option<PathBuf>,
    /// Also load this many benchmark cases (as `bench inbox` does, 100 agents) when the
    /// data set holds fewer cases, so the inbox pages are timed at that size
    #[arg(long, default_value_t = 0)]
    pub cases: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchDetectorArgs {
    /// Buckets of the synthetic series to score
    #[arg(long, default_value_t = 5_000_000)]
    pub points: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchAlertLatencyArgs {
    /// Bucket length of the early warning during the run
    #[arg(long, default_value_t = 2)]
    pub bucket_seconds: i64,
    /// Buckets the detector learns before the spike
    #[arg(long, default_value_t = 10)]
    pub warmup_buckets: u64,
    /// Runs (each on a fresh server); the report lists each and the worst
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchInboxArgs {
    /// Measure on PostgreSQL (an empty database: the bench fills it) instead of SQLite
    #[arg(long)]
    pub postgres: Option<String>,
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    #[arg(long, default_value_t = 100)]
    pub agents: usize,
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// Requests per client
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchIngestArgs {
    #[arg(long)]
    pub format: String,
    pub file: PathBuf,
    /// Replay the file this many times, with fresh ids
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// 1: all stages on one thread; 2: stateless stages on a second thread
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Run the spike detector over NAB series (<category>/<file>.csv) and write
    /// OUTDIR/<category>/<file>.csv with timestamp,value,anomaly_score
    Anomalies {
        #[arg(long)]
        nab_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Score the built-in sentiment model (or --model) on a labelled file; --cv K
    /// cross-validates a freshly trained model instead
    Sentiment(EvalTextArgs),
    /// Score the built-in airline complaint-reason model (or --model) on the negative
    /// rows of an airline file (`negativereason`); --cv K cross-validates instead
    Reason(EvalTextArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EvalFormatArg {
    /// Twitter US Airline Sentiment CSV (text, airline_sentiment, negativereason)
    Airline,
    /// UMSAB CSV (text, label), e.g. French DEFT 2017
    Umsab,
    /// TweetEval sentiment CSV (text, label)
    Tweeteval,
}

#[derive(Debug, Args)]
pub struct EvalTextArgs {
    #[arg(long, value_enum)]
    pub format: EvalFormatArg,
    /// The labelled CSV file
    pub input: PathBuf,
    /// A model file (`comptoir train … --out`) instead of the one built into the binary
    #[arg(long, conflicts_with = "cv")]
    pub model: Option<PathBuf>,
    /// Cross-validate a model trained on FILE over K folds
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Print one JSON object (the figures) instead of a summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; prints the token alone as the last line of stdout
    Create {
        /// A label to recognise the token by
        #[arg(long, default_value = "cli")]
        label: String,
        /// The user the token acts for (without it: an ownerless token with administrator rights)
        #[arg(long)]
        email: Option<String>,
        /// Narrow the token (repeatable): mentions:read, mentions:write, cases:read,
        /// cases:write, contacts:read, contacts:write, admin. None: the user's full rights
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line)
    Add {
        #[arg(long)]
        email: String,
        /// admin, supervisor, agent, crowd or analyst
        #[arg(long)]
        role: String,
        /// Display name (default: the e-mail's local part)
        #[arg(long)]
        name: Option<String>,
        /// Interface language: fr or en
        #[arg(long, default_value = "fr")]
        language: String,
        /// Signature appended to public replies, e.g. ^JD
        #[arg(long)]
        signature: Option<String>,
        /// Expertise tag (repeatable), for crowd routing
        #[arg(long = "expertise")]
        expertise: Vec<String>,
        /// Most open cases at once
        #[arg(long)]
        capacity: Option<i64>,
    },
    /// List users
    List {
        /// One JSON line
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TopicCommand {
    /// Add a listening topic
    Add {
        name: String,
        query: String,
        /// Keep only these languages (repeatable), e.g. --lang fr
        #[arg(long = "lang")]
        languages: Vec<String>,
        #[arg(long, default_value = "")]
        owner: String,
    },
    /// List the listening topics
    List,
    /// Remove a listening topic by id
    Remove { id: i64 },
}

#[derive(Debug, Args)]
pub struct AuthorsArgs {
    /// How many authors, most influential first
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReenrichArgs {
    /// Every mention, not only those enriched by other models than the current ones
    #[arg(long)]
    pub all: bool,
    /// Print one JSON object with the counts instead of a summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrainTaskArg {
    Sentiment,
    Reason,
    Intent,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// What the labels are: sentiment (negative, neutral, positive), reason or intent
    #[arg(value_enum)]
    pub task: TrainTaskArg,
    /// A CSV file with a header row
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long, default_value = "text")]
    pub text_column: String,
    #[arg(long, default_value = "label")]
    pub label_column: String,
    /// Where to write the model (`.cptm`), for the `[models]` section of the configuration
    #[arg(long)]
    pub out: PathBuf,
    /// Print one JSON object with the figures instead of a summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Agents' corrections as `text,label,field` CSV rows, ready for `comptoir train`
    Corrections {
        #[arg(long)]
        out: PathBuf,
    },
}
