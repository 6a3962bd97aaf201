//! Comptoir's use cases: the ingestion pipeline, search, reindex, the demo simulator
//! and the benchmarks. The only crate that combines the store, the search index, the
//! connectors and the language tools.

mod access;
mod app;
pub mod cases;
mod contacts;
pub mod bench;
pub mod bench_inbox;
pub mod bench_reports;
mod config;
mod counters;
pub mod demo;
pub mod early_warning;
pub mod eval;
pub mod eval_text;
mod error;
pub mod feed;
mod import;
mod influence;
pub mod listening;
pub mod live;
mod ingest;
mod neardup;
mod prepare;
mod principal_cache;
pub mod publishing;
mod understanding;
mod writer;

pub use access::{SignIn, TeamRequest, TokenView, UserPatch, UserRequest, SESSION_TTL};
pub use app::{App, AuthorView, SearchOutput};
pub use contacts::ContactPage;
pub use config::{Config, ConnectorsConfig, IngestConfig, MetaConfig, ModelsConfig, WebConfig};
pub use counters::Counters;
pub use error::ServiceError;
pub use cases::run_care_sweep;
pub use import::{import_records, ImportOptions};
pub use ingest::{start_ingest_thread, IngestHandle, IngestJob};
pub use prepare::{prepare, Origin, Prepared, Stages};
pub use search::Sort;
pub use store::{AuditEntry, AuditFilter, EnrichmentCorrection, MentionWrite, QuarantinedRecord, READ_CONNECTIONS};
pub use understanding::{
    load_analyzer, train_model, train_options, EnrichmentCorrectionRequest, ReenrichReport, ReenrichScope, TrainReport, TrainRequest, TrainTask,
};
pub use writer::{BatchReport, QuarantineSample, Writer};
