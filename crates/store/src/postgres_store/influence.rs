//! Authors' real influence in PostgreSQL: one row per (source, handle), replaced whole.

use domain::Source;
use postgres::{Client, Row};

use crate::codec::{count_to_column, stored_timestamp, InfluenceRow, INFLUENCE_SELECT_COLUMNS};
use crate::{AuthorInfluence, Result};

const UPSERT: &str = "INSERT INTO author_influence (source, handle, display_name, followers, \
     score, posts, echoes, state, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (source, handle) DO UPDATE SET display_name = excluded.display_name, \
     followers = excluded.followers, score = excluded.score, posts = excluded.posts, \
     echoes = excluded.echoes, state = excluded.state, updated_at = excluded.updated_at";

fn decode(row: &Row) -> Result<AuthorInfluence> {
    InfluenceRow {
        source: row.try_get(0)?,
        handle: row.try_get(1)?,
        display_name: row.try_get(2)?,
        followers: row.try_get(3)?,
        score: row.try_get(4)?,
        posts: row.try_get(5)?,
        echoes: row.try_get(6)?,
        state: row.try_get(7)?,
        updated_at: row.try_get(8)?,
    }
    .decode()
}

pub(super) fn author_influence(
    client: &mut Client,
    authors: &[(Source, &str)],
) -> Result<Vec<Option<AuthorInfluence>>> {
    let statement = client.prepare(&format!(
        "SELECT {INFLUENCE_SELECT_COLUMNS} FROM author_influence WHERE source = $1 AND handle = $2"
    ))?;
    authors
        .iter()
        .map(|(source, handle)| {
            let row = client.query_opt(&statement, &[&source.as_str(), handle])?;
            row.as_ref().map(decode).transpose()
        })
        .collect()
}

pub(super) fn upsert_author_influence(client: &mut Client, rows: &[AuthorInfluence]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut transaction = client.transaction()?;
    let statement = transaction.prepare(UPSERT)?;
    for row in rows {
        transaction.execute(
            &statement,
            &[
                &row.source.as_str(),
                &row.handle,
                &row.display_name,
                &row.followers.map(count_to_column),
                &row.score,
                &count_to_column(row.posts),
                &count_to_column(row.echoes),
                &row.state,
                &stored_timestamp(row.updated_at),
            ],
        )?;
    }
    transaction.commit()?;
    Ok(())
}

pub(super) fn top_authors(client: &mut Client, limit: usize) -> Result<Vec<AuthorInfluence>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client.query(
        &format!(
            "SELECT {INFLUENCE_SELECT_COLUMNS} FROM author_influence \
             ORDER BY score DESC, posts DESC, source, handle LIMIT $1"
        ),
        &[&limit],
    )?;
    rows.iter().map(decode).collect()
}
