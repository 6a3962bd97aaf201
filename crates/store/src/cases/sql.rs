//! Cases, their conversation, the outbox, callbacks and CSAT surveys over [`Db`].

use chrono::{DateTime, Utc};
use domain::{MentionId, Source};

use super::rows::*;
use crate::codec::{from_json, now, to_json};
use crate::sql::{Db, Param, Row, is_unique_violation, rows_from_json};
use crate::{Result, StoreError};

const CASE_COLUMNS: &str = "id, contact_id, status, priority, team_id, assignee_id, tags, language, source, topic, \
     intent, reason, first_mention_id, subject, opened_at, first_response_at, first_response_due_at, \
     resolution_due_at, resolved_at, updated_at";

fn source_from(text: &str) -> Result<Source> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("unknown source {text:?}")))
}

fn case_from_row(mut row: Row) -> Result<CaseRow> {
    Ok(CaseRow {
        id: row.int(0)?,
        contact_id: row.opt_int(1)?,
        status: row.take_text(2)?,
        priority: row.take_text(3)?,
        team_id: row.opt_int(4)?,
        assignee_id: row.opt_int(5)?,
        tags: from_json("tags", &row.take_text(6)?)?,
        language: row.take_opt_text(7)?,
        source: source_from(&row.take_text(8)?)?,
        topic: row.take_opt_text(9)?,
        intent: row.take_opt_text(10)?,
        reason: row.take_opt_text(11)?,
        first_mention_id: row.opt_int(12)?.map(MentionId),
        subject: row.take_text(13)?,
        opened_at: row.time(14)?,
        first_response_at: row.opt_time(15)?,
        first_response_due_at: row.time(16)?,
        resolution_due_at: row.time(17)?,
        resolved_at: row.opt_time(18)?,
        updated_at: row.time(19)?,
    })
}

pub(crate) fn add_case_thread(db: &mut dyn Db, case_id: i64, source: Source, external_id: &str) -> Result<()> {
    insert_thread(db, source, external_id, case_id)
}

fn insert_thread(db: &mut dyn Db, source: Source, external_id: &str, case_id: i64) -> Result<()> {
    // A message already in a case stays there (a re-delivered mention).
    db.execute(
        "INSERT INTO case_threads (source, external_id, case_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        &[Param::Text(source.as_str()), Param::Text(external_id), Param::Int(case_id)],
    )?;
    Ok(())
}

fn insert_customer_message(db: &mut dyn Db, case_id: i64, mention: Option<MentionId>, at: DateTime<Utc>) -> Result<()> {
    db.execute(
        "INSERT INTO case_events (case_id, at, kind, mention_id, details) VALUES (?1, ?2, 'customer_message', ?3, '{}')",
        &[Param::Int(case_id), Param::Time(at), mention.map(|id| id.0).into()],
    )?;
    Ok(())
}

pub(crate) fn apply_case_intake(db: &mut dyn Db, intake: &CaseIntake) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(intake.opened.len());
    let mut contacts = Vec::with_capacity(intake.opened.len());
    for new in &intake.opened {
        let case = &new.case;
        let tags = to_json(&case.tags);
        let row = db.query_opt(
            "INSERT INTO cases (contact_id, status, priority, team_id, assignee_id, tags, language, source, topic, \
             intent, reason, first_mention_id, subject, opened_at, first_response_due_at, resolution_due_at, updated_at, sentiment) \
             VALUES ((SELECT contact_id FROM contact_identities WHERE kind = 'handle' AND source = ?1 AND value = ?2), \
             ?3, ?4, ?5, ?6, ?7, ?8, ?1, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?14, \
             (SELECT sentiment FROM mentions WHERE mentions.id = ?12)) RETURNING id, contact_id",
            &[
                Param::Text(case.source.as_str()),
                Param::Text(&new.author_handle),
                Param::Text(&case.status),
                Param::Text(&case.priority),
                case.team_id.into(),
                case.assignee_id.into(),
                Param::Text(&tags),
                case.language.as_deref().into(),
                case.topic.as_deref().into(),
                case.intent.as_deref().into(),
                case.reason.as_deref().into(),
                case.first_mention_id.map(|id| id.0).into(),
                Param::Text(&case.subject),
                Param::Time(case.opened_at),
                Param::Time(case.first_response_due_at),
                Param::Time(case.resolution_due_at),
            ],
        )?;
        let row = row.ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))?;
        let id = row.int(0)?;
        contacts.push(row.opt_int(1)?);
        insert_thread(db, case.source, &new.external_id, id)?;
        insert_customer_message(db, id, case.first_mention_id, new.mention_at)?;
        ids.push(id);
    }
    // As inserted: new, not answered, with the due times given.
    super::rollup::add_new_cases(
        db,
        intake.opened.iter().zip(&contacts).map(|(new, contact_id)| super::rollup::NewCaseFacts {
            opened_at: new.case.opened_at,
            team_id: new.case.team_id,
            assignee_id: new.case.assignee_id,
            contact_id: *contact_id,
            status: &new.case.status,
            first_response_at: None,
            first_response_due_at: new.case.first_response_due_at,
            resolution_due_at: new.case.resolution_due_at,
            resolved_at: None,
        }),
    )?;
    for join in &intake.joined {
        insert_thread(db, join.source, &join.external_id, join.case_id)?;
        insert_customer_message(db, join.case_id, Some(join.mention_id), join.at)?;
        if let Some(status) = &join.reopen_to {
            db.execute(
                "UPDATE cases SET status = ?2, resolved_at = NULL, updated_at = ?3 WHERE id = ?1",
                &[Param::Int(join.case_id), Param::Text(status), Param::Time(now())],
            )?;
            db.execute(
                "INSERT INTO case_events (case_id, at, kind, text, details) VALUES (?1, ?2, 'status', ?3, '{}')",
                &[Param::Int(join.case_id), Param::Time(join.at), Param::Text(status)],
            )?;
        }
    }
    Ok(ids)
}

pub(crate) fn find_case_threads(db: &mut dyn Db, source: Source, external_ids: &[&str]) -> Result<Vec<(String, i64)>> {
    let mut found = Vec::new();
    for external_id in external_ids {
        if let Some(row) = db.query_opt(
            "SELECT case_id FROM case_threads WHERE source = ?1 AND external_id = ?2",
            &[Param::Text(source.as_str()), Param::Text(external_id)],
        )? {
            found.push((external_id.to_string(), row.int(0)?));
        }
    }
    Ok(found)
}

pub(crate) fn authors_are_vip(db: &mut dyn Db, source: Source, handles: &[&str]) -> Result<Vec<bool>> {
    let mut vip = Vec::with_capacity(handles.len());
    for handle in handles {
        let row = db.query_opt(
            "SELECT 1 FROM contact_identities JOIN contacts ON contacts.id = contact_identities.contact_id \
             WHERE contact_identities.kind = 'handle' AND contact_identities.source = ?1 \
             AND contact_identities.value = ?2 AND contacts.vip",
            &[Param::Text(source.as_str()), Param::Text(handle)],
        )?;
        vip.push(row.is_some());
    }
    Ok(vip)
}

pub(crate) fn get_case(db: &mut dyn Db, id: i64) -> Result<Option<CaseRow>> {
    db.query_opt(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"), &[Param::Int(id)])?
        .map(case_from_row)
        .transpose()
}

/// The case and its files in one statement: each list comes back as JSON rows (one round
/// trip to PostgreSQL instead of five, which is most of what opening a case costs there).
pub(crate) fn case_file(db: &mut dyn Db, id: i64) -> Result<Option<CaseFile>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS}, {}, {}, {}, {} FROM cases WHERE id = ?1",
        db.json_rows(EVENT_COLUMNS, "case_events WHERE case_id = ?1", "id", None),
        db.json_rows(OUTBOX_COLUMNS, "outbox WHERE case_id = ?1", "id", None),
        db.json_rows(CALLBACK_COLUMNS, "callbacks WHERE case_id = ?1", "id DESC", Some(CASE_FILE_CALLBACKS)),
        db.json_rows(CSAT_COLUMNS, "csat_surveys WHERE case_id = ?1", "id", None),
    );
    let Some(row) = db.query_opt(&sql, &[Param::Int(id)])? else { return Ok(None) };
    let column = CASE_COLUMNS.split(',').count();
    let list = |offset: usize| -> Result<Vec<Row>> { rows_from_json(&row.text(column + offset)?) };
    let (events, outbox, callbacks, csat) = (list(0)?, list(1)?, list(2)?, list(3)?);
    Ok(Some(CaseFile {
        case: case_from_row(row)?,
        events: events.iter().map(event_from_row).collect::<Result<_>>()?,
        outbox: outbox.iter().map(outbox_from_row).collect::<Result<_>>()?,
        callbacks: callbacks.iter().map(callback_from_row).collect::<Result<_>>()?,
        csat: csat.iter().map(csat_from_row).collect::<Result<_>>()?,
    }))
}

pub(crate) fn cases_due_between(
    db: &mut dyn Db,
    target: DueTarget,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    // The conditions repeat the partial indexes' predicates so both planners use them.
    let (due, done) = match target {
        DueTarget::FirstResponse => ("first_response_due_at", "first_response_at"),
        DueTarget::Resolution => ("resolution_due_at", "resolved_at"),
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE {done} IS NULL AND {due} > ?1 AND {due} <= ?2 \
         AND status IN ('new', 'open', 'pending_customer', 'on_hold') ORDER BY {due}, id LIMIT ?3"
    );
    db.query(&sql, &[Param::Time(after), Param::Time(until), Param::Int(limit.clamp(1, 10_000) as i64)])?
        .into_iter()
        .map(case_from_row)
        .collect()
}

pub(crate) fn cases_opened_since(db: &mut dyn Db, since: DateTime<Utc>, limit: usize) -> Result<Vec<CaseRow>> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE opened_at > ?1 ORDER BY opened_at, id LIMIT ?2");
    db.query(&sql, &[Param::Time(since), Param::Int(limit.clamp(1, 10_000) as i64)])?.into_iter().map(case_from_row).collect()
}

pub(crate) fn case_event_kinds(db: &mut dyn Db, case_ids: &[i64], kinds: &[&str]) -> Result<Vec<(i64, String)>> {
    let mut found = Vec::new();
    for case_id in case_ids {
        for kind in kinds {
            if db
                .query_opt("SELECT 1 FROM case_events WHERE case_id = ?1 AND kind = ?2 LIMIT 1", &[Param::Int(*case_id), Param::Text(kind)])?
                .is_some()
            {
                found.push((*case_id, kind.to_string()));
            }
        }
    }
    Ok(found)
}

/// The sort expressions of migration 0010_inbox_filters, written exactly as its indexes.
const DONE: &str = "(CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END)";
const DUE: &str = "(CASE WHEN first_response_at IS NULL THEN first_response_due_at ELSE resolution_due_at END)";
const RANK: &str = "(CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)";

/// `WHERE` conditions and their parameters, numbered as they are added.
struct Conditions<'p> {
    sql: Vec<String>,
    params: Vec<Param<'p>>,
}

impl<'p> Conditions<'p> {
    /// Adds `condition`, where each `#` stands for the next parameter.
    fn add(&mut self, condition: &str, params: impl IntoIterator<Item = Param<'p>>) {
        let mut condition = condition.to_string();
        for param in params {
            self.params.push(param);
            condition = condition.replacen('#', &format!("?{}", self.params.len()), 1);
        }
        self.sql.push(condition);
    }
}

fn text(value: &Option<String>) -> Option<Param<'_>> {
    value.as_deref().map(Param::Text)
}

pub(crate) fn list_cases(db: &mut dyn Db, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
    let mut conditions = Conditions { sql: Vec::new(), params: Vec::new() };
    if let Some(team) = filter.team_id {
        conditions.add("team_id = #", [Param::Int(team)]);
    }
    if let Some(assignee) = filter.assignee_id {
        conditions.add("assignee_id = #", [Param::Int(assignee)]);
    }
    if filter.unassigned {
        conditions.add("assignee_id IS NULL", []);
    }
    if let Some(contact) = filter.contact_id {
        conditions.add("contact_id = #", [Param::Int(contact)]);
    }
    if let Some(due) = filter.due_before {
        conditions.add(
            "((first_response_at IS NULL AND first_response_due_at < #) OR (resolved_at IS NULL AND resolution_due_at < #))",
            [Param::Time(due), Param::Time(due)],
        );
    }
    if let Some(status) = text(&filter.status) {
        conditions.add("status = #", [status]);
    } else if filter.due_before.is_some() {
        // Most active cases are past due in a backlog: walking the order's index finds a
        // page at once, where a status index would sort them all (`|| ''` keeps both
        // planners off that index).
        conditions.add("status || '' IN ('new', 'open', 'pending_customer', 'on_hold')", []);
        conditions.add(&format!("{DONE} = 0"), []);
    }
    if let Some(source) = filter.source {
        conditions.add("source = #", [Param::Text(source.as_str())]);
    }
    for (column, value) in [
        ("language", &filter.language),
        ("intent", &filter.intent),
        ("reason", &filter.reason),
        ("priority", &filter.priority),
        ("topic", &filter.topic),
    ] {
        if let Some(value) = text(value) {
            conditions.add(&format!("{column} = #"), [value]);
        }
    }
    if let Some(sentiment) = text(&filter.sentiment) {
        // The first message's sentiment, kept on the case by migration 0016's triggers.
        conditions.add("sentiment = #", [sentiment]);
    }
    if filter.vip {
        conditions.add("EXISTS (SELECT 1 FROM contacts WHERE contacts.id = cases.contact_id AND contacts.vip)", []);
    }
    let tag_pattern = filter.tag.as_ref().map(|tag| format!("%{}%", crate::sql::like_escape(&to_json(tag))));
    if let Some(pattern) = &tag_pattern {
        // Tags are a JSON array of strings: the tag's own JSON string is in it.
        conditions.add("tags LIKE # ESCAPE '\\'", [Param::Text(pattern)]);
    }
    let limit = filter.limit.clamp(1, 1000);
    let (key, after) = match filter.sort {
        CaseSort::Newest => {
            conditions.add("id < #", [Param::Int(filter.before_id.unwrap_or(i64::MAX))]);
            return select_cases(db, conditions, "id DESC", limit);
        }
        CaseSort::Oldest => {
            if let Some(after) = filter.after {
                conditions.add("id > #", [Param::Int(after.id)]);
            }
            return select_cases(db, conditions, "id", limit);
        }
        CaseSort::SlaDue => (DUE, filter.after.map(|key| (key.done, Param::Time(key.due_at), key.id))),
        CaseSort::Priority => (RANK, filter.after.map(|key| (key.done, Param::Int(key.rank), key.id))),
    };
    let order = format!("{key}, id");
    // With the status fixed, `done` is too: one range of the status index.
    if filter.status.is_some() {
        if let Some((_, key_value, id)) = after {
            add_keyset(&mut conditions, key, key_value, id);
        }
        return select_cases(db, conditions, &order, limit);
    }
    // Else the active cases, then the resolved and closed ones: each one range of an index
    // that starts with `done` (a keyset over `(done, key, id)` would scan from the start).
    let after_done = after.as_ref().is_some_and(|(done, _, _)| *done);
    let mut active_or_done = Conditions { sql: conditions.sql.clone(), params: conditions.params.clone() };
    active_or_done.add(&format!("{DONE} = #"), [Param::Int(i64::from(after_done))]);
    if let Some((_, key_value, id)) = after {
        add_keyset(&mut active_or_done, key, key_value, id);
    }
    let mut rows = select_cases(db, active_or_done, &order, limit)?;
    if rows.len() < limit && !after_done && filter.due_before.is_none() {
        conditions.add(&format!("{DONE} = 1"), []);
        rows.extend(select_cases(db, conditions, &order, limit - rows.len())?);
    }
    Ok(rows)
}

/// `key > after_key OR (key = after_key AND id > after_id)`, written so that both planners
/// seek the index range (`key >= #` leads).
fn add_keyset<'p>(conditions: &mut Conditions<'p>, key: &str, key_value: Param<'p>, id: i64) {
    conditions.add(&format!("{key} >= # AND ({key} > # OR id > #)"), [key_value, key_value, Param::Int(id)]);
}

fn select_cases(db: &mut dyn Db, conditions: Conditions<'_>, order: &str, limit: usize) -> Result<Vec<CaseRow>> {
    let Conditions { sql: where_sql, mut params } = conditions;
    params.push(Param::Int(limit as i64));
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE {} ORDER BY {order} LIMIT ?{}",
        if where_sql.is_empty() { "TRUE".to_string() } else { where_sql.join(" AND ") },
        params.len()
    );
    db.query(&sql, &params)?.into_iter().map(case_from_row).collect()
}

pub(crate) fn update_case(db: &mut dyn Db, case: &CaseRow) -> Result<bool> {
    let tags = to_json(&case.tags);
    Ok(db.execute(
        "UPDATE cases SET status = ?2, priority = ?3, team_id = ?4, assignee_id = ?5, tags = ?6, \
         first_response_at = ?7, first_response_due_at = ?8, resolution_due_at = ?9, resolved_at = ?10, updated_at = ?11, \
         reason = ?12, intent = ?13 WHERE id = ?1",
        &[
            Param::Int(case.id),
            Param::Text(&case.status),
            Param::Text(&case.priority),
            case.team_id.into(),
            case.assignee_id.into(),
            Param::Text(&tags),
            case.first_response_at.into(),
            Param::Time(case.first_response_due_at),
            Param::Time(case.resolution_due_at),
            case.resolved_at.into(),
            Param::Time(case.updated_at),
            case.reason.as_deref().map(Param::Text).unwrap_or(Param::Null),
            case.intent.as_deref().map(Param::Text).unwrap_or(Param::Null),
        ],
    )? > 0)
}

pub(crate) fn contact_cases(db: &mut dyn Db, contact_id: i64, limit: usize) -> Result<Vec<CaseRow>> {
    list_cases(db, &CaseFilter { contact_id: Some(contact_id), limit, ..CaseFilter::default() })
}

const EVENT_COLUMNS: &str = "id, case_id, at, kind, mention_id, user_id, text, visibility, details";

fn event_from_row(row: &Row) -> Result<CaseEventRow> {
    Ok(CaseEventRow {
        id: row.int(0)?,
        case_id: row.int(1)?,
        at: row.time(2)?,
        kind: row.text(3)?,
        mention_id: row.opt_int(4)?.map(MentionId),
        user_id: row.opt_int(5)?,
        text: row.opt_text(6)?,
        visibility: row.opt_text(7)?,
        details: from_json("details", &row.text(8)?)?,
    })
}

pub(crate) fn add_case_event(db: &mut dyn Db, event: &NewCaseEvent) -> Result<CaseEventRow> {
    let details = to_json(&event.details);
    let row = db.query_opt(
        &format!(
            "INSERT INTO case_events (case_id, at, kind, mention_id, user_id, text, visibility, details) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {EVENT_COLUMNS}"
        ),
        &[
            Param::Int(event.case_id),
            Param::Time(event.at),
            Param::Text(&event.kind),
            event.mention_id.map(|id| id.0).into(),
            event.user_id.into(),
            event.text.as_deref().into(),
            event.visibility.as_deref().into(),
            Param::Text(&details),
        ],
    )?;
    event_from_row(&row.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?)
}

pub(crate) fn erase_contact_cases(db: &mut dyn Db, contact_id: i64) -> Result<u64> {
    const OF_CONTACT: &str = "case_id IN (SELECT id FROM cases WHERE contact_id = ?1)";
    let contact = [Param::Int(contact_id)];
    db.execute(&format!("UPDATE case_events SET text = NULL, details = '{{}}' WHERE {OF_CONTACT}"), &contact)?;
    db.execute(&format!("UPDATE outbox SET text = '', recipient = NULL WHERE {OF_CONTACT}"), &contact)?;
    db.execute(&format!("UPDATE callbacks SET phone = '', note = '' WHERE {OF_CONTACT}"), &contact)?;
    db.execute(&format!("UPDATE csat_surveys SET comment = NULL WHERE {OF_CONTACT}"), &contact)?;
    Ok(db.execute("UPDATE cases SET subject = '', tags = '[]' WHERE contact_id = ?1", &contact)?)
}

pub(crate) fn list_case_events(db: &mut dyn Db, case_id: i64) -> Result<Vec<CaseEventRow>> {
    db.query(&format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = ?1 ORDER BY id"), &[Param::Int(case_id)])?
        .iter()
        .map(event_from_row)
        .collect()
}

/// Active cases per assignee, from the care report's roll-up per day, team and assignee
/// (migration 0015, kept by triggers): a few rows per agent and day instead of a scan of
/// every active case (0.6–1.5 s at a million cases, which the first case of a batch
/// waited for).
pub(crate) fn agent_workloads(db: &mut dyn Db) -> Result<Vec<(i64, u32)>> {
    db.query(
        "SELECT assignee_id, CAST(SUM(active) AS BIGINT) FROM care_rollup_agent_day WHERE assignee_id <> 0 \
         GROUP BY assignee_id HAVING SUM(active) > 0 ORDER BY assignee_id",
        &[],
    )?
    .iter()
    .map(|row| Ok((row.int(0)?, u32::try_from(row.int(1)?).unwrap_or(u32::MAX))))
    .collect()
}

/// Rows a multi-row INSERT takes (17 parameters each, under SQLite's 32,766 limit).
const BULK_ROWS: usize = 500;

pub(crate) fn bulk_insert_cases(db: &mut dyn Db, cases: &[CaseRow]) -> Result<()> {
    for chunk in cases.chunks(BULK_ROWS) {
        let tags: Vec<String> = chunk.iter().map(|case| to_json(&case.tags)).collect();
        let mut values = Vec::with_capacity(chunk.len());
        let mut params: Vec<Param<'_>> = Vec::with_capacity(chunk.len() * 18);
        for (case, tags) in chunk.iter().zip(&tags) {
            let base = params.len();
            values.push(format!(
                "({})",
                (1..=18).map(|offset| format!("?{}", base + offset)).collect::<Vec<_>>().join(", ")
            ));
            params.extend([
                case.contact_id.into(),
                Param::Text(&case.status),
                Param::Text(&case.priority),
                case.team_id.into(),
                case.assignee_id.into(),
                Param::Text(tags),
                case.language.as_deref().into(),
                Param::Text(case.source.as_str()),
                case.topic.as_deref().into(),
                case.intent.as_deref().into(),
                case.reason.as_deref().into(),
                Param::Text(&case.subject),
                Param::Time(case.opened_at),
                case.first_response_at.into(),
                Param::Time(case.first_response_due_at),
                Param::Time(case.resolution_due_at),
                case.resolved_at.into(),
                Param::Time(case.updated_at),
            ]);
        }
        db.execute(
            &format!(
                "INSERT INTO cases (contact_id, status, priority, team_id, assignee_id, tags, language, source, topic, \
                 intent, reason, subject, opened_at, first_response_at, first_response_due_at, resolution_due_at, \
                 resolved_at, updated_at) VALUES {}",
                values.join(", ")
            ),
            &params,
        )?;
    }
    super::rollup::add_new_cases(
        db,
        cases.iter().map(|case| super::rollup::NewCaseFacts {
            opened_at: case.opened_at,
            team_id: case.team_id,
            assignee_id: case.assignee_id,
            contact_id: case.contact_id,
            status: &case.status,
            first_response_at: case.first_response_at,
            first_response_due_at: case.first_response_due_at,
            resolution_due_at: case.resolution_due_at,
            resolved_at: case.resolved_at,
        }),
    )?;
    Ok(())
}

const OUTBOX_COLUMNS: &str =
    "id, case_id, channel, in_reply_to, recipient, text, visibility, status, attempts, created_at, updated_at";

fn outbox_from_row(row: &Row) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: row.int(0)?,
        case_id: row.int(1)?,
        channel: source_from(&row.text(2)?)?,
        in_reply_to: row.opt_text(3)?,
        recipient: row.opt_text(4)?,
        text: row.text(5)?,
        visibility: row.text(6)?,
        status: row.text(7)?,
        attempts: u32::try_from(row.int(8)?).unwrap_or(u32::MAX),
        created_at: row.time(9)?,
        updated_at: row.time(10)?,
    })
}

pub(crate) fn add_outbox(db: &mut dyn Db, row: &OutboxRow) -> Result<OutboxRow> {
    let inserted = db.query_opt(
        &format!(
            "INSERT INTO outbox (case_id, channel, in_reply_to, recipient, text, visibility, status, attempts, created_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING {OUTBOX_COLUMNS}"
        ),
        &[
            Param::Int(row.case_id),
            Param::Text(row.channel.as_str()),
            row.in_reply_to.as_deref().into(),
            row.recipient.as_deref().into(),
            Param::Text(&row.text),
            Param::Text(&row.visibility),
            Param::Text(&row.status),
            Param::Int(i64::from(row.attempts)),
            Param::Time(row.created_at),
        ],
    )?;
    outbox_from_row(&inserted.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?)
}

pub(crate) fn list_outbox(db: &mut dyn Db, case_id: i64) -> Result<Vec<OutboxRow>> {
    db.query(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE case_id = ?1 ORDER BY id"), &[Param::Int(case_id)])?
        .iter()
        .map(outbox_from_row)
        .collect()
}

pub(crate) fn get_outbox(db: &mut dyn Db, id: i64) -> Result<Option<OutboxRow>> {
    db.query_opt(&format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1 AND case_id IS NOT NULL"), &[Param::Int(id)])?.map(|row| outbox_from_row(&row)).transpose()
}

pub(crate) fn outbox_by_status(db: &mut dyn Db, status: &str, before_id: Option<i64>, limit: usize) -> Result<Vec<OutboxRow>> {
    db.query(
        &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = ?1 AND case_id IS NOT NULL AND id < ?2 ORDER BY id DESC LIMIT ?3"),
        &[Param::Text(status), Param::Int(before_id.unwrap_or(i64::MAX)), Param::Int(limit.clamp(1, 1_000) as i64)],
    )?
    .iter()
    .map(outbox_from_row)
    .collect()
}

pub(crate) fn move_outbox(db: &mut dyn Db, id: i64, from: &str, to: &str) -> Result<bool> {
    Ok(db.execute(
        "UPDATE outbox SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2",
        &[Param::Int(id), Param::Text(from), Param::Text(to), Param::Time(now())],
    )? > 0)
}

pub(crate) fn set_outbox_status(db: &mut dyn Db, id: i64, status: &str) -> Result<bool> {
    Ok(db.execute(
        "UPDATE outbox SET status = ?2, attempts = attempts + 1, updated_at = ?3 WHERE id = ?1",
        &[Param::Int(id), Param::Text(status), Param::Time(now())],
    )? > 0)
}

const CALLBACK_COLUMNS: &str = "id, case_id, phone, note, slot, status, outcome, created_by, created_at, done_at";

fn callback_from_row(row: &Row) -> Result<CallbackRow> {
    Ok(CallbackRow {
        id: row.int(0)?,
        case_id: row.int(1)?,
        phone: row.text(2)?,
        note: row.text(3)?,
        slot: row.opt_text(4)?,
        status: row.text(5)?,
        outcome: row.opt_text(6)?,
        created_by: row.opt_int(7)?,
        created_at: row.time(8)?,
        done_at: row.opt_time(9)?,
    })
}

pub(crate) fn create_callback(db: &mut dyn Db, row: &CallbackRow) -> Result<CallbackRow> {
    let inserted = db.query_opt(
        &format!(
            "INSERT INTO callbacks (case_id, phone, note, slot, status, created_by, created_at) \
             VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6) RETURNING {CALLBACK_COLUMNS}"
        ),
        &[
            Param::Int(row.case_id),
            Param::Text(&row.phone),
            Param::Text(&row.note),
            row.slot.as_deref().into(),
            row.created_by.into(),
            Param::Time(row.created_at),
        ],
    )?;
    callback_from_row(&inserted.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?)
}

pub(crate) fn get_callback(db: &mut dyn Db, id: i64) -> Result<Option<CallbackRow>> {
    db.query_opt(&format!("SELECT {CALLBACK_COLUMNS} FROM callbacks WHERE id = ?1"), &[Param::Int(id)])?
        .map(|row| callback_from_row(&row))
        .transpose()
}

pub(crate) fn list_callbacks(
    db: &mut dyn Db,
    status: Option<&str>,
    case_id: Option<i64>,
    before_id: Option<i64>,
    limit: usize,
) -> Result<Vec<CallbackRow>> {
    db.query(
        &format!(
            "SELECT {CALLBACK_COLUMNS} FROM callbacks WHERE id < ?1 AND (CAST(?2 AS TEXT) IS NULL OR status = ?2) \
             AND (CAST(?3 AS BIGINT) IS NULL OR case_id = ?3) ORDER BY id DESC LIMIT ?4"
        ),
        &[
            Param::Int(before_id.unwrap_or(i64::MAX)),
            status.into(),
            case_id.into(),
            Param::Int(limit.clamp(1, 1000) as i64),
        ],
    )?
    .iter()
    .map(callback_from_row)
    .collect()
}

pub(crate) fn complete_callback(db: &mut dyn Db, id: i64, outcome: &str, at: DateTime<Utc>) -> Result<bool> {
    Ok(db.execute(
        "UPDATE callbacks SET status = 'done', outcome = ?2, done_at = ?3 WHERE id = ?1 AND status = 'open'",
        &[Param::Int(id), Param::Text(outcome), Param::Time(at)],
    )? > 0)
}

const CSAT_COLUMNS: &str = "id, case_id, agent_id, team_id, rating, comment, created_at, answered_at";

fn csat_from_row(row: &Row) -> Result<CsatRow> {
    Ok(CsatRow {
        id: row.int(0)?,
        case_id: row.int(1)?,
        agent_id: row.opt_int(2)?,
        team_id: row.opt_int(3)?,
        rating: row.opt_int(4)?.map(|rating| rating.clamp(0, 5) as u8),
        comment: row.opt_text(5)?,
        created_at: row.time(6)?,
        answered_at: row.opt_time(7)?,
    })
}

pub(crate) fn create_csat(db: &mut dyn Db, row: &CsatRow, token_sha256_hex: &str) -> Result<CsatRow> {
    let inserted = db.query_opt(
        &format!(
            "INSERT INTO csat_surveys (case_id, token_sha256, agent_id, team_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {CSAT_COLUMNS}"
        ),
        &[
            Param::Int(row.case_id),
            Param::Text(token_sha256_hex),
            row.agent_id.into(),
            row.team_id.into(),
            Param::Time(row.created_at),
        ],
    );
    match inserted {
        Ok(row) => csat_from_row(&row.ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?),
        Err(error) if is_unique_violation(&error) => Err(StoreError::Conflict("this survey token exists".into())),
        Err(error) => Err(error),
    }
}

pub(crate) fn find_csat(db: &mut dyn Db, token_sha256_hex: &str) -> Result<Option<CsatRow>> {
    db.query_opt(&format!("SELECT {CSAT_COLUMNS} FROM csat_surveys WHERE token_sha256 = ?1"), &[Param::Text(token_sha256_hex)])?
        .map(|row| csat_from_row(&row))
        .transpose()
}

pub(crate) fn answer_csat(db: &mut dyn Db, id: i64, rating: u8, comment: Option<&str>, at: DateTime<Utc>) -> Result<bool> {
    Ok(db.execute(
        "UPDATE csat_surveys SET rating = ?2, comment = ?3, answered_at = ?4 WHERE id = ?1 AND answered_at IS NULL",
        &[Param::Int(id), Param::Int(i64::from(rating)), comment.into(), Param::Time(at)],
    )? > 0)
}

pub(crate) fn case_csat(db: &mut dyn Db, case_id: i64) -> Result<Vec<CsatRow>> {
    db.query(&format!("SELECT {CSAT_COLUMNS} FROM csat_surveys WHERE case_id = ?1 ORDER BY id"), &[Param::Int(case_id)])?
        .iter()
        .map(csat_from_row)
        .collect()
}

pub(crate) fn csat_report(db: &mut dyn Db, period: Option<&super::CareReportFilter>) -> Result<Vec<CsatTotals>> {
    let mut sql = String::from("SELECT agent_id, team_id, COUNT(*), CAST(SUM(rating) AS BIGINT) FROM csat_surveys WHERE answered_at IS NOT NULL");
    let mut params = Vec::new();
    if let Some(period) = period {
        params.extend([Param::Time(period.from), Param::Time(period.to)]);
        sql.push_str(" AND answered_at >= ?1 AND answered_at < ?2");
        if let Some(team) = period.team_id {
            params.push(Param::Int(team));
            sql.push_str(&format!(" AND team_id = ?{}", params.len()));
        }
        if let Some(agent) = period.assignee_id {
            params.push(Param::Int(agent));
            sql.push_str(&format!(" AND agent_id = ?{}", params.len()));
        }
    }
    sql.push_str(" GROUP BY agent_id, team_id ORDER BY agent_id, team_id");
    db.query(&sql, &params)?
    .iter()
    .map(|row| {
        Ok(CsatTotals {
            agent_id: row.opt_int(0)?,
            team_id: row.opt_int(1)?,
            answers: row.int(2)?.max(0) as u64,
            rating_sum: row.opt_int(3)?.unwrap_or(0).max(0) as u64,
        })
    })
    .collect()
}

pub(crate) fn case_arrivals_by_hour(
    db: &mut dyn Db,
    team_id: Option<i64>,
    since: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, u32)>> {
    let hour = db.utc_hour_of("opened_at");
    let team = if team_id.is_some() { " AND team_id = ?2" } else { "" };
    let sql = format!(
        "SELECT {hour} AS hour, COUNT(*) FROM cases WHERE opened_at >= ?1{team} GROUP BY hour ORDER BY hour"
    );
    let mut params = vec![Param::Time(since)];
    if let Some(team_id) = team_id {
        params.push(Param::Int(team_id));
    }
    db.query(&sql, &params)?
        .iter()
        .map(|row| {
            let text = row.text(0)?;
            let hour = chrono::NaiveDateTime::parse_from_str(&format!("{text}:00"), "%Y-%m-%dT%H:%M")
                .map_err(|error| StoreError::Corrupt(format!("case hour {text:?}: {error}")))?
                .and_utc();
            Ok((hour, row.int(1)?.clamp(0, i64::from(u32::MAX)) as u32))
        })
        .collect()
}

pub(crate) fn cases_holding_mention(db: &mut dyn Db, mention_id: MentionId) -> Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id IN (SELECT case_id FROM case_events WHERE mention_id = ?1) ORDER BY id"
    );
    db.query(&sql, &[Param::Int(mention_id.0)])?.into_iter().map(case_from_row).collect()
}

pub(crate) fn incident_cases(db: &mut dyn Db, incident_id: i64, before_id: Option<i64>, limit: usize) -> Result<Vec<CaseRow>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id IN (SELECT case_id FROM case_events WHERE mention_id IN \
         (SELECT mention_id FROM incident_mentions WHERE incident_id = ?1)) AND id < ?2 ORDER BY id DESC LIMIT ?3"
    );
    db.query(&sql, &[Param::Int(incident_id), Param::Int(before_id.unwrap_or(i64::MAX)), Param::Int(limit.min(1_000) as i64)])?
        .into_iter()
        .map(case_from_row)
        .collect()
}
