//! Posts, crisis modes, bulk batches and their messages over [`Db`].

use chrono::{DateTime, Utc};
use domain::Source;

use super::rows::*;
use crate::codec::now;
use crate::sql::{Db, Param, Row};
use crate::{NewCaseEvent, Result, StoreError};

fn source_from(text: &str) -> Result<Source> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("unknown source {text:?}")))
}

fn returned(row: Option<Row>) -> Result<Row> {
    row.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))
}

const POST_COLUMNS: &str = "id, channel, account, kind, text, mention_id, incident_id, status, scheduled_at, created_by, \
     reviewed_by, review_note, published_at, outbox_id, created_at, updated_at";

fn post_from_row(row: &Row) -> Result<PostRow> {
    Ok(PostRow {
        id: row.int(0)?,
        channel: source_from(&row.text(1)?)?,
        account: row.text(2)?,
        kind: row.text(3)?,
        text: row.text(4)?,
        mention_id: row.opt_int(5)?,
        incident_id: row.opt_int(6)?,
        status: row.text(7)?,
        scheduled_at: row.opt_time(8)?,
        created_by: row.text(9)?,
        reviewed_by: row.opt_text(10)?,
        review_note: row.opt_text(11)?,
        published_at: row.opt_time(12)?,
        outbox_id: row.opt_int(13)?,
        created_at: row.time(14)?,
        updated_at: row.time(15)?,
    })
}

pub(crate) fn create_post(db: &mut dyn Db, post: &PostRow) -> Result<PostRow> {
    let row = db.query_opt(
        &format!(
            "INSERT INTO posts (channel, account, kind, text, mention_id, incident_id, status, scheduled_at, created_by, \
             reviewed_by, review_note, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) \
             RETURNING {POST_COLUMNS}"
        ),
        &[
            Param::Text(post.channel.as_str()),
            Param::Text(&post.account),
            Param::Text(&post.kind),
            Param::Text(&post.text),
            post.mention_id.into(),
            post.incident_id.into(),
            Param::Text(&post.status),
            post.scheduled_at.into(),
            Param::Text(&post.created_by),
            post.reviewed_by.as_deref().into(),
            post.review_note.as_deref().into(),
            Param::Time(post.created_at),
        ],
    )?;
    post_from_row(&returned(row)?)
}

pub(crate) fn get_post(db: &mut dyn Db, id: i64) -> Result<Option<PostRow>> {
    db.query_opt(&format!("SELECT {POST_COLUMNS} FROM posts WHERE id = ?1"), &[Param::Int(id)])?.map(|row| post_from_row(&row)).transpose()
}

pub(crate) fn list_posts(db: &mut dyn Db, filter: &PostFilter) -> Result<Vec<PostRow>> {
    // Only the filters given are bound (PostgreSQL cannot type a bare `? IS NULL`).
    let mut conditions = vec!["id < ?1".to_string()];
    let mut params: Vec<Param<'_>> = vec![Param::Int(filter.before_id.unwrap_or(i64::MAX))];
    if let Some(status) = filter.status.as_deref() {
        params.push(Param::Text(status));
        conditions.push(format!("status = ?{}", params.len()));
    }
    if let Some(incident) = filter.incident_id {
        params.push(Param::Int(incident));
        conditions.push(format!("incident_id = ?{}", params.len()));
    }
    params.push(Param::Int(filter.limit.clamp(1, 500) as i64));
    let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE {} ORDER BY id DESC LIMIT ?{}", conditions.join(" AND "), params.len());
    db.query(&sql, &params)?.iter().map(post_from_row).collect()
}

pub(crate) fn update_post_if(db: &mut dyn Db, post: &PostRow, expected: &str) -> Result<bool> {
    Ok(db.execute(
        "UPDATE posts SET text = ?2, status = ?3, scheduled_at = ?4, reviewed_by = ?5, review_note = ?6, updated_at = ?7 \
         WHERE id = ?1 AND status = ?8",
        &[
            Param::Int(post.id),
            Param::Text(&post.text),
            Param::Text(&post.status),
            post.scheduled_at.into(),
            post.reviewed_by.as_deref().into(),
            post.review_note.as_deref().into(),
            Param::Time(now()),
            Param::Text(expected),
        ],
    )? > 0)
}

pub(crate) fn due_posts(db: &mut dyn Db, at: DateTime<Utc>, limit: usize) -> Result<Vec<PostRow>> {
    db.query(
        &format!("SELECT {POST_COLUMNS} FROM posts WHERE status = 'scheduled' AND scheduled_at <= ?1 ORDER BY scheduled_at, id LIMIT ?2"),
        &[Param::Time(at), Param::Int(limit.clamp(1, 1000) as i64)],
    )?
    .iter()
    .map(post_from_row)
    .collect()
}

const OUTBOUND_COLUMNS: &str =
    "id, case_id, post_id, channel, in_reply_to, recipient, text, visibility, status, attempts, created_at, updated_at";

fn outbound_from_row(row: &Row) -> Result<OutboundRow> {
    Ok(OutboundRow {
        id: row.int(0)?,
        case_id: row.opt_int(1)?,
        post_id: row.opt_int(2)?,
        channel: source_from(&row.text(3)?)?,
        in_reply_to: row.opt_text(4)?,
        recipient: row.opt_text(5)?,
        text: row.text(6)?,
        visibility: row.text(7)?,
        status: row.text(8)?,
        attempts: u32::try_from(row.int(9)?).unwrap_or(u32::MAX),
        created_at: row.time(10)?,
        updated_at: row.time(11)?,
    })
}

fn insert_outbound(db: &mut dyn Db, outbound: &OutboundRow) -> Result<OutboundRow> {
    let row = db.query_opt(
        &format!(
            "INSERT INTO outbox (case_id, post_id, channel, in_reply_to, recipient, text, visibility, status, attempts, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) RETURNING {OUTBOUND_COLUMNS}"
        ),
        &[
            outbound.case_id.into(),
            outbound.post_id.into(),
            Param::Text(outbound.channel.as_str()),
            outbound.in_reply_to.as_deref().into(),
            outbound.recipient.as_deref().into(),
            Param::Text(&outbound.text),
            Param::Text(&outbound.visibility),
            Param::Text(&outbound.status),
            Param::Int(i64::from(outbound.attempts)),
            Param::Time(outbound.created_at),
        ],
    )?;
    outbound_from_row(&returned(row)?)
}

pub(crate) fn publish_post(db: &mut dyn Db, id: i64, expected: &str, outbound: &OutboundRow) -> Result<Option<PostRow>> {
    let at = now();
    let changed = db.execute(
        "UPDATE posts SET status = 'published', published_at = ?2, updated_at = ?2 WHERE id = ?1 AND status = ?3",
        &[Param::Int(id), Param::Time(at), Param::Text(expected)],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let written = insert_outbound(db, &OutboundRow { post_id: Some(id), ..outbound.clone() })?;
    db.execute("UPDATE posts SET outbox_id = ?2 WHERE id = ?1", &[Param::Int(id), Param::Int(written.id)])?;
    get_post(db, id)
}

pub(crate) fn list_outbound(db: &mut dyn Db, after_id: i64, limit: usize) -> Result<Vec<OutboundRow>> {
    db.query(
        &format!("SELECT {OUTBOUND_COLUMNS} FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2"),
        &[Param::Int(after_id), Param::Int(limit.clamp(1, 1000) as i64)],
    )?
    .iter()
    .map(outbound_from_row)
    .collect()
}

const CRISIS_COLUMNS: &str = "incident_id, active, ack_template, ack_after_mention, changed_by, updated_at";

fn crisis_from_row(row: &Row) -> Result<CrisisRow> {
    Ok(CrisisRow {
        incident_id: row.int(0)?,
        active: row.bool(1)?,
        ack_template: row.opt_text(2)?,
        ack_after_mention: row.int(3)?,
        changed_by: row.text(4)?,
        updated_at: row.time(5)?,
    })
}

pub(crate) fn get_crisis(db: &mut dyn Db, incident_id: i64) -> Result<Option<CrisisRow>> {
    db.query_opt(&format!("SELECT {CRISIS_COLUMNS} FROM crisis_modes WHERE incident_id = ?1"), &[Param::Int(incident_id)])?
        .map(|row| crisis_from_row(&row))
        .transpose()
}

pub(crate) fn set_crisis(db: &mut dyn Db, crisis: &CrisisRow) -> Result<()> {
    db.execute(
        "INSERT INTO crisis_modes (incident_id, active, ack_template, ack_after_mention, changed_by, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (incident_id) DO UPDATE SET active = excluded.active, \
         ack_template = excluded.ack_template, ack_after_mention = excluded.ack_after_mention, \
         changed_by = excluded.changed_by, updated_at = excluded.updated_at",
        &[
            Param::Int(crisis.incident_id),
            Param::Bool(crisis.active),
            crisis.ack_template.as_deref().into(),
            Param::Int(crisis.ack_after_mention),
            Param::Text(&crisis.changed_by),
            Param::Time(crisis.updated_at),
        ],
    )?;
    Ok(())
}

pub(crate) fn active_crises(db: &mut dyn Db) -> Result<Vec<CrisisRow>> {
    db.query(&format!("SELECT {CRISIS_COLUMNS} FROM crisis_modes WHERE active ORDER BY incident_id"), &[])?.iter().map(crisis_from_row).collect()
}

pub(crate) fn claim_ack_range(db: &mut dyn Db, incident_id: i64, from: i64, to: i64) -> Result<bool> {
    Ok(db.execute(
        "UPDATE crisis_modes SET ack_after_mention = ?3 WHERE incident_id = ?1 AND ack_after_mention = ?2 AND ?3 > ?2",
        &[Param::Int(incident_id), Param::Int(from), Param::Int(to)],
    )? > 0)
}

const BATCH_COLUMNS: &str = "id, incident_id, kind, template, digest, created_by, created_at, sent_at";

fn batch_from_row(row: &Row) -> Result<BulkBatchRow> {
    Ok(BulkBatchRow {
        id: row.int(0)?,
        incident_id: row.int(1)?,
        kind: row.text(2)?,
        template: row.text(3)?,
        digest: row.text(4)?,
        created_by: row.text(5)?,
        created_at: row.time(6)?,
        sent_at: row.opt_time(7)?,
    })
}

const MESSAGE_COLUMNS: &str = "id, batch_id, incident_id, mention_id, case_id, channel, recipient, in_reply_to, text, status, \
     reason, outbox_id, created_at, sent_at";

fn message_from_row(row: &Row) -> Result<BulkMessageRow> {
    Ok(BulkMessageRow {
        id: row.int(0)?,
        batch_id: row.int(1)?,
        incident_id: row.int(2)?,
        mention_id: row.int(3)?,
        case_id: row.opt_int(4)?,
        channel: source_from(&row.text(5)?)?,
        recipient: row.text(6)?,
        in_reply_to: row.opt_text(7)?,
        text: row.text(8)?,
        status: row.text(9)?,
        reason: row.opt_text(10)?,
        outbox_id: row.opt_int(11)?,
        created_at: row.time(12)?,
        sent_at: row.opt_time(13)?,
    })
}

pub(crate) fn create_bulk_batch(db: &mut dyn Db, batch: &BulkBatchRow, messages: &[BulkMessageRow]) -> Result<(BulkBatchRow, Vec<BulkMessageRow>)> {
    let row = db.query_opt(
        &format!(
            "INSERT INTO bulk_batches (incident_id, kind, template, digest, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             RETURNING {BATCH_COLUMNS}"
        ),
        &[
            Param::Int(batch.incident_id),
            Param::Text(&batch.kind),
            Param::Text(&batch.template),
            Param::Text(&batch.digest),
            Param::Text(&batch.created_by),
            Param::Time(batch.created_at),
        ],
    )?;
    let stored = batch_from_row(&returned(row)?)?;
    let mut written = Vec::with_capacity(messages.len());
    for message in messages {
        let row = db.query_opt(
            &format!(
                "INSERT INTO bulk_messages (batch_id, incident_id, mention_id, case_id, channel, recipient, in_reply_to, text, \
                 status, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING {MESSAGE_COLUMNS}"
            ),
            &[
                Param::Int(stored.id),
                Param::Int(stored.incident_id),
                Param::Int(message.mention_id),
                message.case_id.into(),
                Param::Text(message.channel.as_str()),
                Param::Text(&message.recipient),
                message.in_reply_to.as_deref().into(),
                Param::Text(&message.text),
                Param::Text(&message.status),
                message.reason.as_deref().into(),
                Param::Time(message.created_at),
            ],
        )?;
        written.push(message_from_row(&returned(row)?)?);
    }
    Ok((stored, written))
}

pub(crate) fn get_bulk_batch(db: &mut dyn Db, id: i64) -> Result<Option<(BulkBatchRow, Vec<BulkMessageRow>)>> {
    let Some(row) = db.query_opt(&format!("SELECT {BATCH_COLUMNS} FROM bulk_batches WHERE id = ?1"), &[Param::Int(id)])? else {
        return Ok(None);
    };
    let batch = batch_from_row(&row)?;
    let messages = db
        .query(&format!("SELECT {MESSAGE_COLUMNS} FROM bulk_messages WHERE batch_id = ?1 ORDER BY id"), &[Param::Int(id)])?
        .iter()
        .map(message_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((batch, messages)))
}

pub(crate) fn queue_bulk_batch(db: &mut dyn Db, id: i64, at: DateTime<Utc>, skip: &[(i64, &str)]) -> Result<bool> {
    let changed = db.execute("UPDATE bulk_batches SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL", &[Param::Int(id), Param::Time(at)])?;
    if changed == 0 {
        return Ok(false);
    }
    for (message, reason) in skip {
        db.execute(
            "UPDATE bulk_messages SET status = 'skipped', reason = ?3 WHERE id = ?1 AND batch_id = ?2 AND status = 'preview'",
            &[Param::Int(*message), Param::Int(id), Param::Text(reason)],
        )?;
    }
    db.execute("UPDATE bulk_messages SET status = 'queued' WHERE batch_id = ?1 AND status = 'preview'", &[Param::Int(id)])?;
    Ok(true)
}

pub(crate) fn bulk_recipients(db: &mut dyn Db, incident_id: i64, kinds: &[&str]) -> Result<Vec<(Source, String)>> {
    let mut found = Vec::new();
    for kind in kinds {
        let rows = db.query(
            "SELECT DISTINCT bulk_messages.channel, bulk_messages.recipient FROM bulk_messages \
             JOIN bulk_batches ON bulk_batches.id = bulk_messages.batch_id \
             WHERE bulk_messages.incident_id = ?1 AND bulk_batches.kind = ?2 AND bulk_messages.status IN ('queued', 'sent')",
            &[Param::Int(incident_id), Param::Text(kind)],
        )?;
        for row in rows {
            found.push((source_from(&row.text(0)?)?, row.text(1)?));
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

pub(crate) fn queued_channels(db: &mut dyn Db) -> Result<Vec<Source>> {
    db.query("SELECT DISTINCT channel FROM bulk_messages WHERE status = 'queued'", &[])?.iter().map(|row| source_from(&row.text(0)?)).collect()
}

pub(crate) fn queued_bulk_messages(db: &mut dyn Db, channel: Source, limit: usize) -> Result<Vec<BulkMessageRow>> {
    db.query(
        &format!("SELECT {MESSAGE_COLUMNS} FROM bulk_messages WHERE status = 'queued' AND channel = ?1 ORDER BY id LIMIT ?2"),
        &[Param::Text(channel.as_str()), Param::Int(limit.clamp(1, 10_000) as i64)],
    )?
    .iter()
    .map(message_from_row)
    .collect()
}

pub(crate) fn bulk_sent_since(db: &mut dyn Db, channel: Source, since: DateTime<Utc>) -> Result<u64> {
    let row = db.query_opt(
        "SELECT COUNT(*) FROM bulk_messages WHERE channel = ?1 AND sent_at IS NOT NULL AND sent_at >= ?2",
        &[Param::Text(channel.as_str()), Param::Time(since)],
    )?;
    Ok(row.map(|row| row.int(0)).transpose()?.unwrap_or(0).max(0) as u64)
}

pub(crate) fn deliver_bulk_message(db: &mut dyn Db, id: i64, outbound: &OutboundRow, event: Option<&NewCaseEvent>) -> Result<Option<OutboundRow>> {
    let at = outbound.created_at;
    let changed = db.execute(
        "UPDATE bulk_messages SET status = 'sent', sent_at = ?2 WHERE id = ?1 AND status = 'queued'",
        &[Param::Int(id), Param::Time(at)],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let written = insert_outbound(db, outbound)?;
    db.execute("UPDATE bulk_messages SET outbox_id = ?2 WHERE id = ?1", &[Param::Int(id), Param::Int(written.id)])?;
    if let Some(event) = event {
        let mut event = event.clone();
        if let serde_json::Value::Object(details) = &mut event.details {
            details.insert("outbox".into(), serde_json::json!([written.id]));
        }
        crate::cases::sql::add_case_event(db, &event)?;
    }
    Ok(Some(written))
}

pub(crate) fn cases_of_mentions(db: &mut dyn Db, mention_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut found = Vec::new();
    for mention in mention_ids {
        if let Some(row) = db.query_opt(
            "SELECT case_id FROM case_events WHERE mention_id = ?1 AND kind = 'customer_message' ORDER BY id LIMIT 1",
            &[Param::Int(*mention)],
        )? {
            found.push((*mention, row.int(0)?));
        }
    }
    Ok(found)
}

pub(crate) fn replied_cases(db: &mut dyn Db, case_ids: &[i64]) -> Result<Vec<i64>> {
    let mut replied = Vec::new();
    for case in case_ids {
        if db.query_opt("SELECT 1 FROM case_events WHERE case_id = ?1 AND kind = 'reply' LIMIT 1", &[Param::Int(*case)])?.is_some() {
            replied.push(*case);
        }
    }
    Ok(replied)
}
