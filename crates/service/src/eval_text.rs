//! Scoring the understanding models on labelled public data sets:
//! `comptoir eval sentiment|reason --format … FILE`.
//!
//! The model built into the binary (or one given with `--model`) classifies every row
//! and is scored against the file's labels; `--cv K` instead cross-validates a freshly
//! trained model on the file, with the options `comptoir train` uses. `texts_per_sec`
//! times the classification alone (one thread), never reading or parsing the file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use nlp::{Analyzer, AnalyzerModels, Model, Scores};

use crate::understanding::{TrainTask, column_index, csv_error, open_labelled_csv, read_model_file, train_options};
use crate::ServiceError;

/// The labelled file layouts `eval` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalFormat {
    /// Twitter US Airline Sentiment (Kaggle/Crowdflower): `text`, `airline_sentiment`,
    /// `negativereason`. English.
    Airline,
    /// UMSAB (XLM-T) rows, e.g. the French DEFT 2017 file: `text`, `label`. French.
    Umsab,
    /// TweetEval sentiment rows: `text`, `label`. English.
    TweetEval,
}

impl EvalFormat {
    /// The language of the data set's texts, given to the analyser as a known language
    /// (as a source configured with its language would).
    pub fn language(self) -> &'static str {
        match self {
            EvalFormat::Umsab => "fr",
            EvalFormat::Airline | EvalFormat::TweetEval => "en",
        }
    }

    fn sentiment_column(self) -> &'static str {
        match self {
            EvalFormat::Airline => "airline_sentiment",
            EvalFormat::Umsab | EvalFormat::TweetEval => "label",
        }
    }
}

/// What to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalTask {
    Sentiment,
    /// The airline's own `negativereason` labels, on the negative rows.
    Reason,
}

/// One evaluation run.
#[derive(Debug, Clone)]
pub struct EvalRequest {
    pub task: EvalTask,
    pub format: EvalFormat,
    pub input: PathBuf,
    /// A model file instead of the built-in one.
    pub model: Option<PathBuf>,
    /// Cross-validate a freshly trained model over this many folds instead.
    pub cross_validation_folds: Option<usize>,
}

/// Per-class figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassFigures {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// The figures `eval sentiment|reason --json` prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvalReport {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: BTreeMap<String, ClassFigures>,
    /// Classification alone, one thread: the built-in or given model (with `--cv`, the
    /// model trained on every row).
    pub texts_per_sec: f64,
    /// The model scored: `task:fingerprint`, or `cross-validated (K folds)`.
    pub model: String,
}

/// Runs one evaluation.
pub fn eval_text(request: &EvalRequest) -> Result<EvalReport, ServiceError> {
    let examples = read_labelled(request)?;
    if examples.is_empty() {
        return Err(ServiceError::Invalid(format!("{}: no labelled row to score", request.input.display())));
    }
    let invalid = |error: nlp::NlpError| ServiceError::Invalid(error.to_string());
    if let Some(folds) = request.cross_validation_folds {
        // A text repeated in the file (the airline file has such rows) would sit in a
        // training fold and a test fold at once: cross-validate on distinct texts.
        let mut seen = std::collections::HashSet::new();
        let examples: Vec<(String, String)> =
            examples.iter().filter(|(text, _)| seen.insert(text.clone())).cloned().collect();
        let texts: Vec<&str> = examples.iter().map(|(text, _)| text.as_str()).collect();
        let truth: Vec<&str> = examples.iter().map(|(_, label)| label.as_str()).collect();
        let train_task = match request.task {
            EvalTask::Sentiment => TrainTask::Sentiment,
            EvalTask::Reason => TrainTask::Reason,
        };
        let options = train_options(train_task, &request.input);
        let predictions = nlp::cross_validated_predictions(&examples, &options, folds).map_err(invalid)?;
        let model = nlp::train_classifier(&examples, &options).map_err(invalid)?;
        let classifier = Classifier::for_task(request.task, model, request.format)?;
        let (_, texts_per_sec) = classifier.classify_all(&texts);
        return Ok(report(nlp::score(&truth, &predictions), texts_per_sec, format!("cross-validated ({folds} folds)")));
    }
    let texts: Vec<&str> = examples.iter().map(|(text, _)| text.as_str()).collect();
    let truth: Vec<&str> = examples.iter().map(|(_, label)| label.as_str()).collect();
    let model = request.model.as_deref().map(read_model_file).transpose()?;
    let classifier = match (request.task, model) {
        (_, Some(model)) => Classifier::for_task(request.task, model, request.format)?,
        (EvalTask::Sentiment, None) => Classifier::Sentiment { analyzer: Analyzer::default(), language: request.format.language() },
        (EvalTask::Reason, None) => Classifier::Reason(Analyzer::embedded_airline_reason_model()),
    };
    let name = classifier.name();
    let (predictions, texts_per_sec) = classifier.classify_all(&texts);
    Ok(report(nlp::score(&truth, &predictions), texts_per_sec, name))
}

enum Classifier {
    Sentiment { analyzer: Analyzer, language: &'static str },
    Reason(Model),
}

impl Classifier {
    fn for_task(task: EvalTask, model: Model, format: EvalFormat) -> Result<Classifier, ServiceError> {
        Ok(match task {
            EvalTask::Sentiment => {
                let analyzer = Analyzer::with_models(AnalyzerModels {
                    english_sentiment: model.clone(),
                    french_sentiment: Some(model),
                    reason: None,
                })
                .map_err(|error| ServiceError::Invalid(error.to_string()))?;
                Classifier::Sentiment { analyzer, language: format.language() }
            }
            EvalTask::Reason => Classifier::Reason(model),
        })
    }

    fn name(&self) -> String {
        match self {
            Classifier::Sentiment { analyzer, .. } => analyzer.version().to_string(),
            Classifier::Reason(model) => model.version(),
        }
    }

    /// Every text's label, and the rate: the loop is timed alone.
    fn classify_all(&self, texts: &[&str]) -> (Vec<String>, f64) {
        let started = Instant::now();
        let labels: Vec<String> = match self {
            Classifier::Sentiment { analyzer, language } => texts
                .iter()
                .map(|text| analyzer.sentiment(text, Some(language)).label.as_str().to_string())
                .collect(),
            Classifier::Reason(model) => texts.iter().map(|text| model.predict(text).label.to_string()).collect(),
        };
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        (labels, texts.len() as f64 / seconds)
    }
}

fn report(scores: Scores, texts_per_sec: f64, model: String) -> EvalReport {
    let per_class = scores
        .classes
        .iter()
        .map(|class| {
            let figures = ClassFigures { precision: class.precision, recall: class.recall, f1: class.f1, support: class.support };
            (class.label.clone(), figures)
        })
        .collect();
    EvalReport {
        n: scores.examples,
        accuracy: scores.accuracy,
        macro_f1: scores.macro_f1,
        per_class,
        texts_per_sec: texts_per_sec.round(),
        model,
    }
}

/// `(text, label)` for every scored row: every labelled row for sentiment; for reasons,
/// the negative rows that have one.
fn read_labelled(request: &EvalRequest) -> Result<Vec<(String, String)>, ServiceError> {
    let path = &request.input;
    if request.task == EvalTask::Reason && request.format != EvalFormat::Airline {
        return Err(ServiceError::Invalid("eval reason reads the airline format (its negativereason column)".into()));
    }
    let (mut reader, headers) = open_labelled_csv(path)?;
    let column = |name: &str| column_index(path, &headers, name);
    let text_at = column("text")?;
    let sentiment_at = column(request.format.sentiment_column())?;
    let reason_at = match request.task {
        EvalTask::Reason => Some(column("negativereason")?),
        EvalTask::Sentiment => None,
    };
    let mut examples = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|error| csv_error(path, error))?;
        let text = record.get(text_at).unwrap_or("").trim();
        let sentiment = record.get(sentiment_at).unwrap_or("").trim().to_ascii_lowercase();
        if text.is_empty() || sentiment.is_empty() {
            continue;
        }
        let label = match reason_at {
            None => {
                if !matches!(sentiment.as_str(), "negative" | "neutral" | "positive") {
                    return Err(ServiceError::Invalid(format!(
                        "{} row {}: sentiment {sentiment:?} is not negative, neutral or positive",
                        path.display(),
                        index + 2
                    )));
                }
                sentiment
            }
            Some(reason_at) => {
                let reason = record.get(reason_at).unwrap_or("").trim();
                if sentiment != "negative" || reason.is_empty() {
                    continue;
                }
                reason.to_string()
            }
        };
        examples.push((text.to_string(), label));
    }
    Ok(examples)
}
