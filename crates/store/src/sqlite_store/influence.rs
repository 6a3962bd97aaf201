//! Authors' real influence in SQLite: one row per (source, handle), replaced whole.

use domain::Source;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};

use crate::codec::{
    count_to_column, stored_timestamp, timestamp_from_text, timestamp_to_text, InfluenceRow,
    INFLUENCE_SELECT_COLUMNS,
};
use crate::{AuthorInfluence, Result};

const UPSERT: &str = "INSERT INTO author_influence (source, handle, display_name, followers, \
     score, posts, echoes, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
     ON CONFLICT (source, handle) DO UPDATE SET display_name = excluded.display_name, \
     followers = excluded.followers, score = excluded.score, posts = excluded.posts, \
     echoes = excluded.echoes, state = excluded.state, updated_at = excluded.updated_at";

fn read_row(row: &Row<'_>) -> rusqlite::Result<(InfluenceRow, String)> {
    Ok((
        InfluenceRow {
            source: row.get(0)?,
            handle: row.get(1)?,
            display_name: row.get(2)?,
            followers: row.get(3)?,
            score: row.get(4)?,
            posts: row.get(5)?,
            echoes: row.get(6)?,
            state: row.get(7)?,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        },
        row.get(8)?,
    ))
}

fn decode((mut row, updated_at): (InfluenceRow, String)) -> Result<AuthorInfluence> {
    row.updated_at = timestamp_from_text(&updated_at)?;
    row.decode()
}

pub(super) fn author_influence(
    connection: &Connection,
    authors: &[(Source, &str)],
) -> Result<Vec<Option<AuthorInfluence>>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {INFLUENCE_SELECT_COLUMNS} FROM author_influence WHERE source = ?1 AND handle = ?2"
    ))?;
    authors
        .iter()
        .map(|(source, handle)| {
            let row = statement.query_row((source.as_str(), handle), read_row).optional()?;
            row.map(decode).transpose()
        })
        .collect()
}

pub(super) fn upsert_author_influence(connection: &mut Connection, rows: &[AuthorInfluence]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut upsert = transaction.prepare_cached(UPSERT)?;
        for row in rows {
            upsert.execute(rusqlite::params![
                row.source.as_str(),
                row.handle,
                row.display_name,
                row.followers.map(count_to_column),
                row.score,
                count_to_column(row.posts),
                count_to_column(row.echoes),
                row.state,
                timestamp_to_text(stored_timestamp(row.updated_at)),
            ])?;
        }
    }
    transaction.commit()?;
    Ok(())
}

pub(super) fn top_authors(connection: &Connection, limit: usize) -> Result<Vec<AuthorInfluence>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {INFLUENCE_SELECT_COLUMNS} FROM author_influence \
         ORDER BY score DESC, posts DESC, source, handle LIMIT ?1"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = statement.query_map([limit], read_row)?;
    rows.map(|row| decode(row?)).collect()
}
