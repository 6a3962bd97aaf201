//! Mentions in PostgreSQL: batch insert through UNNEST, edit, delete with tombstone,
//! reads and the change feed.
//!
//! Every change takes `nextval('change_seq')`. A sequence alone hands out numbers in call
//! order, not commit order: a reader could see seq 6 committed before seq 5 and skip 5
//! forever. So each writing transaction first takes `LOCK TABLE mentions IN SHARE ROW
//! EXCLUSIVE MODE`, which serialises writers (readers are not blocked) and makes the
//! committed seqs always a prefix of the sequence.

use super::Connection;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{MentionId, Source, StoredMention};
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Row, Transaction};

use crate::codec::{EnrichmentRow, MentionColumns, MentionRow, in_requested_order, merge_changes, now};
use crate::{Changes, MentionWrite, Result, WriteOutcome};

/// The selected columns, JSONB read back as text for the shared decoder.
const SELECT_COLUMNS: &str = "id, source, external_id, url, author::text, title, text, \
     language, created_at, in_reply_to, quoted, reposted, thread_id, likes, reposts, replies, \
     quotes, hashtags::text, mentioned::text, urls::text, raw, duplicate_of, topics::text, \
     ingested_at, seq, sentiment, sentiment_confidence, reason, intent, author_type, \
     model_version";

/// Inserts the whole batch in one statement; the seq column defaults to the next value.
const INSERT_BATCH: &str = "INSERT INTO mentions (source, external_id, url, author_handle, \
     author, title, text, language, created_at, in_reply_to, quoted, reposted, thread_id, \
     likes, reposts, replies, quotes, hashtags, mentioned, urls, raw, duplicate_of, topics, \
     sentiment, sentiment_confidence, reason, intent, author_type, model_version, ingested_at) \
     SELECT source, external_id, url, author_handle, author::jsonb, title, text, language, \
     created_at, in_reply_to, quoted, reposted, thread_id, likes, reposts, replies, quotes, \
     hashtags::jsonb, mentioned::jsonb, urls::jsonb, raw, duplicate_of, topics::jsonb, \
     sentiment, sentiment_confidence, reason, intent, author_type, model_version, $30 \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
     $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], \
     $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::text[], \
     $19::text[], $20::text[], $21::text[], $22::bigint[], $23::text[], $24::text[], \
     $25::real[], $26::text[], $27::text[], $28::text[], $29::text[]) WITH ORDINALITY \
     AS batch(source, external_id, url, author_handle, author, title, text, language, \
     created_at, in_reply_to, quoted, reposted, thread_id, likes, reposts, replies, quotes, \
     hashtags, mentioned, urls, raw, duplicate_of, topics, sentiment, sentiment_confidence, \
     reason, intent, author_type, model_version, position) \
     ORDER BY position \
     ON CONFLICT (source, external_id) DO NOTHING \
     RETURNING id, seq, source, external_id";

const FIND_IDS: &str = "SELECT mentions.id, mentions.source, mentions.external_id \
     FROM mentions JOIN unnest($1::text[], $2::text[]) AS wanted(source, external_id) \
     ON mentions.source = wanted.source AND mentions.external_id = wanted.external_id";

/// Replaces every column but the id, the key and `ingested_at` (first seen stays first seen).
const UPDATE_MENTION: &str = "UPDATE mentions SET url = $3, author_handle = $4, \
     author = $5::text::jsonb, title = $6, text = $7, language = $8, created_at = $9, \
     in_reply_to = $10, quoted = $11, reposted = $12, thread_id = $13, likes = $14, \
     reposts = $15, replies = $16, quotes = $17, hashtags = $18::text::jsonb, \
     mentioned = $19::text::jsonb, urls = $20::text::jsonb, raw = $21, duplicate_of = $22, \
     topics = $23::text::jsonb, sentiment = $24, sentiment_confidence = $25, reason = $26, \
     intent = $27, author_type = $28, model_version = $29, seq = nextval('change_seq') \
     WHERE source = $1 AND external_id = $2 RETURNING id";

pub(super) const LOCK_WRITERS: &str = "LOCK TABLE mentions IN SHARE ROW EXCLUSIVE MODE";

type MentionKey = (String, String);

/// The batch as one array per column, for UNNEST.
#[derive(Default)]
struct ColumnArrays<'a> {
    source: Vec<&'static str>,
    external_id: Vec<&'a str>,
    url: Vec<Option<&'a str>>,
    author_handle: Vec<&'a str>,
    author_json: Vec<String>,
    title: Vec<Option<&'a str>>,
    text: Vec<&'a str>,
    language: Vec<Option<&'a str>>,
    created_at: Vec<DateTime<Utc>>,
    in_reply_to: Vec<Option<&'a str>>,
    quoted: Vec<Option<&'a str>>,
    reposted: Vec<Option<&'a str>>,
    thread_id: Vec<Option<&'a str>>,
    likes: Vec<i64>,
    reposts: Vec<i64>,
    replies: Vec<i64>,
    quotes: Vec<i64>,
    hashtags_json: Vec<String>,
    mentioned_json: Vec<String>,
    urls_json: Vec<String>,
    raw: Vec<&'a str>,
    duplicate_of: Vec<Option<i64>>,
    topics_json: Vec<String>,
    sentiment: Vec<Option<&'static str>>,
    sentiment_confidence: Vec<Option<f32>>,
    reason: Vec<Option<&'a str>>,
    intent: Vec<Option<&'static str>>,
    author_type: Vec<Option<&'static str>>,
    model_version: Vec<Option<&'a str>>,
}

impl<'a> ColumnArrays<'a> {
    fn push(&mut self, columns: MentionColumns<'a>) {
        self.source.push(columns.source);
        self.external_id.push(columns.external_id);
        self.url.push(columns.url);
        self.author_handle.push(columns.author_handle);
        self.author_json.push(columns.author_json);
        self.title.push(columns.title);
        self.text.push(columns.text);
        self.language.push(columns.language);
        self.created_at.push(columns.created_at);
        self.in_reply_to.push(columns.in_reply_to);
        self.quoted.push(columns.quoted);
        self.reposted.push(columns.reposted);
        self.thread_id.push(columns.thread_id);
        self.likes.push(columns.likes);
        self.reposts.push(columns.reposts);
        self.replies.push(columns.replies);
        self.quotes.push(columns.quotes);
        self.hashtags_json.push(columns.hashtags_json);
        self.mentioned_json.push(columns.mentioned_json);
        self.urls_json.push(columns.urls_json);
        self.raw.push(columns.raw);
        self.duplicate_of.push(columns.duplicate_of);
        self.topics_json.push(columns.topics_json);
        let enrichment = columns.enrichment;
        self.sentiment.push(enrichment.sentiment);
        self.sentiment_confidence.push(enrichment.sentiment_confidence);
        self.reason.push(enrichment.reason);
        self.intent.push(enrichment.intent);
        self.author_type.push(enrichment.author_type);
        self.model_version.push(enrichment.model_version);
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 29] {
        [
            &self.source,
            &self.external_id,
            &self.url,
            &self.author_handle,
            &self.author_json,
            &self.title,
            &self.text,
            &self.language,
            &self.created_at,
            &self.in_reply_to,
            &self.quoted,
            &self.reposted,
            &self.thread_id,
            &self.likes,
            &self.reposts,
            &self.replies,
            &self.quotes,
            &self.hashtags_json,
            &self.mentioned_json,
            &self.urls_json,
            &self.raw,
            &self.duplicate_of,
            &self.topics_json,
            &self.sentiment,
            &self.sentiment_confidence,
            &self.reason,
            &self.intent,
            &self.author_type,
            &self.model_version,
        ]
    }
}

fn key_of(write: &MentionWrite) -> MentionKey {
    (
        write.mention.source.as_str().to_string(),
        write.mention.external_id.clone(),
    )
}

pub(super) fn insert_mentions(
    client: &mut Client,
    batch: &[MentionWrite],
) -> Result<Vec<WriteOutcome>> {
    // Only the first mention of each key is sent; later ones in the batch are duplicates.
    let mut first_of_key: HashMap<MentionKey, usize> = HashMap::with_capacity(batch.len());
    let mut arrays = ColumnArrays::default();
    for (position, write) in batch.iter().enumerate() {
        if let std::collections::hash_map::Entry::Vacant(entry) = first_of_key.entry(key_of(write))
        {
            entry.insert(position);
            arrays.push(MentionColumns::encode(write));
        }
    }
    let ingested_at = now();
    let mut transaction = client.transaction()?;
    transaction.batch_execute(LOCK_WRITERS)?;
    let mut params = arrays.params().to_vec();
    params.push(&ingested_at);
    let mut inserted: HashMap<MentionKey, (i64, i64)> = HashMap::with_capacity(batch.len());
    for row in transaction.query(INSERT_BATCH, &params)? {
        inserted.insert((row.get(2), row.get(3)), (row.get(0), row.get(1)));
    }
    let stored_before = find_ids_not_inserted(&mut transaction, &arrays, &inserted)?;
    upsert_author_contacts(&mut transaction, batch, ingested_at)?;
    transaction.commit()?;

    let outcomes = batch
        .iter()
        .enumerate()
        .map(|(position, write)| {
            let key = key_of(write);
            match inserted.get(&key) {
                Some(&(id, seq)) if first_of_key[&key] == position => WriteOutcome::Inserted {
                    id: MentionId(id),
                    seq,
                },
                Some(&(id, _)) => WriteOutcome::Duplicate { id: MentionId(id) },
                None => WriteOutcome::Duplicate {
                    id: MentionId(stored_before[&key]),
                },
            }
        })
        .collect();
    Ok(outcomes)
}

/// Creates a contact for each author of the batch not yet known by its handle, in one
/// statement: contact ids are drawn first (in the batch's order) so each new identity
/// knows its contact.
const UPSERT_AUTHOR_CONTACTS: &str = "WITH wanted AS (\
     SELECT DISTINCT ON (source, value) source, value, name, bio, position \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY \
     AS batch(source, value, name, bio, position) ORDER BY source, value, position), \
     missing AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('contacts', 'id')) AS contact_id, wanted.* \
     FROM (SELECT * FROM wanted ORDER BY position) AS wanted WHERE NOT EXISTS (SELECT 1 FROM contact_identities AS known WHERE known.kind = 'handle' \
     AND known.source = wanted.source AND known.value = wanted.value)), \
     new_contacts AS (INSERT INTO contacts (id, display_name, bio, vip, created_at, updated_at) \
     SELECT contact_id, name, bio, FALSE, $5, $5 FROM missing) \
     INSERT INTO contact_identities (contact_id, kind, source, value, normalised, created_at) \
     SELECT contact_id, 'handle', source, value, lower(value), $5 FROM missing";

fn upsert_author_contacts(transaction: &mut Transaction<'_>, batch: &[MentionWrite], now: DateTime<Utc>) -> Result<()> {
    let mut sources = Vec::with_capacity(batch.len());
    let mut handles = Vec::with_capacity(batch.len());
    let mut names = Vec::with_capacity(batch.len());
    let mut bios = Vec::with_capacity(batch.len());
    for write in batch {
        let author = &write.mention.author;
        if author.handle.is_empty() || author.handle.len() > domain::MAX_IDENTITY_BYTES {
            continue;
        }
        sources.push(write.mention.source.as_str());
        handles.push(author.handle.as_str());
        names.push(author.display_name.as_deref().map(|name| crate::contacts::bounded(name, domain::MAX_SHORT_TEXT_BYTES)));
        bios.push(author.bio.as_deref().map(|bio| crate::contacts::bounded(bio, domain::MAX_BIO_BYTES)));
    }
    if !sources.is_empty() {
        transaction.execute(UPSERT_AUTHOR_CONTACTS, &[&sources, &handles, &names, &bios, &now])?;
    }
    Ok(())
}

/// The ids of the batch's mentions that were already stored (the insert skipped them).
fn find_ids_not_inserted(
    transaction: &mut Transaction<'_>,
    arrays: &ColumnArrays<'_>,
    inserted: &HashMap<MentionKey, (i64, i64)>,
) -> Result<HashMap<MentionKey, i64>> {
    let (sources, external_ids): (Vec<&str>, Vec<&str>) = arrays
        .source
        .iter()
        .zip(&arrays.external_id)
        .filter(|(source, external_id)| {
            !inserted.contains_key(&(source.to_string(), external_id.to_string()))
        })
        .map(|(source, external_id)| (*source, *external_id))
        .unzip();
    if sources.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = transaction.query(FIND_IDS, &[&sources, &external_ids])?;
    Ok(rows
        .iter()
        .map(|row| ((row.get(1), row.get(2)), row.get(0)))
        .collect())
}

pub(super) fn update_mention(
    client: &mut Client,
    write: &MentionWrite,
) -> Result<Option<MentionId>> {
    let mut ids = update_mentions(client, std::slice::from_ref(write))?;
    Ok(ids.pop().flatten())
}

pub(super) fn update_mentions(
    client: &mut Client,
    batch: &[MentionWrite],
) -> Result<Vec<Option<MentionId>>> {
    let mut transaction = client.transaction()?;
    transaction.batch_execute(LOCK_WRITERS)?;
    let update = transaction.prepare(UPDATE_MENTION)?;
    let mut ids = Vec::with_capacity(batch.len());
    for write in batch {
        let columns = MentionColumns::encode(write);
        let enrichment = columns.enrichment;
        let updated = transaction.query_opt(
            &update,
            &[
                &columns.source,
                &columns.external_id,
                &columns.url,
                &columns.author_handle,
                &columns.author_json,
                &columns.title,
                &columns.text,
                &columns.language,
                &columns.created_at,
                &columns.in_reply_to,
                &columns.quoted,
                &columns.reposted,
                &columns.thread_id,
                &columns.likes,
                &columns.reposts,
                &columns.replies,
                &columns.quotes,
                &columns.hashtags_json,
                &columns.mentioned_json,
                &columns.urls_json,
                &columns.raw,
                &columns.duplicate_of,
                &columns.topics_json,
                &enrichment.sentiment,
                &enrichment.sentiment_confidence,
                &enrichment.reason,
                &enrichment.intent,
                &enrichment.author_type,
                &enrichment.model_version,
            ],
        )?;
        ids.push(updated.map(|row| MentionId(row.get(0))));
    }
    transaction.commit()?;
    Ok(ids)
}

pub(super) fn delete_mention(
    client: &mut Client,
    source: Source,
    external_id: &str,
) -> Result<Option<MentionId>> {
    let mut transaction = client.transaction()?;
    transaction.batch_execute(LOCK_WRITERS)?;
    let deleted = transaction.query_opt(
        "DELETE FROM mentions WHERE source = $1 AND external_id = $2 RETURNING id",
        &[&source.as_str(), &external_id],
    )?;
    let Some(row) = deleted else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    transaction.execute(
        "INSERT INTO deleted_mentions (id, seq) VALUES ($1, nextval('change_seq'))",
        &[&id],
    )?;
    transaction.commit()?;
    Ok(Some(MentionId(id)))
}

/// Reads one row selected with [`SELECT_COLUMNS`]; returns it with its seq.
fn mention_from_row(row: &Row) -> Result<(i64, StoredMention)> {
    let mention_row = MentionRow {
        id: row.try_get(0)?,
        source: row.try_get(1)?,
        external_id: row.try_get(2)?,
        url: row.try_get(3)?,
        author_json: row.try_get(4)?,
        title: row.try_get(5)?,
        text: row.try_get(6)?,
        language: row.try_get(7)?,
        created_at: row.try_get(8)?,
        in_reply_to: row.try_get(9)?,
        quoted: row.try_get(10)?,
        reposted: row.try_get(11)?,
        thread_id: row.try_get(12)?,
        likes: row.try_get(13)?,
        reposts: row.try_get(14)?,
        replies: row.try_get(15)?,
        quotes: row.try_get(16)?,
        hashtags_json: row.try_get(17)?,
        mentioned_json: row.try_get(18)?,
        urls_json: row.try_get(19)?,
        raw: row.try_get(20)?,
        duplicate_of: row.try_get(21)?,
        topics_json: row.try_get(22)?,
        ingested_at: row.try_get(23)?,
        seq: row.try_get(24)?,
        enrichment: EnrichmentRow {
            sentiment: row.try_get(25)?,
            sentiment_confidence: row.try_get(26)?,
            reason: row.try_get(27)?,
            intent: row.try_get(28)?,
            author_type: row.try_get(29)?,
            model_version: row.try_get(30)?,
        },
    };
    let seq = mention_row.seq;
    Ok((seq, mention_row.decode()?))
}

/// The stored mentions matching `condition` (PostgreSQL's `$N` placeholders), with the
/// statement prepared once per connection: a read costs one round trip, not two (prepare,
/// then run), and no planning after the first ones.
fn query_mentions(
    connection: &mut Connection,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<(i64, StoredMention)>> {
    let statement = connection.prepared(&format!("SELECT {SELECT_COLUMNS} FROM mentions WHERE {condition}"))?;
    connection.client.query(&statement, params)?.iter().map(mention_from_row).collect()
}

pub(super) fn get_mention(connection: &mut Connection, id: MentionId) -> Result<Option<StoredMention>> {
    let found = query_mentions(connection, "id = $1", &[&id.0])?;
    Ok(found.into_iter().next().map(|(_, mention)| mention))
}

pub(super) fn get_mentions(connection: &mut Connection, ids: &[MentionId]) -> Result<Vec<StoredMention>> {
    let raw_ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let found = query_mentions(connection, "id = ANY($1::bigint[])", &[&raw_ids])?;
    Ok(in_requested_order(
        ids,
        found.into_iter().map(|(_, mention)| mention).collect(),
    ))
}

pub(super) fn find_mention(
    connection: &mut Connection,
    source: Source,
    external_id: &str,
) -> Result<Option<StoredMention>> {
    let found = query_mentions(
        connection,
        "source = $1 AND external_id = $2",
        &[&source.as_str(), &external_id],
    )?;
    Ok(found.into_iter().next().map(|(_, mention)| mention))
}

pub(super) fn changes_since(connection: &mut Connection, after_seq: i64, limit: usize) -> Result<Changes> {
    let sql_limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let upserts = connection.prepared(&format!("SELECT {SELECT_COLUMNS} FROM mentions WHERE seq > $1 ORDER BY seq LIMIT $2"))?;
    let deletes = connection.prepared("SELECT seq, id FROM deleted_mentions WHERE seq > $1 ORDER BY seq LIMIT $2")?;
    // One snapshot for both queries, so a delete between them cannot be half seen.
    let mut transaction = connection
        .client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let upserted = transaction
        .query(&upserts, &[&after_seq, &sql_limit])?
        .iter()
        .map(mention_from_row)
        .collect::<Result<Vec<_>>>()?;
    let deleted = transaction
        .query(&deletes, &[&after_seq, &sql_limit])?
        .iter()
        .map(|row| (row.get(0), MentionId(row.get(1))))
        .collect();
    transaction.commit()?;
    Ok(merge_changes(after_seq, limit, upserted, deleted))
}

pub(super) fn mentions_to_enrich(
    connection: &mut Connection,
    model_version: Option<&str>,
    after: MentionId,
    limit: usize,
) -> Result<Vec<StoredMention>> {
    let sql_limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let found = query_mentions(
        connection,
        "id > $1 AND ($2::text IS NULL OR model_version IS DISTINCT FROM $2::text) \
         ORDER BY id LIMIT $3",
        &[&after.0, &model_version, &sql_limit],
    )?;
    Ok(found.into_iter().map(|(_, mention)| mention).collect())
}

/// The highest committed seq (numbers a rolled-back or skipped insert took are not counted).
pub(super) fn last_seq(connection: &mut Connection) -> Result<i64> {
    let statement =
        connection.prepared("SELECT GREATEST((SELECT MAX(seq) FROM mentions), (SELECT MAX(seq) FROM deleted_mentions), 0)")?;
    let row = connection.client.query_one(&statement, &[])?;
    Ok(row.get(0))
}
