//! Reading an RFC 4180 CSV file row by row with each row's exact bytes and first line,
//! shared by the CSV dataset formats.

use std::collections::HashMap;

use crate::ConnectorError;

/// One data row: its fields by column name, the line where it starts and its bytes.
pub(crate) struct CsvRow<'a> {
    pub line: u64,
    pub raw: String,
    fields: Result<csv::StringRecord, String>,
    columns: &'a HashMap<String, usize>,
}

impl CsvRow<'_> {
    /// The row's fields, or why they are not readable (invalid UTF-8…).
    pub fn field(&self, column: &str) -> Result<&str, String> {
        let record = self.fields.as_ref().map_err(Clone::clone)?;
        let index = self
            .columns
            .get(column)
            .ok_or_else(|| format!("missing column `{column}`"))?;
        record
            .get(*index)
            .ok_or_else(|| format!("missing field `{column}` (row too short)"))
    }

    /// A field that must not be empty.
    pub fn required(&self, column: &str) -> Result<&str, String> {
        let value = self.field(column)?;
        if value.trim().is_empty() {
            return Err(format!("missing field `{column}`"));
        }
        Ok(value)
    }
}

/// The header's column positions and every data row.
pub(crate) struct CsvFile {
    columns: HashMap<String, usize>,
    rows: Vec<(u64, String, Result<csv::StringRecord, String>)>,
}

impl CsvFile {
    /// One record per data row: `to_event` maps a row to a mention event, or says why
    /// the row is rejected. Position: "line N", the line where the row starts.
    pub fn records(
        &self,
        to_event: impl Fn(&CsvRow<'_>) -> Result<domain::IngestEvent, String>,
    ) -> Vec<crate::Record> {
        self.rows()
            .map(|row| {
                let position = format!("line {}", row.line);
                match to_event(&row) {
                    Ok(ingest) => crate::common::event(&position, ingest),
                    Err(reason) => crate::common::rejected(&position, reason, &row.raw),
                }
            })
            .collect()
    }

    pub fn read(
        format: &'static str,
        bytes: &[u8],
        required_columns: &[&str],
    ) -> Result<Self, ConnectorError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|error| ConnectorError::Unreadable {
                format,
                reason: format!("no CSV header: {error}"),
            })?;
        let columns: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(index, name)| (name.trim_start_matches('\u{feff}').to_string(), index))
            .collect();
        if let Some(missing) = required_columns
            .iter()
            .find(|column| !columns.contains_key(**column))
        {
            return Err(ConnectorError::Unreadable {
                format,
                reason: format!("the header has no `{missing}` column"),
            });
        }
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            let start = reader.position().clone();
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let raw = row_bytes(bytes, start.byte(), reader.position().byte());
                    let line = record.position().map_or(start.line(), csv::Position::line);
                    let fields = csv::StringRecord::from_byte_record(record.clone())
                        .map_err(|error| format!("the row is not valid UTF-8: {error}"));
                    rows.push((line, raw, fields));
                }
                Err(error) => {
                    let raw = row_bytes(bytes, start.byte(), reader.position().byte());
                    rows.push((
                        start.line(),
                        raw,
                        Err(format!("unreadable CSV row: {error}")),
                    ));
                    // A hard I/O-like error would repeat forever; stop when nothing advances.
                    if reader.position().byte() <= start.byte() {
                        break;
                    }
                }
            }
        }
        Ok(CsvFile { columns, rows })
    }

    pub fn rows(&self) -> impl Iterator<Item = CsvRow<'_>> {
        self.rows.iter().map(|(line, raw, fields)| CsvRow {
            line: *line,
            raw: raw.clone(),
            fields: fields.clone(),
            columns: &self.columns,
        })
    }
}

/// The bytes of one row, without its line terminator, as (lossy) UTF-8.
fn row_bytes(bytes: &[u8], start: u64, end: u64) -> String {
    let start = (start as usize).min(bytes.len());
    let end = (end as usize).clamp(start, bytes.len());
    let row = &bytes[start..end];
    let row = row.strip_suffix(b"\n").unwrap_or(row);
    let row = row.strip_suffix(b"\r").unwrap_or(row);
    String::from_utf8_lossy(row).into_owned()
}
