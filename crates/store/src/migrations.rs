//! The schema migrations of both backends, embedded in the binary.
//!
//! Each backend has its own folder (`migrations/sqlite`, `migrations/postgres`) of files
//! named `NNNN_name.sql`. They are applied in version order at open, each in its own
//! transaction together with its row in `schema_migrations(version, name, applied_at)`,
//! so a migration is applied entirely or not at all and never twice.

/// One schema change.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Creates the bookkeeping table itself; the same SQL is valid on both backends.
pub(crate) const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "enrichment",
        sql: include_str!("../migrations/sqlite/0002_enrichment.sql"),
    },
    Migration {
        version: 3,
        name: "people_and_contacts",
        sql: include_str!("../migrations/sqlite/0003_people_and_contacts.sql"),
    },
    Migration {
        version: 4,
        name: "author_influence",
        sql: include_str!("../migrations/sqlite/0004_author_influence.sql"),
    },
    Migration {
        version: 5,
        name: "early_warning",
        sql: include_str!("../migrations/sqlite/0005_early_warning.sql"),
    },
    Migration {
        version: 6,
        name: "cases",
        sql: include_str!("../migrations/sqlite/0006_cases.sql"),
    },
    Migration {
        version: 7,
        name: "mailbox_cursors",
        sql: include_str!("../migrations/sqlite/0007_mailbox_cursors.sql"),
    },
    Migration {
        version: 8,
        name: "case_arrivals",
        sql: include_str!("../migrations/sqlite/0008_case_arrivals.sql"),
    },
    Migration {
        version: 9,
        name: "publishing",
        sql: include_str!("../migrations/sqlite/0009_publishing.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_filters",
        sql: include_str!("../migrations/sqlite/0010_inbox_filters.sql"),
    },
    Migration {
        version: 11,
        name: "care_reports",
        sql: include_str!("../migrations/sqlite/0011_care_reports.sql"),
    },
    Migration {
        version: 13,
        name: "sla_watch",
        sql: include_str!("../migrations/sqlite/0013_sla_watch.sql"),
    },
    Migration {
        version: 15,
        name: "care_rollups",
        sql: include_str!("../migrations/sqlite/0015_care_rollups.sql"),
    },
    Migration {
        version: 16,
        name: "case_sentiment",
        sql: include_str!("../migrations/sqlite/0016_case_sentiment.sql"),
    },
    Migration {
        version: 17,
        name: "csat_answered_at",
        sql: include_str!("../migrations/sqlite/0017_csat_answered_at.sql"),
    },
    Migration {
        version: 18,
        name: "unassigned_queue",
        sql: include_str!("../migrations/sqlite/0018_unassigned_queue.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "enrichment",
        sql: include_str!("../migrations/postgres/0002_enrichment.sql"),
    },
    Migration {
        version: 3,
        name: "people_and_contacts",
        sql: include_str!("../migrations/postgres/0003_people_and_contacts.sql"),
    },
    Migration {
        version: 4,
        name: "author_influence",
        sql: include_str!("../migrations/postgres/0004_author_influence.sql"),
    },
    Migration {
        version: 5,
        name: "early_warning",
        sql: include_str!("../migrations/postgres/0005_early_warning.sql"),
    },
    Migration {
        version: 6,
        name: "cases",
        sql: include_str!("../migrations/postgres/0006_cases.sql"),
    },
    Migration {
        version: 7,
        name: "mailbox_cursors",
        sql: include_str!("../migrations/postgres/0007_mailbox_cursors.sql"),
    },
    Migration {
        version: 8,
        name: "case_arrivals",
        sql: include_str!("../migrations/postgres/0008_case_arrivals.sql"),
    },
    Migration {
        version: 9,
        name: "publishing",
        sql: include_str!("../migrations/postgres/0009_publishing.sql"),
    },
    Migration {
        version: 10,
        name: "inbox_filters",
        sql: include_str!("../migrations/postgres/0010_inbox_filters.sql"),
    },
    Migration {
        version: 11,
        name: "care_reports",
        sql: include_str!("../migrations/postgres/0011_care_reports.sql"),
    },
    Migration {
        version: 13,
        name: "sla_watch",
        sql: include_str!("../migrations/postgres/0013_sla_watch.sql"),
    },
    Migration {
        version: 15,
        name: "care_rollups",
        sql: include_str!("../migrations/postgres/0015_care_rollups.sql"),
    },
    Migration {
        version: 16,
        name: "case_sentiment",
        sql: include_str!("../migrations/postgres/0016_case_sentiment.sql"),
    },
    Migration {
        version: 17,
        name: "csat_answered_at",
        sql: include_str!("../migrations/postgres/0017_csat_answered_at.sql"),
    },
    Migration {
        version: 18,
        name: "unassigned_queue",
        sql: include_str!("../migrations/postgres/0018_unassigned_queue.sql"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of a migration folder is listed, in order, under its own version and name.
    fn assert_lists_every_file(folder: &str, migrations: &[Migration]) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder);
        let mut file_names: Vec<String> = std::fs::read_dir(&path)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        file_names.sort();
        let listed: Vec<String> = migrations
            .iter()
            .map(|migration| format!("{:04}_{}.sql", migration.version, migration.name))
            .collect();
        assert_eq!(
            file_names, listed,
            "migrations/{folder} and the embedded list differ"
        );
    }

    #[test]
    fn every_migration_file_is_embedded() {
        assert_lists_every_file("sqlite", SQLITE);
        assert_lists_every_file("postgres", POSTGRES);
    }
}
