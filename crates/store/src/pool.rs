//! A small blocking pool of read connections: a caller takes any free connection, or
//! waits until one is given back (woken by the condition variable), so no request waits
//! behind a busy connection while another is idle. Waiters are not strictly first come,
//! first served, but every wait ends at the next release.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};

pub(crate) struct Pool<C> {
    free: Mutex<Vec<C>>,
    released: Condvar,
}

/// A connection taken from the pool; given back when dropped.
pub(crate) struct Lease<'a, C> {
    pool: &'a Pool<C>,
    connection: Option<C>,
}

impl<C> Pool<C> {
    pub fn new(connections: Vec<C>) -> Pool<C> {
        Pool { free: Mutex::new(connections), released: Condvar::new() }
    }

    fn free(&self) -> MutexGuard<'_, Vec<C>> {
        // A panic while holding this lock cannot leave the list half-changed.
        self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self) -> Lease<'_, C> {
        let mut free = self.free();
        loop {
            if let Some(connection) = free.pop() {
                return Lease { pool: self, connection: Some(connection) };
            }
            free = self.released.wait(free).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
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
            self.pool.free().push(connection);
            self.pool.released.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

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
        assert_eq!(pool.free().len(), 2, "every connection came back");
    }
}
