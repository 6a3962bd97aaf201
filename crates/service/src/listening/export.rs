//! Each dashboard chart as a table, and that table as CSV (the csv crate) whose cells a
//! spreadsheet never runs as a formula: a cell starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return gets a leading `'` (OWASP's CSV injection advice).

use super::{BucketSeries, ListeningDashboard};
use crate::ServiceError;

/// The charts that export: `?chart=` values.
pub const CHARTS: [&str; 7] = ["volume_by_source", "volume_by_sentiment", "share_of_voice", "reasons", "intents", "top_authors", "emerging_terms"];

/// A chart's data: a header row and one row per bucket or bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A cell a spreadsheet shows as text, never evaluates.
pub fn csv_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

fn time_table(dashboard: &ListeningDashboard, series: &[BucketSeries]) -> ChartTable {
    let mut header = vec!["bucket_start".to_string()];
    header.extend(series.iter().map(|s| s.name.clone()));
    header.push("incident".into());
    let rows = dashboard
        .buckets
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let mut row = vec![start.to_rfc3339()];
            row.extend(series.iter().map(|s| s.counts.get(i).copied().unwrap_or(0).to_string()));
            row.push(if dashboard.anomalies.contains(&i) { "yes".into() } else { String::new() });
            row
        })
        .collect();
    ChartTable { header, rows }
}

impl ListeningDashboard {
    /// The table behind one chart (`CHARTS`).
    pub fn chart_table(&self, chart: &str) -> Result<ChartTable, ServiceError> {
        let strings = |items: &[&str]| items.iter().map(|item| item.to_string()).collect::<Vec<_>>();
        let table = match chart {
            "volume_by_source" => time_table(self, &self.by_source),
            "volume_by_sentiment" => time_table(self, &self.by_sentiment),
            "share_of_voice" => ChartTable {
                header: strings(&["topic", "mentions", "share"]),
                rows: self.share_of_voice.iter().map(|s| vec![s.name.clone(), s.mentions.to_string(), format!("{:.4}", s.share)]).collect(),
            },
            "reasons" | "intents" => ChartTable {
                header: strings(&[if chart == "reasons" { "reason" } else { "intent" }, "mentions"]),
                rows: if chart == "reasons" { &self.reasons } else { &self.intents }
                    .iter()
                    .map(|v| vec![v.value.clone(), v.mentions.to_string()])
                    .collect(),
            },
            "top_authors" => ChartTable {
                header: strings(&["source", "handle", "display_name", "influence", "posts", "echoes"]),
                rows: self
                    .top_authors
                    .iter()
                    .map(|a| {
                        vec![
                            a.source.as_str().to_string(),
                            a.handle.clone(),
                            a.display_name.clone().unwrap_or_default(),
                            a.influence.to_string(),
                            a.posts.to_string(),
                            a.echoes.to_string(),
                        ]
                    })
                    .collect(),
            },
            "emerging_terms" => ChartTable {
                header: strings(&["topic", "term", "count", "baseline", "score"]),
                rows: self
                    .emerging_terms
                    .iter()
                    .map(|t| vec![t.topic.clone(), t.term.clone(), t.count.to_string(), format!("{:.2}", t.baseline), format!("{:.2}", t.score)])
                    .collect(),
            },
            other => return Err(ServiceError::Invalid(format!("chart {other:?} is not one of {}", CHARTS.join(", ")))),
        };
        Ok(table)
    }

    /// One chart as CSV (header row first).
    pub fn chart_csv(&self, chart: &str) -> Result<String, ServiceError> {
        let table = self.chart_table(chart)?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let write = |writer: &mut csv::Writer<Vec<u8>>, row: &[String]| {
            writer.write_record(row.iter().map(|cell| csv_cell(cell))).map_err(|error| ServiceError::Invalid(format!("CSV: {error}")))
        };
        write(&mut writer, &table.header)?;
        for row in &table.rows {
            write(&mut writer, row)?;
        }
        let bytes = writer.into_inner().map_err(|error| ServiceError::Invalid(format!("CSV: {error}")))?;
        String::from_utf8(bytes).map_err(|error| ServiceError::Invalid(format!("CSV: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(csv_cell("+33 6"), "'+33 6");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("retard"), "retard");
        assert_eq!(csv_cell(""), "");
    }
}
