//! Tuning helper (not product code): runs the detector over a NAB-layout
//! folder and writes NAB result files. `SIGNALS_CONFIG` may hold a partial
//! JSON `DetectorConfig`; `SKIP_CATEGORY` names a category to leave out.
//!
//! cargo run --release -p signals --example nab_tune -- DATA_DIR OUT_DIR

use std::error::Error;
use std::fs;
use std::path::Path;

use chrono::NaiveDateTime;
use signals::{Detector, DetectorConfig};

fn main() -> Result<(), Box<dyn Error>> {
    let arguments: Vec<String> = std::env::args().collect();
    let (data_dir, out_dir) = (Path::new(&arguments[1]), Path::new(&arguments[2]));
    let config: DetectorConfig = match std::env::var("SIGNALS_CONFIG") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => DetectorConfig::default(),
    };
    let skip = std::env::var("SKIP_CATEGORY").unwrap_or_default();
    for category in fs::read_dir(data_dir)? {
        let category = category?.path();
        if !category.is_dir()
            || category
                .file_name()
                .is_some_and(|name| name.to_string_lossy() == skip)
        {
            continue;
        }
        let category_out = out_dir.join(category.file_name().unwrap());
        fs::create_dir_all(&category_out)?;
        for file in fs::read_dir(&category)? {
            let file = file?.path();
            if file.extension().is_none_or(|extension| extension != "csv") {
                continue;
            }
            let mut detector = Detector::new(config.clone())?;
            let mut reader = csv::Reader::from_path(&file)?;
            let mut writer = csv::Writer::from_path(category_out.join(file.file_name().unwrap()))?;
            writer.write_record(["timestamp", "value", "anomaly_score"])?;
            for record in reader.records() {
                let record = record?;
                let timestamp = NaiveDateTime::parse_from_str(&record[0], "%Y-%m-%d %H:%M:%S")?
                    .and_utc()
                    .timestamp();
                let value: f64 = record[1].trim().parse()?;
                let score = detector.update(timestamp, value);
                writer.write_record([&record[0], &record[1], &score.to_string()])?;
            }
            writer.flush()?;
        }
    }
    Ok(())
}
