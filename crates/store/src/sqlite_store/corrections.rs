//! Agents' corrections of enrichments in SQLite: the corrected enrichment replaces the
//! stored one (with a new change sequence, so the index catches up) and each changed
//! field is kept in `enrichment_corrections`.

use domain::{Enrichment, MentionId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::mentions::{read_counter, write_counter};
use crate::codec::{EnrichmentColumns, stored_timestamp, timestamp_from_text, timestamp_to_text};
use crate::{EnrichmentCorrection, Result};

const UPDATE_ENRICHMENT: &str = "UPDATE mentions SET sentiment = ?2, sentiment_confidence = ?3, \
     reason = ?4, intent = ?5, author_type = ?6, model_version = ?7, seq = ?8 \
     WHERE id = ?1 RETURNING id";

const INSERT_CORRECTION: &str = "INSERT INTO enrichment_corrections (mention_id, field, \
     old_value, new_value, corrected_by, corrected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

pub(super) fn correct_enrichment(
    connection: &mut Connection,
    id: MentionId,
    enrichment: &Enrichment,
    corrections: &[EnrichmentCorrection],
) -> Result<bool> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let seq = read_counter(&transaction)? + 1;
    let columns = EnrichmentColumns::encode(Some(enrichment));
    let updated: Option<i64> = transaction
        .prepare_cached(UPDATE_ENRICHMENT)?
        .query_row(
            rusqlite::params![
                id.0,
                columns.sentiment,
                columns.sentiment_confidence.map(f64::from),
                columns.reason,
                columns.intent,
                columns.author_type,
                columns.model_version,
                seq,
            ],
            |row| row.get(0),
        )
        .optional()?;
    if updated.is_none() {
        return Ok(false); // Dropping the transaction rolls it back.
    }
    {
        let mut insert = transaction.prepare_cached(INSERT_CORRECTION)?;
        for correction in corrections {
            insert.execute((
                correction.mention_id.0,
                &correction.field,
                &correction.old_value,
                &correction.new_value,
                &correction.corrected_by,
                timestamp_to_text(stored_timestamp(correction.corrected_at)),
            ))?;
        }
    }
    write_counter(&transaction, seq)?;
    transaction.commit()?;
    Ok(true)
}

pub(super) fn list_corrections(connection: &Connection) -> Result<Vec<EnrichmentCorrection>> {
    let mut statement = connection.prepare_cached(
        "SELECT mention_id, field, old_value, new_value, corrected_by, corrected_at \
         FROM enrichment_corrections ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    let mut corrections = Vec::new();
    while let Some(row) = rows.next()? {
        let corrected_at: String = row.get(5)?;
        corrections.push(EnrichmentCorrection {
            mention_id: MentionId(row.get(0)?),
            field: row.get(1)?,
            old_value: row.get(2)?,
            new_value: row.get(3)?,
            corrected_by: row.get(4)?,
            corrected_at: timestamp_from_text(&corrected_at)?,
        });
    }
    Ok(corrections)
}
