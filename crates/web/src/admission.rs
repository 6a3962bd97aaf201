//! Fair admission of reads to the store.
//!
//! The store is synchronous, so handlers run their store work off the async threads
//! ([`blocking`]). Work for a write, or outside a request, goes to Tokio's blocking
//! threads. A `GET` or `HEAD` request's work goes to the server's [`ReadThreads`]: one
//! first-come-first-served queue served by as many threads as the store has read
//! connections ([`service::READ_CONNECTIONS`]).
//!
//! Why: under load, a hundred concurrent reads each took a blocking thread and queued for
//! one of the store's few read connections; the operating system, not arrival order,
//! decided who ran next, and the slowest requests waited twice as long as the median.
//! Each read also woke a parked thread and put it back to sleep. The reader threads take
//! the next read as soon as they finish one, in arrival order, and a busy server switches
//! threads less. Writes are not queued here: they wait for the store's one writer.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use service::ServiceError;

use crate::{ApiError, AppState};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Set when the server is gone: the threads finish the queue and end.
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// The threads that run a server's reads, in arrival order. They end when the last
/// handle is dropped.
pub struct ReadThreads {
    shared: Arc<Shared>,
    /// How many threads started: with none, reads run on the blocking threads instead.
    threads: usize,
}

impl ReadThreads {
    /// Starts `threads` reader threads.
    pub fn start(threads: usize) -> ReadThreads {
        let shared = Arc::new(Shared::default());
        let mut started = 0;
        for number in 0..threads.max(1) {
            let shared = shared.clone();
            match std::thread::Builder::new().name(format!("comptoir-read-{number}")).spawn(move || serve(&shared)) {
                Ok(_) => started += 1,
                Err(error) => tracing::error!(%error, "could not start a reader thread"),
            }
        }
        ReadThreads { shared, threads: started }
    }

    /// Runs `work` on a reader thread once the reads queued before it have started.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static) -> Result<T, ApiError> {
        if self.threads == 0 {
            return Ok(tokio::task::spawn_blocking(work).await??);
        }
        let (done, outcome) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // A panic is this request's 500, not the end of a reader thread.
            let result = std::panic::catch_unwind(AssertUnwindSafe(work));
            let _ = done.send(result);
        });
        {
            let mut queue = self.shared.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.jobs.push_back(job);
        }
        self.shared.ready.notify_one();
        match outcome.await {
            Ok(Ok(result)) => Ok(result?),
            Ok(Err(_)) => Err(ApiError::internal("a read panicked")),
            Err(_) => Err(ApiError::internal("a reader thread is gone")),
        }
    }
}

impl Drop for ReadThreads {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).closed = true;
        self.shared.ready.notify_all();
    }
}

fn serve(shared: &Shared) {
    loop {
        let job = {
            let mut queue = shared.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                queue = shared.ready.wait(queue).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        job();
    }
}

tokio::task_local! {
    /// The reader threads of the current request, when it is a read.
    static READS: Arc<ReadThreads>;
}

/// Middleware: a `GET` or `HEAD` request's [`blocking`] calls run on the server's reader threads.
pub(crate) async fn admit_reads(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        READS.scope(state.reads.clone(), next.run(request)).await
    } else {
        next.run(request).await
    }
}

/// Runs a blocking service call (the store is synchronous) off the async threads: on the
/// reader threads, in arrival order, inside a read request; on Tokio's blocking threads
/// otherwise.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, ServiceError> + Send + 'static) -> Result<T, ApiError> {
    match READS.try_with(Arc::clone) {
        Ok(reads) => reads.run(work).await,
        Err(_) => Ok(tokio::task::spawn_blocking(work).await??),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// Makes `calls` blocking calls in order, each holding its thread for a while, and
    /// returns the most that ran at once and the order they started in.
    async fn run_calls(calls: usize) -> (usize, Vec<usize>) {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for number in 0..calls {
            let (running, most, started) = (running.clone(), most.clone(), started.clone());
            let call = blocking(move || {
                started.lock().unwrap().push(number);
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(15));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            });
            // Polled once here (inside the caller's scope), so each call is queued before
            // the next is made.
            let mut call = Box::pin(call);
            let _ = futures_util::poll!(&mut call);
            tasks.push(tokio::spawn(call));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let order = started.lock().unwrap().clone();
        (most.load(Ordering::SeqCst), order)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_run_no_more_than_the_reader_threads_allow_and_in_arrival_order() {
        let (most, order) = READS.scope(Arc::new(ReadThreads::start(2)), run_calls(8)).await;
        assert_eq!(most, 2, "two reader threads, so never more than two reads at once");
        // With two threads, a call starts after every call made two or more before it.
        for (position, number) in order.iter().enumerate() {
            assert!(number.abs_diff(position) <= 1, "call {number} started {position}th: {order:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_outside_a_read_request_is_not_queued() {
        let (most, _) = run_calls(8).await;
        assert!(most > 2, "writes and background work run at once ({most})");
    }

    #[tokio::test]
    async fn a_read_that_panics_is_an_error_and_the_thread_serves_on() {
        let reads = ReadThreads::start(1);
        let failed = reads.run(|| -> Result<(), ServiceError> { panic!("boom") }).await;
        assert_eq!(failed.unwrap_err().status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reads.run(|| Ok(7)).await.unwrap(), 7, "the one reader thread still serves");
    }

    #[tokio::test]
    async fn with_no_reader_thread_started_reads_still_run() {
        let reads = ReadThreads { shared: Arc::new(Shared::default()), threads: 0 };
        assert_eq!(reads.run(|| Ok("read")).await.unwrap(), "read");
    }

    #[test]
    fn the_threads_end_with_the_server() {
        let reads = ReadThreads::start(3);
        let shared = Arc::downgrade(&reads.shared);
        drop(reads);
        for _ in 0..200 {
            if shared.upgrade().is_none() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the reader threads still hold the queue");
    }
}
