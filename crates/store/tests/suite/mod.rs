//! The backends the suite runs on, and the macro that runs each test on every one.

pub mod cases;
pub mod changes;
pub mod contacts;
pub mod early_warning;
pub mod enrichment;
pub mod fixtures;
pub mod inbox;
pub mod influence;
pub mod mentions;
pub mod people;
pub mod publishing;
pub mod records;

use std::sync::atomic::{AtomicUsize, Ordering};

use store::{PostgresStore, SqliteStore, Store};
use tempfile::TempDir;

/// The variable that enables the PostgreSQL half of the suite.
pub const POSTGRES_URL_VARIABLE: &str = "COMPTOIR_TEST_POSTGRES_URL";

/// Generates `on_sqlite::TEST` and `on_postgres::TEST` for each `module::TEST` given.
#[macro_export]
macro_rules! store_suite {
    ($($module:ident :: $test:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $test() {
                    let mut test_store = $crate::suite::TestStore::sqlite();
                    $crate::suite::$module::$test(&mut test_store);
                }
            )*
        }

        mod on_postgres {
            $(
                #[test]
                fn $test() {
                    let Some(mut test_store) = $crate::suite::TestStore::postgres() else {
                        return;
                    };
                    $crate::suite::$module::$test(&mut test_store);
                }
            )*
        }
    };
}

enum Backend {
    Sqlite {
        _directory: TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        url: String,
        schema: String,
    },
}

/// A store of its own for one test, on one backend, cleaned up when dropped.
pub struct TestStore {
    store: Option<Box<dyn Store>>,
    backend: Backend,
}

impl TestStore {
    pub fn sqlite() -> Self {
        let directory = tempfile::tempdir().expect("a temporary directory");
        // A subfolder that does not exist yet: opening creates it.
        let path = directory.path().join("data").join("comptoir.db");
        let store = SqliteStore::open(&path).expect("open the SQLite store");
        TestStore {
            store: Some(Box::new(store)),
            backend: Backend::Sqlite {
                _directory: directory,
                path,
            },
        }
    }

    /// `None`, after saying so on stderr, when no PostgreSQL server is configured.
    pub fn postgres() -> Option<Self> {
        let Ok(url) = std::env::var(POSTGRES_URL_VARIABLE) else {
            eprintln!("store suite on PostgreSQL skipped: {POSTGRES_URL_VARIABLE} is not set");
            return None;
        };
        static NEXT_SCHEMA: AtomicUsize = AtomicUsize::new(0);
        let schema = format!(
            "store_test_{}_{}_{}",
            std::process::id(),
            NEXT_SCHEMA.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let store =
            PostgresStore::connect_with_schema(&url, &schema).expect("connect to PostgreSQL");
        Some(TestStore {
            store: Some(Box::new(store)),
            backend: Backend::Postgres { url, schema },
        })
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_deref().expect("the store is open")
    }

    /// Closes the store and opens it again on the same data, as after a restart.
    pub fn reopen(&mut self) {
        drop(self.store.take());
        let reopened: Box<dyn Store> = match &self.backend {
            Backend::Sqlite { path, .. } => Box::new(SqliteStore::open(path).expect("reopen")),
            Backend::Postgres { url, schema } => {
                Box::new(PostgresStore::connect_with_schema(url, schema).expect("reconnect"))
            }
        };
        self.store = Some(reopened);
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        drop(self.store.take());
        if let Backend::Postgres { url, schema } = &self.backend {
            let mut client = postgres::Client::connect(url, postgres::NoTls)
                .expect("connect to drop the schema");
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .expect("drop the test schema");
        }
    }
}
