//! A small blocking pool of read connections, first come, first served: a caller takes a
//! free connection, or queues; a connection given back goes straight to the caller who
//! has waited longest (woken alone), never to one who arrived later.
//!
//! Fairness is what keeps the slowest requests close to the typical ones under load. With
//! a hundred requests sharing four connections, a pool where whoever asks first after a
//! release wins (barging) lets a queued caller lose again and again: that was most of the
//! inbox benchmark's p99.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

pub(crate) struct Pool<C> {
    /// Invariant: connections are free only while nobody waits.
    inner: Mutex<Inner<C>>,
}

struct Inner<C> {
    free: Vec<C>,
    waiting: VecDeque<Arc<Handoff<C>>>,
}

/// Where a released connection is put for one waiting caller.
struct Handoff<C> {
    connection: Mutex<Option<C>>,
    given: Condvar,
}

/// A connection taken from the pool; given back when dropped.
pub(crate) struct Lease<'a, C> {
    pool: &'a Pool<C>,
    connection: Option<C>,
}

/// A lock whose holder panicked: every critical section here leaves its data whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<C> Pool<C> {
    pub fn new(connections: Vec<C>) -> Pool<C> {
        Pool { inner: Mutex::new(Inner { free: connections, waiting: VecDeque::new() }) }
    }

    pub fn get(&self) -> Lease<'_, C> {
        let handoff = {
            let mut inner = lock(&self.inner);
            if let Some(connection) = inner.free.pop() {
                return Lease { pool: self, connection: Some(connection) };
            }
            let handoff = Arc::new(Handoff { connection: Mutex::new(None), given: Condvar::new() });
            inner.waiting.push_back(handoff.clone());
            handoff
        };
        let mut slot = lock(&handoff.connection);
        loop {
            if let Some(connection) = slot.take() {
                return Lease { pool: self, connection: Some(connection) };
            }
            slot = handoff.given.wait(slot).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn give_back(&self, connection: C) {
        let mut inner = lock(&self.inner);
        match inner.waiting.pop_front() {
            Some(handoff) => {
                drop(inner);
                *lock(&handoff.connection) = Some(connection);
                handoff.given.notify_one();
            }
            None => inner.free.push(connection),
        }
    }

    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let inner = lock(&self.inner);
        (inner.free.len(), inner.waiting.len())
    }
}

impl<C> Deref for Lease<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.connection.as_ref().expect("a lease holds its connection until dropped")
    }
}

impl<C> DerefMut for Lease<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        self.connection.as_mut().expect("a lease holds its connection until dropped")
    }
}

impl<C> Drop for Lease<'_, C> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // A reader whose holder panicked has no transaction open: it is fine to reuse.
            self.pool.give_back(connection);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    #[test]
    fn never_lends_a_connection_twice_and_wakes_waiters() {
        let pool = Arc::new(Pool::new(vec![0usize, 1]));
        let in_use = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (pool, in_use) = (pool.clone(), in_use.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let lease = pool.get();
                        assert_eq!(in_use[*lease].fetch_add(1, Ordering::SeqCst), 0, "lent twice");
                        std::thread::yield_now();
                        in_use[*lease].fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(pool.counts(), (2, 0), "every connection came back, nobody left waiting");
    }

    /// Waits (a little) until `waiting` callers are queued.
    fn until_waiting(pool: &Pool<usize>, waiting: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while pool.counts().1 != waiting {
            assert!(Instant::now() < deadline, "callers never queued");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn serves_waiting_callers_in_arrival_order_before_newcomers() {
        let pool = Arc::new(Pool::new(vec![7usize]));
        let held = pool.get();
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        for caller in 0..5 {
            let (shared, served) = (pool.clone(), served.clone());
            threads.push(std::thread::spawn(move || {
                let lease = shared.get();
                served.lock().unwrap().push(caller);
                std::thread::sleep(Duration::from_millis(2));
                drop(lease);
            }));
            until_waiting(&pool, caller + 1);
        }
        drop(held);
        // A newcomer asking now queues behind the five rather than taking the connection.
        let newcomer = pool.get();
        assert_eq!(*served.lock().unwrap(), vec![0, 1, 2, 3, 4]);
        assert_eq!(*newcomer, 7);
        drop(newcomer);
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(pool.counts(), (1, 0));
    }
}
