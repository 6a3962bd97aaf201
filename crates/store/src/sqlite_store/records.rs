//! Everything but mentions in SQLite: quarantine, listening topics, state (API tokens live in people.rs).

use domain::{ListeningTopic, NewListeningTopic, QuarantineRecord, TopicId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::codec::{
    from_json, keepable, stored_timestamp, timestamp_from_text, timestamp_to_text, to_json,
};
use crate::{QuarantinedRecord, Result, StoreError};

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

pub(super) fn count(connection: &Connection, count_sql: &str) -> Result<u64> {
    let count: i64 = connection
        .prepare_cached(count_sql)?
        .query_row([], |row| row.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(super) fn quarantine(connection: &mut Connection, records: &[QuarantineRecord]) -> Result<()> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO quarantine (format, origin, position, reason, raw, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for record in records {
            insert.execute((
                &keepable(&record.format),
                &keepable(&record.origin),
                &record.position,
                &keepable(&record.reason),
                &keepable(&record.raw),
                timestamp_to_text(stored_timestamp(record.received_at)),
            ))?;
        }
    }
    transaction.commit()?;
    Ok(())
}

pub(super) fn list_quarantine(
    connection: &Connection,
    limit: usize,
) -> Result<Vec<QuarantinedRecord>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, format, origin, position, reason, raw, received_at FROM quarantine \
         ORDER BY id DESC LIMIT ?1",
    )?;
    let mut rows = statement.query([i64::try_from(limit).unwrap_or(i64::MAX)])?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        let received_at: String = row.get(6)?;
        records.push(QuarantinedRecord {
            id: row.get(0)?,
            record: QuarantineRecord {
                format: row.get(1)?,
                origin: row.get(2)?,
                position: row.get(3)?,
                reason: row.get(4)?,
                raw: row.get(5)?,
                received_at: timestamp_from_text(&received_at)?,
            },
        });
    }
    Ok(records)
}

pub(super) fn create_topic(
    connection: &Connection,
    topic: &NewListeningTopic,
) -> Result<ListeningTopic> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO listening_topics (name, query, languages, owner) VALUES (?1, ?2, ?3, ?4) \
             RETURNING id",
        )?
        .query_row(
            (
                &topic.name,
                &topic.query,
                to_json(&topic.languages),
                &topic.owner,
            ),
            |row| row.get(0),
        );
    match inserted {
        Ok(id) => Ok(ListeningTopic {
            id: TopicId(id),
            topic: topic.clone(),
        }),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict(format!(
            "a listening topic named {:?} already exists",
            topic.name
        ))),
        Err(error) => Err(error.into()),
    }
}

pub(super) fn list_topics(connection: &Connection) -> Result<Vec<ListeningTopic>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name, query, languages, owner FROM listening_topics ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    let mut topics = Vec::new();
    while let Some(row) = rows.next()? {
        let languages_json: String = row.get(3)?;
        topics.push(ListeningTopic {
            id: TopicId(row.get(0)?),
            topic: NewListeningTopic {
                name: row.get(1)?,
                query: row.get(2)?,
                languages: from_json("languages", &languages_json)?,
                owner: row.get(4)?,
            },
        });
    }
    Ok(topics)
}

pub(super) fn update_topic(connection: &Connection, id: TopicId, topic: &NewListeningTopic) -> Result<Option<ListeningTopic>> {
    let updated = connection
        .prepare_cached("UPDATE listening_topics SET name = ?1, query = ?2, languages = ?3, owner = ?4 WHERE id = ?5")?
        .execute((&topic.name, &topic.query, to_json(&topic.languages), &topic.owner, id.0));
    match updated {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(ListeningTopic { id, topic: topic.clone() })),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("a listening topic named {:?} already exists", topic.name)))
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) fn delete_topic(connection: &Connection, id: TopicId) -> Result<bool> {
    let deleted = connection
        .prepare_cached("DELETE FROM listening_topics WHERE id = ?1")?
        .execute([id.0])?;
    Ok(deleted > 0)
}

pub(super) fn get_state(connection: &Connection, key: &str) -> Result<Option<String>> {
    Ok(connection
        .prepare_cached("SELECT value FROM state WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

pub(super) fn set_state(connection: &Connection, key: &str, value: &str) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO state (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute((key, value))?;
    Ok(())
}
