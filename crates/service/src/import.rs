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
/// after each batch. The index is committed before this returns.
pub fn import_records(
    app: &App,
    records: Vec<Record>,
    origin: &Origin,
    options: ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<BatchReport, ServiceError> {
    let topics = app.topics();
    let counters = app.counters().clone();
    let mut writer = app.writer();
    let mut report = BatchReport::default();
    let mut done = 0u64;
    if options.threads <= 1 {
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let batch: Vec<Prepared> =
                records.by_ref().take(options.batch_size).map(|r| prepare(r, origin, &topics, &counters)).collect();
            done += batch.len() as u64;
            report.add(&writer.write(batch)?);
            progress(done);
        }
        writer.flush()?;
        return Ok(report);
    }
    let (sender, receiver) = crossbeam_channel::bounded::<Vec<Prepared>>(options.queue_batches);
    std::thread::scope(|scope| {
        let topics = &topics;
        let counters = &counters;
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
