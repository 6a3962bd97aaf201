//! A small portable layer over both SQL drivers, for the people and contacts tables:
//! their SQL is written once (SQLite's `?N` placeholders, turned into `$N` for
//! PostgreSQL) and runs inside one transaction of either backend.
//!
//! Values cross as a few plain types: integers, text, booleans and timestamps
//! (SQLite keeps timestamps as RFC 3339 text, PostgreSQL as `timestamptz`).

use chrono::{DateTime, Utc};
use postgres::types::{ToSql, Type};

use crate::codec::{timestamp_from_text, timestamp_to_text};
use crate::{Result, StoreError};

/// One bound parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bool(bool),
    Time(DateTime<Utc>),
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Param::Text(value)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(value: &'a String) -> Self {
        Param::Text(value)
    }
}

impl From<bool> for Param<'_> {
    fn from(value: bool) -> Self {
        Param::Bool(value)
    }
}

impl From<DateTime<Utc>> for Param<'_> {
    fn from(value: DateTime<Utc>) -> Self {
        Param::Time(value)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Param::Null, Into::into)
    }
}

/// One value read back.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Time(DateTime<Utc>),
}

/// One row read back; getters name the column index.
#[derive(Debug, Clone)]
pub(crate) struct Row(Vec<Value>);

impl Row {
    fn value(&self, index: usize) -> Result<&Value> {
        self.0.get(index).ok_or_else(|| StoreError::Corrupt(format!("no column {index}")))
    }

    fn unexpected(&self, index: usize, wanted: &str) -> StoreError {
        StoreError::Corrupt(format!("column {index}: expected {wanted}, found {:?}", self.0.get(index)))
    }

    pub fn int(&self, index: usize) -> Result<i64> {
        self.opt_int(index)?.ok_or_else(|| self.unexpected(index, "an integer"))
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>> {
        match self.value(index)? {
            Value::Null => Ok(None),
            Value::Int(value) => Ok(Some(*value)),
            _ => Err(self.unexpected(index, "an integer")),
        }
    }

    pub fn text(&self, index: usize) -> Result<String> {
        self.opt_text(index)?.ok_or_else(|| self.unexpected(index, "text"))
    }

    pub fn opt_text(&self, index: usize) -> Result<Option<String>> {
        match self.value(index)? {
            Value::Null => Ok(None),
            Value::Text(text) => Ok(Some(text.clone())),
            _ => Err(self.unexpected(index, "text")),
        }
    }

    /// [`Row::text`], moving the text out (the column is left empty): for decoders that
    /// own their row, such as the inbox's, which reads fifty rows of many texts a page.
    pub fn take_text(&mut self, index: usize) -> Result<String> {
        self.take_opt_text(index)?.ok_or_else(|| self.unexpected(index, "text"))
    }

    /// [`Row::opt_text`], moving the text out.
    pub fn take_opt_text(&mut self, index: usize) -> Result<Option<String>> {
        match self.0.get_mut(index) {
            Some(Value::Text(text)) => Ok(Some(std::mem::take(text))),
            Some(Value::Null) => Ok(None),
            _ => Err(self.unexpected(index, "text")),
        }
    }

    pub fn bool(&self, index: usize) -> Result<bool> {
        match self.value(index)? {
            Value::Bool(value) => Ok(*value),
            Value::Int(value) => Ok(*value != 0),
            _ => Err(self.unexpected(index, "a boolean")),
        }
    }

    pub fn time(&self, index: usize) -> Result<DateTime<Utc>> {
        self.opt_time(index)?.ok_or_else(|| self.unexpected(index, "a timestamp"))
    }

    pub fn opt_time(&self, index: usize) -> Result<Option<DateTime<Utc>>> {
        match self.value(index)? {
            Value::Null => Ok(None),
            Value::Time(time) => Ok(Some(*time)),
            Value::Text(text) => timestamp_from_text(text).map(Some),
            _ => Err(self.unexpected(index, "a timestamp")),
        }
    }
}

/// A connection or transaction of either backend.
pub(crate) trait Db {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64>;

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>>;

    fn query_opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Serialises writers of mentions (PostgreSQL) so change sequences commit in order.
    fn lock_mentions(&mut self) -> Result<()>;

    /// Takes the next value of the global change sequence.
    fn next_seq(&mut self) -> Result<i64>;

    /// An SQL expression giving the UTC hour of a timestamp column as text,
    /// `YYYY-MM-DDTHH` (the backends store timestamps differently).
    fn utc_hour_of(&self, column: &str) -> String;

    /// An SQL expression giving the whole minutes from the timestamp column `start` to
    /// the timestamp column `end` (an integer; NULL when either is NULL).
    fn minutes_between(&self, end: &str, start: &str) -> String;

    /// Text to put after a table name in `FROM` so the query reads `index` (SQLite's
    /// `INDEXED BY`, where the planner would pick a worse one); nothing on PostgreSQL.
    fn indexed_by(&self, index: &str) -> String;

    /// A scalar subquery giving `SELECT {columns} FROM {from} ORDER BY {order} [LIMIT
    /// {limit}]` as JSON text, an array of rows each an array of values (`[]` when there
    /// are none), read back by [`rows_from_json`]: several lists in one statement.
    /// `columns` are plain column names; timestamps come back as RFC 3339 text.
    fn json_rows(&self, columns: &str, from: &str, order: &str, limit: Option<usize>) -> String;
}

fn limit_clause(limit: Option<usize>) -> String {
    limit.map(|limit| format!(" LIMIT {limit}")).unwrap_or_default()
}

/// The rows of a [`Db::json_rows`] column, with the values [`Row`]'s getters expect.
pub(crate) fn rows_from_json(text: &str) -> Result<Vec<Row>> {
    let rows: Vec<Vec<serde_json::Value>> =
        serde_json::from_str(text).map_err(|error| StoreError::Corrupt(format!("JSON rows: {error}")))?;
    rows.into_iter()
        .map(|values| {
            values
                .into_iter()
                .map(|value| match value {
                    serde_json::Value::Null => Ok(Value::Null),
                    serde_json::Value::Bool(value) => Ok(Value::Bool(value)),
                    serde_json::Value::String(text) => Ok(Value::Text(text)),
                    serde_json::Value::Number(number) => number
                        .as_i64()
                        .map(Value::Int)
                        .ok_or_else(|| StoreError::Corrupt(format!("JSON rows: {number} is not an integer"))),
                    other => Err(StoreError::Corrupt(format!("JSON rows: unexpected value {other}"))),
                })
                .collect::<Result<Vec<Value>>>()
                .map(Row)
        })
        .collect()
}

/// Refuses text with a NUL character before it reaches either backend: PostgreSQL cannot
/// store one in `TEXT` (it would answer with an encoding error, a 500 to the caller), and
/// SQLite would store what C strings then cut short. Mentions have theirs removed when
/// they are prepared; everything else typed by a person is refused with this error.
fn check_params(params: &[Param<'_>]) -> Result<()> {
    if params.iter().any(|param| matches!(param, Param::Text(text) if text.contains('\0'))) {
        return Err(StoreError::Invalid("text may not contain a NUL character (U+0000)".into()));
    }
    Ok(())
}

/// Whether an error is a unique-constraint violation (of either backend).
pub(crate) fn is_unique_violation(error: &StoreError) -> bool {
    match error {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
            failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        }
        StoreError::Postgres(error) => error.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
        _ => false,
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// SQLite through a connection or a transaction (which derefs to one).
pub(crate) struct SqliteDb<'c>(pub &'c rusqlite::Connection);

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as SqliteValue};
        Ok(match self {
            Param::Null => ToSqlOutput::Owned(SqliteValue::Null),
            Param::Int(value) => ToSqlOutput::Owned(SqliteValue::Integer(*value)),
            Param::Text(text) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(text.as_bytes())),
            Param::Bool(value) => ToSqlOutput::Owned(SqliteValue::Integer(i64::from(*value))),
            Param::Time(time) => ToSqlOutput::Owned(SqliteValue::Text(timestamp_to_text(*time))),
        })
    }
}

impl Db for SqliteDb<'_> {
    fn utc_hour_of(&self, column: &str) -> String {
        // Stored as RFC 3339 in UTC (`2026-11-29T05:07:13.000000Z`).
        format!("substr({column}, 1, 13)")
    }

    fn minutes_between(&self, end: &str, start: &str) -> String {
        format!("((unixepoch({end}) - unixepoch({start})) / 60)")
    }

    fn indexed_by(&self, index: &str) -> String {
        format!(" INDEXED BY {index}")
    }

    fn json_rows(&self, columns: &str, from: &str, order: &str, limit: Option<usize>) -> String {
        format!(
            "(SELECT COALESCE(json_group_array(json_array({columns}) ORDER BY {order}), '[]') \
             FROM (SELECT {columns} FROM {from} ORDER BY {order}{}))",
            limit_clause(limit)
        )
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        check_params(params)?;
        let changed = self.0.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        use rusqlite::types::ValueRef;
        check_params(params)?;
        let mut statement = self.0.prepare_cached(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        let mut read = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for index in 0..columns {
                values.push(match row.get_ref(index)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(value) => Value::Int(value),
                    ValueRef::Text(bytes) => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
                    other => return Err(StoreError::Corrupt(format!("unexpected SQLite value {other:?}"))),
                });
            }
            read.push(Row(values));
        }
        Ok(read)
    }

    fn lock_mentions(&mut self) -> Result<()> {
        // Writes run in IMMEDIATE transactions: SQLite already has one writer.
        Ok(())
    }

    fn next_seq(&mut self) -> Result<i64> {
        Ok(self.0.query_row("UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value", [], |row| {
            row.get(0)
        })?)
    }
}

/// Prepared statements by SQL text, per connection (at most this many; then it starts over).
#[derive(Default)]
pub(crate) struct StatementCache(std::collections::HashMap<String, postgres::Statement>);

const MAX_CACHED_STATEMENTS: usize = 512;

impl StatementCache {
    /// The statement for `sql`, written with PostgreSQL's `$N`, prepared on `client` the
    /// first time.
    pub(crate) fn prepare_native<C: postgres::GenericClient>(&mut self, client: &mut C, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        if self.0.len() >= MAX_CACHED_STATEMENTS {
            self.0.clear();
        }
        self.0.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// PostgreSQL through a client or a transaction, with the connection's statement cache.
pub(crate) struct PgDb<'c, C: postgres::GenericClient> {
    client: &'c mut C,
    statements: &'c mut StatementCache,
}

impl<'c, C: postgres::GenericClient> PgDb<'c, C> {
    pub(crate) fn cached(client: &'c mut C, statements: &'c mut StatementCache) -> Self {
        PgDb { client, statements }
    }

    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        // Keyed by the portable text (no conversion on a hit).
        let cache = &mut *self.statements;
        if let Some(statement) = cache.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&postgres_sql(sql))?;
        if cache.0.len() >= MAX_CACHED_STATEMENTS {
            cache.0.clear();
        }
        cache.0.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// `?1` → `$1` (no statement here has a `?` inside a string literal).
fn postgres_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Boxes a parameter for the type PostgreSQL inferred for it (a NULL needs one).
fn postgres_param<'a>(param: &Param<'a>, ty: &Type) -> Box<dyn ToSql + Sync + 'a> {
    match *param {
        Param::Int(value) if *ty == Type::INT4 => Box::new(i32::try_from(value).unwrap_or(i32::MAX)),
        Param::Int(value) => Box::new(value),
        Param::Text(text) => Box::new(text),
        Param::Bool(value) => Box::new(value),
        Param::Time(time) => Box::new(time),
        Param::Null if *ty == Type::INT8 => Box::new(None::<i64>),
        Param::Null if *ty == Type::INT4 => Box::new(None::<i32>),
        Param::Null if *ty == Type::BOOL => Box::new(None::<bool>),
        Param::Null if *ty == Type::TIMESTAMPTZ => Box::new(None::<DateTime<Utc>>),
        Param::Null => Box::new(None::<String>),
    }
}

fn postgres_params<'p>(params: &[Param<'p>], types: &[Type]) -> Vec<Box<dyn ToSql + Sync + 'p>> {
    params.iter().zip(types).map(|(param, ty)| postgres_param(param, ty)).collect()
}

impl<C: postgres::GenericClient> Db for PgDb<'_, C> {
    fn utc_hour_of(&self, column: &str) -> String {
        format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')")
    }

    fn minutes_between(&self, end: &str, start: &str) -> String {
        // Whole seconds subtracted, then divided, as SQLite's `unixepoch` does it (and the
        // care roll-ups, which must take back exactly what they added).
        format!("((CAST(FLOOR(EXTRACT(EPOCH FROM {end})) AS BIGINT) - CAST(FLOOR(EXTRACT(EPOCH FROM {start})) AS BIGINT)) / 60)")
    }

    fn indexed_by(&self, _index: &str) -> String {
        String::new()
    }

    fn json_rows(&self, columns: &str, from: &str, order: &str, limit: Option<usize>) -> String {
        // json_build_array writes timestamptz as ISO 8601 with its offset (RFC 3339).
        format!(
            "(SELECT COALESCE(CAST(json_agg(json_build_array({columns}) ORDER BY {order}) AS TEXT), '[]') \
             FROM (SELECT {columns} FROM {from} ORDER BY {order}{}) AS listed)",
            limit_clause(limit)
        )
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        check_params(params)?;
        let statement = self.prepare(sql)?;
        let boxed = postgres_params(params, statement.params());
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|param| param.as_ref() as &(dyn ToSql + Sync)).collect();
        Ok(self.client.execute(&statement, &refs)?)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        check_params(params)?;
        let statement = self.prepare(sql)?;
        let boxed = postgres_params(params, statement.params());
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|param| param.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = self.client.query(&statement, &refs)?;
        rows.iter()
            .map(|row| {
                let values = row
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(index, column)| postgres_value(row, index, column.type_()))
                    .collect::<Result<Vec<Value>>>()?;
                Ok(Row(values))
            })
            .collect()
    }

    fn lock_mentions(&mut self) -> Result<()> {
        // The same lock as the mention writers take (see postgres_store/mentions.rs).
        self.client.batch_execute("LOCK TABLE mentions IN SHARE ROW EXCLUSIVE MODE")?;
        Ok(())
    }

    fn next_seq(&mut self) -> Result<i64> {
        Ok(self.client.query_one("SELECT nextval('change_seq')", &[])?.get(0))
    }
}

fn postgres_value(row: &postgres::Row, index: usize, ty: &Type) -> Result<Value> {
    let value = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(index)?.map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(index)?.map(|value| Value::Int(i64::from(value)))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(index)?.map(Value::Bool)
    } else if *ty == Type::TIMESTAMPTZ {
        row.try_get::<_, Option<DateTime<Utc>>>(index)?.map(Value::Time)
    } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
        row.try_get::<_, Option<String>>(index)?.map(Value::Text)
    } else {
        return Err(StoreError::Corrupt(format!("column {index}: unexpected PostgreSQL type {ty}")));
    };
    Ok(value.unwrap_or(Value::Null))
}
