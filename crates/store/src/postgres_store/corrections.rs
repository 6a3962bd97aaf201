//! Agents' corrections of enrichments in PostgreSQL: the corrected enrichment replaces the
//! stored one (with a new change sequence, so the index catches up) and each changed
//! field is kept in `enrichment_corrections`.

use domain::{Enrichment, MentionId};
use postgres::Client;

use super::mentions::LOCK_WRITERS;
use crate::codec::{EnrichmentColumns, stored_timestamp};
use crate::{EnrichmentCorrection, Result};

const UPDATE_ENRICHMENT: &str = "UPDATE mentions SET sentiment = $2, sentiment_confidence = $3, \
     reason = $4, intent = $5, author_type = $6, model_version = $7, \
     seq = nextval('change_seq') WHERE id = $1 RETURNING id";

const INSERT_CORRECTION: &str = "INSERT INTO enrichment_corrections (mention_id, field, \
     old_value, new_value, corrected_by, corrected_at) VALUES ($1, $2, $3, $4, $5, $6)";

pub(super) fn correct_enrichment(
    client: &mut Client,
    id: MentionId,
    enrichment: &Enrichment,
    corrections: &[EnrichmentCorrection],
) -> Result<bool> {
    let columns = EnrichmentColumns::encode(Some(enrichment));
    let mut transaction = client.transaction()?;
    transaction.batch_execute(LOCK_WRITERS)?;
    let updated = transaction.query_opt(
        UPDATE_ENRICHMENT,
        &[
            &id.0,
            &columns.sentiment,
            &columns.sentiment_confidence,
            &columns.reason,
            &columns.intent,
            &columns.author_type,
            &columns.model_version,
        ],
    )?;
    if updated.is_none() {
        return Ok(false); // Dropping the transaction rolls it back.
    }
    for correction in corrections {
        transaction.execute(
            INSERT_CORRECTION,
            &[
                &correction.mention_id.0,
                &correction.field,
                &correction.old_value,
                &correction.new_value,
                &correction.corrected_by,
                &stored_timestamp(correction.corrected_at),
            ],
        )?;
    }
    transaction.commit()?;
    Ok(true)
}

pub(super) fn list_corrections(client: &mut Client) -> Result<Vec<EnrichmentCorrection>> {
    let rows = client.query(
        "SELECT mention_id, field, old_value, new_value, corrected_by, corrected_at \
         FROM enrichment_corrections ORDER BY id",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            Ok(EnrichmentCorrection {
                mention_id: MentionId(row.try_get(0)?),
                field: row.try_get(1)?,
                old_value: row.try_get(2)?,
                new_value: row.try_get(3)?,
                corrected_by: row.try_get(4)?,
                corrected_at: row.try_get(5)?,
            })
        })
        .collect()
}
