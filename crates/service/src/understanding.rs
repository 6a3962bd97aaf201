//! The understanding models as use cases: loading a brand's own models from the
//! configuration, re-enriching stored mentions, training a model from a CSV file, agents'
//! corrections and their export as training data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use domain::{Intent, MentionId, SentimentLabel, StoredMention};
use nlp::{Analyzer, AnalyzerModels, Model, ModelCard, TrainOptions};
use store::{EnrichmentCorrection, MentionWrite};

use crate::app::App;
use crate::config::ModelsConfig;
use crate::prepare::{enrich, match_topics};
use crate::ServiceError;

/// The analyser of a configuration: the brand's models where `[models]` names one, the
/// models embedded in the binary for the others.
pub fn load_analyzer(models: &ModelsConfig) -> Result<Analyzer, ServiceError> {
    if models.sentiment_en.is_none() && models.sentiment_fr.is_none() && models.reason.is_none() {
        return Ok(Analyzer::default());
    }
    let read = |path: &Path| -> Result<Model, ServiceError> {
        read_model_file(path).map_err(|error| match error {
            ServiceError::Invalid(message) => ServiceError::Config(message),
            other => other,
        })
    };
    let embedded = Analyzer::embedded_models();
    let english_sentiment = match &models.sentiment_en {
        Some(path) => read(path)?,
        None => embedded.english_sentiment,
    };
    let french_sentiment = match &models.sentiment_fr {
        Some(path) => Some(read(path)?),
        None => embedded.french_sentiment,
    };
    let reason = match &models.reason {
        Some(path) => Some(read(path)?),
        None => embedded.reason,
    };
    Analyzer::with_models(AnalyzerModels { english_sentiment, french_sentiment, reason })
        .map_err(|error| ServiceError::Config(format!("[models]: {error}")))
}

/// Which stored mentions `reenrich` revisits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReenrichScope {
    /// Those enriched by other models than the current ones, or never enriched.
    Outdated,
    All,
}

/// What `reenrich` did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReenrichReport {
    /// Mentions given the current models' enrichment.
    pub updated: u64,
    /// Of those, how many changed sentiment.
    pub sentiment_changed: u64,
    /// The current models' version, now on every updated mention.
    pub model_version: String,
}

/// Mentions re-enriched per store transaction.
const REENRICH_BATCH: usize = 1_000;

/// The fields an agent can correct.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrichmentCorrectionRequest {
    pub sentiment: Option<String>,
    pub reason: Option<String>,
    pub intent: Option<String>,
    /// Who corrected (an agent's name or e-mail).
    pub corrected_by: String,
}

impl App {
    /// Runs the current analyser over stored mentions again (and their topics, which may
    /// filter on the enrichment). Each update takes a new change sequence, so the search
    /// index follows by itself; it is brought up to date before this returns.
    pub fn reenrich(&self, scope: ReenrichScope, progress: &dyn Fn(u64)) -> Result<ReenrichReport, ServiceError> {
        let analyzer = self.analyzer();
        let topics = self.topics();
        let counters = self.counters();
        let version = analyzer.version().to_string();
        let wanted_version = (scope == ReenrichScope::Outdated).then_some(version.as_str());
        let mut report = ReenrichReport { model_version: version.clone(), ..ReenrichReport::default() };
        let mut after = MentionId(0);
        loop {
            let page = self.store().mentions_to_enrich(wanted_version, after, REENRICH_BATCH)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let writes: Vec<MentionWrite> = page
                .into_iter()
                .map(|stored| {
                    let enrichment = enrich(&analyzer, &stored.mention, counters);
                    let sentiment_before = stored.enrichment.as_ref().map(|before| before.sentiment);
                    if sentiment_before != Some(enrichment.sentiment) {
                        report.sentiment_changed += 1;
                    }
                    let topics = match_topics(&topics, &stored.mention, &enrichment, counters);
                    MentionWrite {
                        mention: stored.mention,
                        duplicate_of: stored.duplicate_of,
                        topics,
                        enrichment: Some(enrichment),
                    }
                })
                .collect();
            let updated = self.store().update_mentions(&writes)?;
            report.updated += updated.iter().flatten().count() as u64;
            progress(report.updated);
        }
        self.writer().flush()?;
        Ok(report)
    }

    /// Applies an agent's correction: the stored enrichment takes the corrected values
    /// and each changed field is kept (for `export_corrections`). Fails with `Invalid` on
    /// an unknown label, `NotFound` on an unknown mention.
    pub fn correct_enrichment(&self, id: MentionId, request: &EnrichmentCorrectionRequest) -> Result<StoredMention, ServiceError> {
        let corrected_by = request.corrected_by.trim();
        if corrected_by.is_empty() {
            return Err(ServiceError::Invalid("corrected_by must name who corrected".into()));
        }
        let sentiment = request.sentiment.as_deref().map(parse_sentiment).transpose()?;
        let intent = request.intent.as_deref().map(parse_intent).transpose()?;
        let reason = request.reason.as_deref().map(|reason| self.parse_reason(reason)).transpose()?;
        if sentiment.is_none() && intent.is_none() && reason.is_none() {
            return Err(ServiceError::Invalid("nothing to correct: give sentiment, reason or intent".into()));
        }
        let not_found = || ServiceError::NotFound(format!("no mention {id}"));
        let mut stored = self.store().get_mention(id)?.ok_or_else(not_found)?;
        let before = match stored.enrichment.clone() {
            Some(enrichment) => enrichment,
            None => enrich(&self.analyzer(), &stored.mention, self.counters()),
        };
        let mut after = before.clone();
        let mut corrections = Vec::new();
        // A label an agent confirms unchanged is kept too: it is training data all the same.
        let mut correct = |field: &str, old_value: Option<String>, new_value: String| {
            corrections.push(EnrichmentCorrection {
                mention_id: id,
                field: field.to_string(),
                old_value,
                new_value,
                corrected_by: corrected_by.to_string(),
                corrected_at: Utc::now(),
            });
        };
        if let Some(sentiment) = sentiment {
            correct("sentiment", Some(before.sentiment.as_str().to_string()), sentiment.as_str().to_string());
            after.sentiment = sentiment;
            // A person is sure of their label.
            after.sentiment_confidence = 1.0;
        }
        if let Some(intent) = intent {
            correct("intent", Some(before.intent.as_str().to_string()), intent.as_str().to_string());
            after.intent = intent;
        }
        if let Some(reason) = reason {
            correct("reason", before.reason.clone(), reason.clone());
            after.reason = Some(reason);
        }
        let (reason_corrected, intent_corrected) = (corrections.iter().any(|c| c.field == "reason"), intent.is_some());
        if !self.store().correct_enrichment(id, &after, &corrections)? {
            return Err(not_found());
        }
        // A case opened by this message takes the corrected reason and intent, so the
        // inbox's filters and the reports follow the agent's correction.
        if reason_corrected || intent_corrected {
            for mut case in self.store().cases_holding_mention(id)?.into_iter().filter(|case| case.first_mention_id == Some(id)) {
                let before_case = case.clone();
                if reason_corrected {
                    case.reason = after.reason.clone();
                }
                if intent_corrected {
                    case.intent = Some(after.intent.as_str().to_string());
                }
                if case != before_case {
                    case.updated_at = Utc::now();
                    self.store().update_case(&case)?;
                }
            }
        }
        stored.enrichment = Some(after);
        Ok(stored)
    }

    /// Reasons the analyser can give: the reason model's labels, else the default taxonomy.
    fn parse_reason(&self, reason: &str) -> Result<String, ServiceError> {
        let reason = listen::reason_key(reason);
        let known = self.analyzer().reason_labels();
        if known.iter().any(|label| listen::reason_key(label) == reason) {
            return Ok(reason);
        }
        Err(ServiceError::Invalid(format!("unknown reason {reason:?} (known: {})", known.join(", "))))
    }

    /// Writes the latest correction of each (mention, field) as `text,label,field` CSV
    /// rows, ready for `comptoir train`. Returns the number of rows.
    pub fn export_corrections(&self, out: &Path) -> Result<usize, ServiceError> {
        let mut latest: BTreeMap<(MentionId, String), String> = BTreeMap::new();
        for correction in self.store().list_corrections()? {
            latest.insert((correction.mention_id, correction.field), correction.new_value);
        }
        let ids: Vec<MentionId> = latest.keys().map(|(id, _)| *id).collect();
        let texts: BTreeMap<MentionId, String> =
            self.store().get_mentions(&ids)?.into_iter().map(|stored| (stored.id, stored.mention.text)).collect();
        let mut csv = csv::Writer::from_path(out).map_err(|error| csv_error(out, error))?;
        csv.write_record(["text", "label", "field"]).map_err(|error| csv_error(out, error))?;
        let mut rows = 0;
        for ((id, field), label) in &latest {
            // A mention deleted since its correction has no text left to learn from.
            let Some(text) = texts.get(id) else { continue };
            csv.write_record([text.as_str(), label, field]).map_err(|error| csv_error(out, error))?;
            rows += 1;
        }
        csv.flush().map_err(ServiceError::io(format!("cannot write {}", out.display())))?;
        Ok(rows)
    }
}

fn parse_sentiment(label: &str) -> Result<SentimentLabel, ServiceError> {
    SentimentLabel::parse(label)
        .ok_or_else(|| ServiceError::Invalid(format!("unknown sentiment {label:?} (known: negative, neutral, positive)")))
}

fn parse_intent(name: &str) -> Result<Intent, ServiceError> {
    Intent::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Intent::ALL.iter().map(|intent| intent.as_str()).collect();
        ServiceError::Invalid(format!("unknown intent {name:?} (known: {})", known.join(", ")))
    })
}

pub(crate) fn csv_error(path: &Path, error: csv::Error) -> ServiceError {
    ServiceError::Invalid(format!("{}: {error}", path.display()))
}

/// What `comptoir train` learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainTask {
    /// Labels must be `negative`, `neutral`, `positive`.
    Sentiment,
    /// Any label set (a brand's own taxonomy).
    Reason,
    /// Any label set. The analyser's intent stays rule-based: such a model is for
    /// evaluation and experiments.
    Intent,
}

impl TrainTask {
    pub fn name(self) -> &'static str {
        match self {
            TrainTask::Sentiment => "sentiment",
            TrainTask::Reason => "reason",
            TrainTask::Intent => "intent",
        }
    }
}

/// A training run: where the examples are, and where the model goes.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    pub task: TrainTask,
    pub input: PathBuf,
    pub text_column: String,
    pub label_column: String,
    pub out: PathBuf,
}

/// What a training run measured and wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainReport {
    pub examples: usize,
    pub labels: Vec<String>,
    /// 5-fold stratified cross-validation.
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Per-class figures, one line each.
    pub details: String,
    /// `task:fingerprint`, as enrichments made with the model will name it.
    pub model_version: String,
}

/// Folds of the cross-validation `train` reports.
const CROSS_VALIDATION_FOLDS: usize = 5;

/// Reads the examples, cross-validates, trains on all of them and writes the model.
pub fn train_model(request: &TrainRequest) -> Result<TrainReport, ServiceError> {
    let examples = read_examples(request)?;
    let options = train_options(request.task, &request.input);
    let invalid = |error: nlp::NlpError| ServiceError::Invalid(error.to_string());
    let scores = nlp::cross_validate(&examples, &options, CROSS_VALIDATION_FOLDS).map_err(invalid)?;
    let model = nlp::train_classifier(&examples, &options).map_err(invalid)?;
    std::fs::write(&request.out, model.to_bytes())
        .map_err(ServiceError::io(format!("cannot write {}", request.out.display())))?;
    Ok(TrainReport {
        examples: examples.len(),
        labels: model.labels().to_vec(),
        accuracy: scores.accuracy,
        macro_f1: scores.macro_f1,
        details: scores.to_string(),
        model_version: model.version(),
    })
}

/// The options `comptoir train` (and `eval --cv`) trains with: those of the shipped
/// models (`TrainOptions::default()`), with a card naming the task and the input.
pub fn train_options(task: TrainTask, input: &Path) -> TrainOptions {
    TrainOptions {
        card: ModelCard {
            task: task.name().to_string(),
            provenance: format!("comptoir train {} --input {}", task.name(), input.display()),
            licence: "as the training data".to_string(),
        },
        ..TrainOptions::default()
    }
}

/// A model file (`comptoir train … --out`), read and checked.
pub(crate) fn read_model_file(path: &Path) -> Result<Model, ServiceError> {
    let bytes = std::fs::read(path).map_err(ServiceError::io(format!("cannot read the model {}", path.display())))?;
    Model::from_bytes(&bytes).map_err(|error| ServiceError::Invalid(format!("model {}: {error}", path.display())))
}

/// A labelled CSV file with a header row, and its headers.
pub(crate) fn open_labelled_csv(path: &Path) -> Result<(csv::Reader<std::fs::File>, csv::StringRecord), ServiceError> {
    let mut reader = csv::Reader::from_path(path).map_err(|error| csv_error(path, error))?;
    let headers = reader.headers().map_err(|error| csv_error(path, error))?.clone();
    Ok((reader, headers))
}

/// The position of the column `name`; the error lists the columns the file has.
pub(crate) fn column_index(path: &Path, headers: &csv::StringRecord, name: &str) -> Result<usize, ServiceError> {
    headers.iter().position(|header| header.trim() == name).ok_or_else(|| {
        let columns = headers.iter().collect::<Vec<_>>().join(", ");
        ServiceError::Invalid(format!("{}: no column {name:?} (columns: {columns})", path.display()))
    })
}

fn read_examples(request: &TrainRequest) -> Result<Vec<(String, String)>, ServiceError> {
    let path = &request.input;
    let (mut reader, headers) = open_labelled_csv(path)?;
    let column = |name: &str| column_index(path, &headers, name);
    let (text_at, label_at) = (column(&request.text_column)?, column(&request.label_column)?);
    let mut examples = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|error| csv_error(path, error))?;
        let (Some(text), Some(label)) = (record.get(text_at), record.get(label_at)) else { continue };
        let (text, label) = (text.trim(), label.trim());
        if text.is_empty() || label.is_empty() {
            continue;
        }
        let label = match request.task {
            TrainTask::Sentiment => parse_sentiment(label)
                .map_err(|error| ServiceError::Invalid(format!("{} row {}: {error}", path.display(), row + 2)))?
                .as_str()
                .to_string(),
            TrainTask::Reason | TrainTask::Intent => listen::reason_key(label),
        };
        examples.push((text.to_string(), label));
    }
    Ok(examples)
}
