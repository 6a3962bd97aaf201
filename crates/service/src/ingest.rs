//! The long-running ingestion thread of a server: HTTP batches and live connectors send
//! jobs through a bounded channel (back-pressure), one thread runs them through the
//! pipeline, and each sender that asked gets its report after the durable commit.

use std::sync::Arc;
use std::time::Duration;

use connectors::Record;
use tokio::sync::{mpsc, oneshot};

use crate::app::App;
use crate::prepare::{prepare, Origin, Prepared, Stages};
use crate::writer::BatchReport;

/// Work for the ingestion thread.
pub struct IngestJob {
    pub records: Vec<Record>,
    pub origin: Origin,
    /// Receives the report once the batch is committed (HTTP callers wait for it).
    pub reply: Option<oneshot::Sender<Result<BatchReport, String>>>,
}

/// A cheap handle to send jobs to the ingestion thread.
#[derive(Clone)]
pub struct IngestHandle {
    sender: mpsc::Sender<IngestJob>,
}

impl IngestHandle {
    /// Sends records and waits until they are durably stored.
    pub async fn ingest(&self, records: Vec<Record>, origin: Origin) -> Result<BatchReport, String> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(IngestJob { records, origin, reply: Some(reply) })
            .await
            .map_err(|_| "the ingestion thread has stopped".to_string())?;
        answer.await.map_err(|_| "the ingestion thread has stopped".to_string())?
    }

    /// Sends records without waiting for the commit (live connectors).
    pub async fn send(&self, records: Vec<Record>, origin: Origin) -> Result<(), String> {
        self.sender
            .send(IngestJob { records, origin, reply: None })
            .await
            .map_err(|_| "the ingestion thread has stopped".to_string())
    }
}

/// How long the thread waits for a job before doing its periodic work.
const TICK: Duration = Duration::from_millis(500);

/// Starts the ingestion thread; it stops when every handle is dropped.
pub fn start_ingest_thread(app: Arc<App>, queue_jobs: usize) -> IngestHandle {
    let (sender, mut receiver) = mpsc::channel::<IngestJob>(queue_jobs);
    std::thread::Builder::new()
        .name("comptoir-ingest".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("timer runtime");
            loop {
                let next = runtime.block_on(async { tokio::time::timeout(TICK, receiver.recv()).await });
                match next {
                    Ok(Some(job)) => run_job(&app, job),
                    Ok(None) => break,
                    Err(_elapsed) => {}
                }
                if let Err(error) = app.writer().tick() {
                    tracing::error!(%error, "periodic index work failed");
                }
                if let Err(error) = app.publishing_tick() {
                    tracing::error!(%error, "periodic publishing work failed");
                }
            }
            if let Err(error) = app.writer().flush() {
                tracing::error!(%error, "final index commit failed");
            }
        })
        .expect("spawn the ingestion thread");
    IngestHandle { sender }
}

fn run_job(app: &App, job: IngestJob) {
    let topics = app.topics();
    let analyzer = app.analyzer();
    let stages = Stages { topics: &topics, analyzer: &analyzer, counters: app.counters() };
    let prepared: Vec<Prepared> = job.records.into_iter().map(|record| prepare(record, &job.origin, stages)).collect();
    let result = app.writer().write(prepared).map_err(|error| error.to_string());
    if let Err(error) = &result {
        tracing::error!(%error, origin = %job.origin.origin, "ingestion batch failed");
    }
    if let Some(reply) = job.reply {
        let _ = reply.send(result);
    }
}
