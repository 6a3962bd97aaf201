//! Mentions in SQLite: batch insert, edit, delete with tombstone, reads and the change feed.
//!
//! The change sequence is a one-row counter (`change_counter`) read and advanced inside
//! the same IMMEDIATE transaction as the change, so seq order is commit order.

use domain::{MentionId, Source, StoredMention};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::codec::{
    EnrichmentRow, MENTION_SELECT_COLUMNS, MentionColumns, MentionRow, in_requested_order, merge_changes, now,
    timestamp_from_text, timestamp_to_text, to_json,
};
use crate::{Changes, MentionWrite, Result, WriteOutcome};

/// `OR IGNORE` rather than `ON CONFLICT (source, external_id) DO NOTHING`: the same for the
/// key (every other constraint is upheld by the types), but no statement can abort, so
/// SQLite keeps no statement journal; that alone makes batches about twice as fast.
/// A row skipped for any other reason would fail the id lookup below, not pass silently.
const INSERT_MENTION: &str = "INSERT OR IGNORE INTO mentions (source, external_id, url, author_handle, \
     author, title, text, language, created_at, in_reply_to, quoted, reposted, thread_id, \
     likes, reposts, replies, quotes, hashtags, mentioned, urls, raw, duplicate_of, topics, \
     ingested_at, seq, sentiment, sentiment_confidence, reason, intent, author_type, \
     model_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
     ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31) \
     RETURNING id";

/// Replaces every column but the id, the key and `ingested_at` (first seen stays first seen).
const UPDATE_MENTION: &str = "UPDATE mentions SET url = ?3, author_handle = ?4, author = ?5, \
     title = ?6, text = ?7, language = ?8, created_at = ?9, in_reply_to = ?10, quoted = ?11, \
     reposted = ?12, thread_id = ?13, likes = ?14, reposts = ?15, replies = ?16, quotes = ?17, \
     hashtags = ?18, mentioned = ?19, urls = ?20, raw = ?21, duplicate_of = ?22, topics = ?23, \
     seq = ?24, sentiment = ?25, sentiment_confidence = ?26, reason = ?27, intent = ?28, \
     author_type = ?29, model_version = ?30 WHERE source = ?1 AND external_id = ?2 RETURNING id";

const FIND_ID: &str = "SELECT id FROM mentions WHERE source = ?1 AND external_id = ?2";

pub(super) fn read_counter(transaction: &Transaction<'_>) -> Result<i64> {
    Ok(
        transaction.query_row("SELECT value FROM change_counter WHERE id = 1", [], |row| {
            row.get(0)
        })?,
    )
}

pub(super) fn write_counter(transaction: &Transaction<'_>, value: i64) -> Result<()> {
    transaction
        .prepare_cached("UPDATE change_counter SET value = ?1 WHERE id = 1")?
        .execute([value])?;
    Ok(())
}

pub(super) fn insert_mentions(
    connection: &mut Connection,
    batch: &[MentionWrite],
) -> Result<Vec<WriteOutcome>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut last_seq = read_counter(&transaction)?;
    let ingested_at = timestamp_to_text(now());
    let mut outcomes = Vec::with_capacity(batch.len());
    {
        let mut insert = transaction.prepare_cached(INSERT_MENTION)?;
        let mut find_id = transaction.prepare_cached(FIND_ID)?;
        for write in batch {
            let columns = MentionColumns::encode(write);
            let seq = last_seq + 1;
            let created_at = timestamp_to_text(columns.created_at);
            let inserted_id: Option<i64> = insert
                .query_row(
                    params![
                        columns.source,
                        columns.external_id,
                        columns.url,
                        columns.author_handle,
                        columns.author_json,
                        columns.title,
                        columns.text,
                        columns.language,
                        created_at,
                        columns.in_reply_to,
                        columns.quoted,
                        columns.reposted,
                        columns.thread_id,
                        columns.likes,
                        columns.reposts,
                        columns.replies,
                        columns.quotes,
                        columns.hashtags_json,
                        columns.mentioned_json,
                        columns.urls_json,
                        columns.raw,
                        columns.duplicate_of,
                        columns.topics_json,
                        ingested_at,
                        seq,
                        columns.enrichment.sentiment,
                        columns.enrichment.sentiment_confidence.map(f64::from),
                        columns.enrichment.reason,
                        columns.enrichment.intent,
                        columns.enrichment.author_type,
                        columns.enrichment.model_version,
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            let outcome = match inserted_id {
                Some(id) => {
                    last_seq = seq;
                    WriteOutcome::Inserted {
                        id: MentionId(id),
                        seq,
                    }
                }
                // Stored before, or earlier in this batch: the first one keeps its id.
                None => {
                    let id = find_id
                        .query_row((columns.source, columns.external_id), |row| row.get(0))?;
                    WriteOutcome::Duplicate { id: MentionId(id) }
                }
            };
            outcomes.push(outcome);
        }
    }
    write_counter(&transaction, last_seq)?;
    let inserted = batch
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| matches!(outcome, WriteOutcome::Inserted { .. }))
        .map(|(write, _)| write);
    crate::contacts::upsert_author_contacts(&mut crate::sql::SqliteDb(&transaction), inserted)?;
    transaction.commit()?;
    Ok(outcomes)
}

pub(super) fn update_mention(
    connection: &mut Connection,
    write: &MentionWrite,
) -> Result<Option<MentionId>> {
    let mut ids = update_mentions(connection, std::slice::from_ref(write))?;
    Ok(ids.pop().flatten())
}

pub(super) fn update_mentions(
    connection: &mut Connection,
    batch: &[MentionWrite],
) -> Result<Vec<Option<MentionId>>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut last_seq = read_counter(&transaction)?;
    let mut ids = Vec::with_capacity(batch.len());
    for write in batch {
        let updated = update_one(&transaction, write, last_seq + 1)?;
        if updated.is_some() {
            last_seq += 1;
        }
        ids.push(updated);
    }
    write_counter(&transaction, last_seq)?;
    transaction.commit()?;
    Ok(ids)
}

fn update_one(
    transaction: &Transaction<'_>,
    write: &MentionWrite,
    seq: i64,
) -> Result<Option<MentionId>> {
    let columns = MentionColumns::encode(write);
    let updated_id: Option<i64> = transaction
        .prepare_cached(UPDATE_MENTION)?
        .query_row(
            params![
                columns.source,
                columns.external_id,
                columns.url,
                columns.author_handle,
                columns.author_json,
                columns.title,
                columns.text,
                columns.language,
                timestamp_to_text(columns.created_at),
                columns.in_reply_to,
                columns.quoted,
                columns.reposted,
                columns.thread_id,
                columns.likes,
                columns.reposts,
                columns.replies,
                columns.quotes,
                columns.hashtags_json,
                columns.mentioned_json,
                columns.urls_json,
                columns.raw,
                columns.duplicate_of,
                columns.topics_json,
                seq,
                columns.enrichment.sentiment,
                columns.enrichment.sentiment_confidence.map(f64::from),
                columns.enrichment.reason,
                columns.enrichment.intent,
                columns.enrichment.author_type,
                columns.enrichment.model_version,
            ],
            |row| row.get(0),
        )
        .optional()?;
    Ok(updated_id.map(MentionId))
}

pub(super) fn delete_mention(
    connection: &mut Connection,
    source: Source,
    external_id: &str,
) -> Result<Option<MentionId>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let deleted_id: Option<i64> = transaction
        .prepare_cached("DELETE FROM mentions WHERE source = ?1 AND external_id = ?2 RETURNING id")?
        .query_row((source.as_str(), external_id), |row| row.get(0))
        .optional()?;
    let Some(id) = deleted_id else {
        return Ok(None);
    };
    let seq = read_counter(&transaction)? + 1;
    transaction
        .prepare_cached("INSERT INTO deleted_mentions (id, seq) VALUES (?1, ?2)")?
        .execute((id, seq))?;
    write_counter(&transaction, seq)?;
    transaction.commit()?;
    Ok(Some(MentionId(id)))
}

/// Reads one row selected with [`MENTION_SELECT_COLUMNS`]; returns it with its seq.
fn mention_from_row(row: &Row<'_>) -> Result<(i64, StoredMention)> {
    let created_at: String = row.get(8)?;
    let ingested_at: String = row.get(23)?;
    let mention_row = MentionRow {
        id: row.get(0)?,
        source: row.get(1)?,
        external_id: row.get(2)?,
        url: row.get(3)?,
        author_json: row.get(4)?,
        title: row.get(5)?,
        text: row.get(6)?,
        language: row.get(7)?,
        created_at: timestamp_from_text(&created_at)?,
        in_reply_to: row.get(9)?,
        quoted: row.get(10)?,
        reposted: row.get(11)?,
        thread_id: row.get(12)?,
        likes: row.get(13)?,
        reposts: row.get(14)?,
        replies: row.get(15)?,
        quotes: row.get(16)?,
        hashtags_json: row.get(17)?,
        mentioned_json: row.get(18)?,
        urls_json: row.get(19)?,
        raw: row.get(20)?,
        duplicate_of: row.get(21)?,
        topics_json: row.get(22)?,
        ingested_at: timestamp_from_text(&ingested_at)?,
        seq: row.get(24)?,
        enrichment: EnrichmentRow {
            sentiment: row.get(25)?,
            sentiment_confidence: row.get::<_, Option<f64>>(26)?.map(|value| value as f32),
            reason: row.get(27)?,
            intent: row.get(28)?,
            author_type: row.get(29)?,
            model_version: row.get(30)?,
        },
    };
    let seq = mention_row.seq;
    Ok((seq, mention_row.decode()?))
}

fn query_mentions(
    connection: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(i64, StoredMention)>> {
    let sql = format!("SELECT {MENTION_SELECT_COLUMNS} FROM mentions WHERE {condition}");
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query(params)?;
    let mut mentions = Vec::new();
    while let Some(row) = rows.next()? {
        mentions.push(mention_from_row(row)?);
    }
    Ok(mentions)
}

pub(super) fn get_mention(connection: &Connection, id: MentionId) -> Result<Option<StoredMention>> {
    let found = query_mentions(connection, "id = ?1", [id.0])?;
    Ok(found.into_iter().next().map(|(_, mention)| mention))
}

pub(super) fn get_mentions(
    connection: &Connection,
    ids: &[MentionId],
) -> Result<Vec<StoredMention>> {
    let ids_json = to_json(&ids.iter().map(|id| id.0).collect::<Vec<i64>>());
    let found = query_mentions(
        connection,
        "id IN (SELECT value FROM json_each(?1))",
        [ids_json],
    )?;
    Ok(in_requested_order(
        ids,
        found.into_iter().map(|(_, mention)| mention).collect(),
    ))
}

pub(super) fn find_mention(
    connection: &Connection,
    source: Source,
    external_id: &str,
) -> Result<Option<StoredMention>> {
    let found = query_mentions(
        connection,
        "source = ?1 AND external_id = ?2",
        (source.as_str(), external_id),
    )?;
    Ok(found.into_iter().next().map(|(_, mention)| mention))
}

pub(super) fn changes_since(
    connection: &mut Connection,
    after_seq: i64,
    limit: usize,
) -> Result<Changes> {
    let sql_limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // One read transaction: upserts and tombstones come from the same snapshot.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let upserted = query_mentions(
        &transaction,
        "seq > ?1 ORDER BY seq LIMIT ?2",
        (after_seq, sql_limit),
    )?;
    let deleted = {
        let mut statement = transaction.prepare_cached(
            "SELECT seq, id FROM deleted_mentions WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        statement
            .query_map((after_seq, sql_limit), |row| {
                Ok((row.get(0)?, MentionId(row.get(1)?)))
            })?
            .collect::<rusqlite::Result<Vec<(i64, MentionId)>>>()?
    };
    transaction.finish()?;
    Ok(merge_changes(after_seq, limit, upserted, deleted))
}

pub(super) fn mentions_to_enrich(
    connection: &Connection,
    model_version: Option<&str>,
    after: MentionId,
    limit: usize,
) -> Result<Vec<StoredMention>> {
    let sql_limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let found = query_mentions(
        connection,
        "id > ?1 AND (?2 IS NULL OR model_version IS NULL OR model_version <> ?2) \
         ORDER BY id LIMIT ?3",
        (after.0, model_version, sql_limit),
    )?;
    Ok(found.into_iter().map(|(_, mention)| mention).collect())
}

pub(super) fn last_seq(connection: &Connection) -> Result<i64> {
    Ok(
        connection.query_row("SELECT value FROM change_counter WHERE id = 1", [], |row| {
            row.get(0)
        })?,
    )
}
