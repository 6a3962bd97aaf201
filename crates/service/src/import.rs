//! Running a list of records through the pipeline: reading on its own thread, the
//! stateless stages on worker threads, the writer on the caller's, bounded queues between
//! them (back-pressure).

use connectors::Record;

use crate::app::App;
use crate::prepare::{prepare, Origin, Prepared, Stages};
use crate::writer::BatchReport;
use crate::ServiceError;

/// How to run an import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// 1: every stage on the calling thread; N ≥ 2: reading on its own thread, the
    /// stateless stages on N worker threads, the writer on the calling thread.
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
    let analyzer = app.analyzer();
    let stages = Stages { topics: &topics, analyzer: &analyzer, counters: app.counters() };
    let mut writer = app.writer();
    let live_interval = writer.set_commit_interval(BULK_COMMIT_INTERVAL);
    let report = run(&mut writer, records, origin, options, progress, stages);
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
    stages: Stages<'_>,
) -> Result<BatchReport, ServiceError> {
    let mut report = BatchReport::default();
    let mut done = 0u64;
    if options.threads <= 1 {
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let batch: Vec<Prepared> =
                records.by_ref().take(options.batch_size).map(|r| prepare(r, origin, stages)).collect();
            done += batch.len() as u64;
            report.add(&writer.write(batch)?);
            progress(done);
        }
        writer.flush()?;
        return Ok(report);
    }
    run_in_parallel(writer, records, origin, options, progress, stages)
}

/// Reading (lazy parsing) on one thread, the stateless stages on `options.threads`
/// workers, the writer on the calling thread. The stateless stages cost more than the
/// writer (the analyser alone ~20 µs a mention), so they get every core whenever the
/// writer waits on the disk; batches are numbered and written back in their input order
/// (an edit must follow the post it edits).
fn run_in_parallel(
    writer: &mut crate::Writer,
    records: impl IntoIterator<Item = Record, IntoIter: Send> + Send,
    origin: &Origin,
    options: ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
    stages: Stages<'_>,
) -> Result<BatchReport, ServiceError> {
    let mut report = BatchReport::default();
    let mut done = 0u64;
    let (work_sender, work_receiver) = crossbeam_channel::bounded::<(u64, Vec<Record>)>(options.queue_batches);
    let (prepared_sender, prepared_receiver) = crossbeam_channel::bounded::<(u64, Vec<Prepared>)>(options.queue_batches);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut records = records.into_iter().peekable();
            let mut batch_number = 0u64;
            while records.peek().is_some() {
                let batch: Vec<Record> = records.by_ref().take(options.batch_size).collect();
                if work_sender.send((batch_number, batch)).is_err() {
                    return; // the writer stopped on an error
                }
                batch_number += 1;
            }
        });
        for _ in 0..options.threads {
            let (work_receiver, prepared_sender) = (work_receiver.clone(), prepared_sender.clone());
            scope.spawn(move || {
                yield_to_the_writer();
                for (batch_number, batch) in work_receiver {
                    let prepared = batch.into_iter().map(|record| prepare(record, origin, stages)).collect();
                    if prepared_sender.send((batch_number, prepared)).is_err() {
                        return;
                    }
                }
            });
        }
        // Only the workers hold senders now: the loop below ends when they are done.
        drop(prepared_sender);
        drop(work_receiver);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next_batch = 0u64;
        for (batch_number, batch) in prepared_receiver {
            waiting.insert(batch_number, batch);
            while let Some(batch) = waiting.remove(&next_batch) {
                next_batch += 1;
                done += batch.len() as u64;
                report.add(&writer.write(batch)?);
                progress(done);
            }
        }
        writer.flush()?;
        Ok(report)
    })
}

/// Lowers the calling worker thread's scheduling priority. The writer is the one stage
/// that cannot run in parallel; when the stateless workers and tantivy's threads ask for
/// more CPU than there are cores, the writer must not be the one that waits.
fn yield_to_the_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory-safety preconditions; on Linux, PRIO_PROCESS with
    // who = 0 changes the nice value of the calling thread only. Failure is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
