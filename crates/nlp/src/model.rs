//! A multinomial logistic regression over hashed features: trained here, in Rust,
//! deterministically (fixed seed, fixed order of floating-point operations), and stored
//! as a small self-describing file (header + 8-bit weights).
//!
//! File layout: the 8 bytes `CPTMODEL`, a little-endian `u32` header length, the header
//! as JSON ([`ModelCard`], labels, biases, per-class scales, hash size, feature-set
//! version), then `2^hash_bits × labels` signed bytes, feature-major (a weight is
//! `byte × scale[class]`), then the dense block's weights, `dense_dimensions × labels`
//! little-endian `f32`, feature-major.

use serde::{Deserialize, Serialize};

use crate::error::NlpError;
use crate::features::{
    self, DENSE_DIMENSIONS, FEATURE_SET_VERSION, Features, PreparedText, prepare,
};

const MAGIC: &[u8; 8] = b"CPTMODEL";
const FORMAT_VERSION: u32 = 1;
/// Label sets up to this size are scored without allocating.
const STACK_CLASSES: usize = 16;

/// What a model is and where it comes from; written into the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCard {
    /// `sentiment-en`, `sentiment-fr`, `reason`, or any name a brand gives its own model.
    pub task: String,
    /// The data and command that produced the model.
    pub provenance: String,
    /// The licence terms inherited from the training data.
    pub licence: String,
}

impl Default for ModelCard {
    fn default() -> ModelCard {
        ModelCard {
            task: "custom".into(),
            provenance: "trained by the user on their own data".into(),
            licence: "as the training data".into(),
        }
    }
}

/// Hyper-parameters of [`train_classifier`]. The defaults are the ones the shipped
/// models use (chosen by cross-validation on the development data).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    pub card: ModelCard,
    /// The model has `2^hash_bits` weights per class.
    pub hash_bits: u8,
    pub epochs: u32,
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights an example touches.
    pub l2: f32,
    /// Weigh each class by the inverse of its frequency, so a rare class is not
    /// drowned (better macro-F1, slightly lower accuracy on skewed data).
    pub balance_classes: bool,
    /// With `balance_classes`, the class weights are `(n / (classes × count))^power`:
    /// 1 is full inverse frequency, 0.5 its square root (a milder trade-off).
    pub balance_power: f32,
    /// Scale each feature by its naive-Bayes log-count ratio (the largest, over the
    /// classes, of `|ln(P(feature | class) / P(feature | other classes))|`, Laplace
    /// smoothed) while training, as NB-SVM does; the scale is folded into the stored
    /// weights, so predicting costs nothing more.
    pub feature_scaling: bool,
    /// Seed of the example shuffling; same data + same seed = same model bytes.
    pub seed: u64,
    /// Weight of the dense block (the post's pooled word vectors, whose three parts have
    /// norm 1) against the hashed features (norm 1 together); 0 leaves it out. Folded
    /// into the stored weights, like the naive-Bayes scales.
    pub dense_scale: f32,
    /// Keep each class's own naive-Bayes ratio for a feature instead of the largest over
    /// the classes (NB-SVM's one-against-the-rest scaling, in one multinomial model).
    pub per_class_scaling: bool,
    /// Multiplies the naive-Bayes scale of word-bigram features while training (1: as
    /// the other features).
    pub bigram_scale: f32,
    /// Fit this many models with different shuffling seeds and average their weights
    /// (1: one model). The result is one linear model: predicting costs the same.
    pub averaged_runs: u32,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            card: ModelCard::default(),
            hash_bits: 18,
            epochs: 10,
            learning_rate: 0.5,
            l2: 1e-5,
            balance_classes: true,
            balance_power: 1.0,
            feature_scaling: true,
            seed: 42,
            dense_scale: 0.5,
            per_class_scaling: false,
            bigram_scale: 1.0,
            averaged_runs: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ModelHeader {
    format_version: u32,
    feature_set: u32,
    #[serde(flatten)]
    card: ModelCard,
    labels: Vec<String>,
    hash_bits: u8,
    biases: Vec<f32>,
    scales: Vec<f32>,
    training_examples: usize,
    /// Size of the dense block (0 in files of feature set 2 and before).
    #[serde(default)]
    dense_dimensions: usize,
}

/// A trained classifier. Cheap to share (`&Model` is all `predict` needs).
#[derive(Debug, Clone)]
pub struct Model {
    header: ModelHeader,
    /// Feature-major: the weights of feature `f` are `quantized[f * labels .. (f+1) * labels]`.
    quantized: Vec<i8>,
    /// The dense block's weights, feature-major.
    dense: Vec<f32>,
    fingerprint: u64,
}

/// A model's answer for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction<'model> {
    pub label: &'model str,
    /// Probability of `label`, in [0, 1].
    pub confidence: f32,
    /// Probability of every label, in the order of [`Model::labels`].
    pub probabilities: Vec<f32>,
}

impl Model {
    pub fn labels(&self) -> &[String] {
        &self.header.labels
    }

    pub fn card(&self) -> &ModelCard {
        &self.header.card
    }

    pub fn training_examples(&self) -> usize {
        self.header.training_examples
    }

    /// `task:fingerprint`, e.g. `sentiment-en:5f1c09ab`: changes whenever the bytes do.
    pub fn version(&self) -> String {
        format!("{}:{:08x}", self.header.card.task, self.fingerprint as u32)
    }

    pub fn predict(&self, text: &str) -> Prediction<'_> {
        self.predict_prepared(&prepare(text))
    }

    pub(crate) fn predict_prepared(&self, prepared: &PreparedText) -> Prediction<'_> {
        let probabilities = self.probabilities(&prepared.features);
        let (best, confidence) =
            probabilities
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f32::MIN),
                    |best, (index, p)| if p > best.1 { (index, p) } else { best },
                );
        Prediction {
            label: &self.header.labels[best],
            confidence,
            probabilities,
        }
    }

    /// The best label's index and probability, without allocating (the analyser's
    /// path: it needs no probability list).
    pub(crate) fn best_prepared(&self, prepared: &PreparedText) -> (usize, f32) {
        let classes = self.header.labels.len();
        if classes > STACK_CLASSES {
            let prediction = self.predict_prepared(prepared);
            let best = self
                .header
                .labels
                .iter()
                .position(|label| label == prediction.label)
                .unwrap_or(0);
            return (best, prediction.confidence);
        }
        let mut logits = [0f32; STACK_CLASSES];
        let logits = &mut logits[..classes];
        self.logits_into(&prepared.features, logits);
        let mut best = 0;
        for class in 1..classes {
            if logits[class] > logits[best] {
                best = class;
            }
        }
        let total: f32 = logits
            .iter()
            .map(|logit| (logit - logits[best]).exp())
            .sum();
        (best, 1.0 / total)
    }

    fn logits_into(&self, features: &Features, logits: &mut [f32]) {
        let classes = self.header.labels.len();
        let mask = (1u64 << self.header.hash_bits) - 1;
        let mut sums = [0i32; STACK_CLASSES];
        let mut heap_sums = Vec::new();
        let sums: &mut [i32] = if classes <= STACK_CLASSES {
            &mut sums[..classes]
        } else {
            heap_sums.resize(classes, 0);
            &mut heap_sums
        };
        for hash in &features.hashes {
            let start = (hash & mask) as usize * classes;
            for (sum, weight) in sums.iter_mut().zip(&self.quantized[start..start + classes]) {
                *sum += i32::from(*weight);
            }
        }
        for (class, logit) in logits.iter_mut().enumerate() {
            *logit = self.header.biases[class]
                + sums[class] as f32 * self.header.scales[class] * features.value;
        }
        for (value, weights) in features.dense.iter().zip(self.dense.chunks_exact(classes)) {
            for (logit, weight) in logits.iter_mut().zip(weights) {
                *logit += value * weight;
            }
        }
    }

    fn probabilities(&self, features: &Features) -> Vec<f32> {
        let mut logits = vec![0f32; self.header.labels.len()];
        self.logits_into(features, &mut logits);
        softmax(&logits)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).expect("a model header is serialisable");
        let mut bytes =
            Vec::with_capacity(12 + header.len() + self.quantized.len() + 4 * self.dense.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend(self.quantized.iter().map(|weight| *weight as u8));
        for weight in &self.dense {
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, NlpError> {
        let invalid = |reason: &str| NlpError::InvalidModel(reason.to_string());
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(invalid("not a Comptoir model (bad magic bytes)"));
        }
        let header_length = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        let weights_start = 12usize
            .checked_add(header_length)
            .filter(|end| *end <= bytes.len())
            .ok_or_else(|| invalid("truncated header"))?;
        let header: ModelHeader = serde_json::from_slice(&bytes[12..weights_start])
            .map_err(|error| NlpError::InvalidModel(format!("bad header: {error}")))?;
        if header.format_version != FORMAT_VERSION {
            return Err(invalid("unsupported model format version"));
        }
        if header.feature_set != FEATURE_SET_VERSION {
            return Err(NlpError::InvalidModel(format!(
                "model uses feature set {}, this build extracts feature set {}: retrain it",
                header.feature_set, FEATURE_SET_VERSION
            )));
        }
        let classes = header.labels.len();
        if classes < 2 || header.biases.len() != classes || header.scales.len() != classes {
            return Err(invalid("labels, biases and scales disagree"));
        }
        if !(1..=26).contains(&header.hash_bits) {
            return Err(invalid("hash size out of range"));
        }
        if header.dense_dimensions != DENSE_DIMENSIONS {
            return Err(invalid(
                "dense block of the wrong size for this feature set",
            ));
        }
        let hashed = (1usize << header.hash_bits) * classes;
        let dense_bytes = 4 * header.dense_dimensions * classes;
        if bytes.len() - weights_start != hashed + dense_bytes {
            return Err(invalid("weight block has the wrong size"));
        }
        let dense_start = weights_start + hashed;
        let quantized = bytes[weights_start..dense_start]
            .iter()
            .map(|byte| *byte as i8)
            .collect();
        let dense: Vec<f32> = bytes[dense_start..]
            .chunks_exact(4)
            .map(|chunk| f32::from_le_bytes(chunk.try_into().expect("4 bytes")))
            .collect();
        if dense.iter().any(|weight| !weight.is_finite()) {
            return Err(invalid("a weight is not a finite number"));
        }
        Ok(Model {
            header,
            quantized,
            dense,
            fingerprint: features::fingerprint(bytes),
        })
    }
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exponentials: Vec<f32> = logits.iter().map(|logit| (logit - max).exp()).collect();
    let total: f32 = exponentials.iter().sum();
    exponentials.iter().map(|value| value / total).collect()
}

/// A small deterministic generator (SplitMix64) for shuffling: its output is fixed by
/// its definition, unlike a library generator whose algorithm may change between
/// versions, and the shipped model bytes must be reproducible.
pub(crate) struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            let other = (self.next_u64() % (index as u64 + 1)) as usize;
            items.swap(index, other);
        }
    }
}

/// Trains a classifier on `(text, label)` pairs; any label set of two or more labels.
/// Labels are sorted, so the same data in another order gives the same label order.
pub fn train_classifier(
    examples: &[(String, String)],
    options: &TrainOptions,
) -> Result<Model, NlpError> {
    train_classifier_weighted(examples, None, options)
}

/// [`train_classifier`] with a weight per example (for instance the annotators'
/// agreement on its label), multiplying its share of the loss; `None` weighs every
/// example 1. Weights must be finite and non-negative, one per example.
pub fn train_classifier_weighted(
    examples: &[(String, String)],
    weights: Option<&[f32]>,
    options: &TrainOptions,
) -> Result<Model, NlpError> {
    if let Some(weights) = weights
        && (weights.len() != examples.len() || weights.iter().any(|w| !w.is_finite() || *w < 0.0))
    {
        return Err(NlpError::InvalidTrainingData(
            "one finite, non-negative weight per example".into(),
        ));
    }
    let mut labels: Vec<String> = examples.iter().map(|(_, label)| label.clone()).collect();
    labels.sort();
    labels.dedup();
    if labels.len() < 2 {
        return Err(NlpError::InvalidTrainingData(format!(
            "need at least two labels, found {}",
            labels.len()
        )));
    }
    if !(1..=16).contains(&options.averaged_runs)
        || !(options.bigram_scale.is_finite() && options.bigram_scale >= 0.0)
    {
        return Err(NlpError::InvalidTrainingData(
            "averaged_runs must be within 1..=16 and bigram_scale finite and non-negative".into(),
        ));
    }
    if !(8..=24).contains(&options.hash_bits) {
        return Err(NlpError::InvalidTrainingData(
            "hash_bits must be within 8..=24".into(),
        ));
    }
    let prepared: Vec<(Features, usize, f32)> = examples
        .iter()
        .enumerate()
        .map(|(index, (text, label))| {
            let class = labels.binary_search(label).expect("label collected above");
            let weight = weights.map_or(1.0, |weights| weights[index]);
            (prepare(text).features, class, weight)
        })
        .collect();
    let weights = crate::training::fit(&prepared, labels.len(), options);
    Ok(quantize(weights, labels, options, examples.len()))
}

fn quantize(
    weights: crate::training::Weights,
    labels: Vec<String>,
    options: &TrainOptions,
    training_examples: usize,
) -> Model {
    let classes = labels.len();
    let scales: Vec<f32> = (0..classes)
        .map(|class| {
            let largest = weights
                .values
                .iter()
                .skip(class)
                .step_by(classes)
                .fold(0f32, |m, w| m.max(w.abs()));
            if largest > 0.0 { largest / 127.0 } else { 1.0 }
        })
        .collect();
    let quantized = weights
        .values
        .iter()
        .enumerate()
        .map(|(index, weight)| {
            (weight / scales[index % classes])
                .round()
                .clamp(-127.0, 127.0) as i8
        })
        .collect();
    let header = ModelHeader {
        format_version: FORMAT_VERSION,
        feature_set: FEATURE_SET_VERSION,
        card: options.card.clone(),
        labels,
        hash_bits: options.hash_bits,
        biases: weights.biases,
        scales,
        training_examples,
        dense_dimensions: DENSE_DIMENSIONS,
    };
    let mut model = Model {
        header,
        quantized,
        dense: weights.dense,
        fingerprint: 0,
    };
    model.fingerprint = features::fingerprint(&model.to_bytes());
    model
}
