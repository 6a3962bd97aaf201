//! Everything but mentions in PostgreSQL: quarantine, listening topics, state (API tokens live in people.rs).

use domain::{ListeningTopic, NewListeningTopic, QuarantineRecord, TopicId};
use postgres::Client;
use postgres::error::SqlState;

use crate::codec::{from_json, keepable, stored_timestamp, to_json};
use crate::{QuarantinedRecord, Result, StoreError};

fn is_unique_violation(error: &postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

pub(super) fn count(client: &mut Client, count_sql: &str) -> Result<u64> {
    let count: i64 = client.query_one(count_sql, &[])?.get(0);
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(super) fn quarantine(client: &mut Client, records: &[QuarantineRecord]) -> Result<()> {
    let mut transaction = client.transaction()?;
    let insert = transaction.prepare(
        "INSERT INTO quarantine (format, origin, position, reason, raw, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )?;
    for record in records {
        transaction.execute(
            &insert,
            &[
                &keepable(&record.format),
                &keepable(&record.origin),
                &record.position,
                &keepable(&record.reason),
                &keepable(&record.raw),
                &stored_timestamp(record.received_at),
            ],
        )?;
    }
    transaction.commit()?;
    Ok(())
}

pub(super) fn list_quarantine(client: &mut Client, limit: usize) -> Result<Vec<QuarantinedRecord>> {
    let rows = client.query(
        "SELECT id, format, origin, position, reason, raw, received_at FROM quarantine \
         ORDER BY id DESC LIMIT $1",
        &[&i64::try_from(limit).unwrap_or(i64::MAX)],
    )?;
    let records = rows
        .iter()
        .map(|row| QuarantinedRecord {
            id: row.get(0),
            record: QuarantineRecord {
                format: row.get(1),
                origin: row.get(2),
                position: row.get(3),
                reason: row.get(4),
                raw: row.get(5),
                received_at: row.get(6),
            },
        })
        .collect();
    Ok(records)
}

pub(super) fn create_topic(
    client: &mut Client,
    topic: &NewListeningTopic,
) -> Result<ListeningTopic> {
    let inserted = client.query_one(
        "INSERT INTO listening_topics (name, query, languages, owner) \
         VALUES ($1, $2, $3::text::jsonb, $4) RETURNING id",
        &[
            &topic.name,
            &topic.query,
            &to_json(&topic.languages),
            &topic.owner,
        ],
    );
    match inserted {
        Ok(row) => Ok(ListeningTopic {
            id: TopicId(row.get(0)),
            topic: topic.clone(),
        }),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict(format!(
            "a listening topic named {:?} already exists",
            topic.name
        ))),
        Err(error) => Err(error.into()),
    }
}

pub(super) fn list_topics(client: &mut Client) -> Result<Vec<ListeningTopic>> {
    let rows = client.query(
        "SELECT id, name, query, languages::text, owner FROM listening_topics ORDER BY id",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            let languages_json: String = row.get(3);
            Ok(ListeningTopic {
                id: TopicId(row.get(0)),
                topic: NewListeningTopic {
                    name: row.get(1),
                    query: row.get(2),
                    languages: from_json("languages", &languages_json)?,
                    owner: row.get(4),
                },
            })
        })
        .collect()
}

pub(super) fn update_topic(client: &mut Client, id: TopicId, topic: &NewListeningTopic) -> Result<Option<ListeningTopic>> {
    let updated = client.execute(
        "UPDATE listening_topics SET name = $1, query = $2, languages = $3::text::jsonb, owner = $4 WHERE id = $5",
        &[&topic.name, &topic.query, &to_json(&topic.languages), &topic.owner, &id.0],
    );
    match updated {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(ListeningTopic { id, topic: topic.clone() })),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(format!("a listening topic named {:?} already exists", topic.name)))
        }
        Err(error) => Err(error.into()),
    }
}

pub(super) fn delete_topic(client: &mut Client, id: TopicId) -> Result<bool> {
    let deleted = client.execute("DELETE FROM listening_topics WHERE id = $1", &[&id.0])?;
    Ok(deleted > 0)
}

pub(super) fn get_state(client: &mut Client, key: &str) -> Result<Option<String>> {
    let found = client.query_opt("SELECT value FROM state WHERE key = $1", &[&key])?;
    Ok(found.map(|row| row.get(0)))
}

pub(super) fn set_state(client: &mut Client, key: &str, value: &str) -> Result<()> {
    client.execute(
        "INSERT INTO state (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )?;
    Ok(())
}
