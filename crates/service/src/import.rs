//! Running a list of records through the pipeline: the stateless stages on their own
//! thread, the writer on the caller's, a bounded queue between them (back-pressure).

use connectors::Record;

use crate::app::App;
use crate::prepare::{prepare, Origin, Prepared};
use crate::writer::BatchReport;
use crate::ServiceError;

/// How to run an import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// 1: every stage on the calling thread; 2: the stateless stages on a second thread.
    pub threads: usize,
    pub batch_size: usize,
    pub queue_batches: usize,
}

impl ImportOptions {
    pub fn from_config(app: &App) -> ImportOptions {
        ImportOptions { threads: 2, batch_size: app.config.ingest.batch_size, queue_batches: app.config.ingest.queue_batches }
    }
}

/// Runs `records` through the whole pipeline; `progress` gets the number of records done
/// after each batch. The records may be produced lazily (a parser reading on demand):
/// with two threads, producing and the stateless stages run beside the writer. The
/// index is committed before this returns.
pub fn import_records(
    app: &App,
    records: impl IntoIterator<Item = Record, IntoIter: Send> + Send,
    origin: &Origin,
    options: ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchReport, ServiceError> {
    let topics = app.topics();
    let counters = app.counters().clone();
    let mut writer = app.writer();
    let live_interval = writer.set_commit_interval(BULK_COMMIT_INTERVAL);
    let report = run(&mut writer, records, origin, options, progress, &topics, &counters);
    writer.set_commit_interval(live_interval);
    report
}

/// A bulk import commits the index every few seconds (and at the end), not every second.
const BULK_COMMIT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);

fn run(
    writer: &mut crate::Writer,
    records: impl IntoIterator<Item = Record, IntoIter: Send> + Send,
    origin: &Origin,
    options: ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
    topics: &listen::TopicMatcher,
    counters: &std::sync::Arc<crate::Counters>,
) -> Result<BatchReport, ServiceError> {
    let mut report = BatchReport::default();
    let mut done = 0u64;
    if options.threads <= 1 {
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let batch: Vec<Prepared> =
                records.by_ref().take(options.batch_size).map(|r| prepare(r, origin, topics, counters)).collect();
            done += batch.len() as u64;
            report.add(&writer.write(batch)?);
            progress(done);
        }
        writer.flush()?;
        return Ok(report);
    }
    let (sender, receiver) = crossbeam_channel::bounded::<Vec<Prepared>>(options.queue_batches);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut records = records.into_iter().peekable();
            while records.peek().is_some() {
                let batch: Vec<Prepared> =
                    records.by_ref().take(options.batch_size).map(|r| prepare(r, origin, topics, counters)).collect();
                if sender.send(batch).is_err() {
                    return; // the writer stopped on an error
                }
            }
        });
        for batch in receiver {
            done += batch.len() as u64;
            report.add(&writer.write(batch)?);
            progress(done);
        }
        writer.flush()?;
        Ok(report)
    })
}
