//! Honest figures for a classifier: stratified k-fold cross-validation and the usual
//! scores (accuracy, macro-F1, per-class precision and recall).

use std::fmt;

use crate::error::NlpError;
use crate::model::{SplitMix64, TrainOptions, train_classifier_weighted};

#[derive(Debug, Clone, PartialEq)]
pub struct ClassScore {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Examples whose true label is this one.
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub examples: usize,
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1 (the figure published for DEFT/UMSAB).
    pub macro_f1: f64,
    /// Unweighted mean of the per-class recall (the figure published for TweetEval).
    pub macro_recall: f64,
    pub classes: Vec<ClassScore>,
}

/// Scores predictions against the truth; labels are those seen in either list.
pub fn score<T: AsRef<str>, P: AsRef<str>>(truth: &[T], predicted: &[P]) -> Scores {
    assert_eq!(truth.len(), predicted.len(), "one prediction per example");
    let mut labels: Vec<&str> = truth
        .iter()
        .map(AsRef::as_ref)
        .chain(predicted.iter().map(AsRef::as_ref))
        .collect();
    labels.sort_unstable();
    labels.dedup();
    let pairs: Vec<(&str, &str)> = truth
        .iter()
        .map(AsRef::as_ref)
        .zip(predicted.iter().map(AsRef::as_ref))
        .collect();
    let correct = pairs.iter().filter(|(t, p)| t == p).count();
    let classes: Vec<ClassScore> = labels
        .iter()
        .map(|label| {
            let true_positive = pairs
                .iter()
                .filter(|(t, p)| t == label && p == label)
                .count();
            let support = pairs.iter().filter(|(t, _)| t == label).count();
            let predicted_count = pairs.iter().filter(|(_, p)| p == label).count();
            let precision = ratio(true_positive, predicted_count);
            let recall = ratio(true_positive, support);
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            ClassScore {
                label: label.to_string(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect();
    // Labels that only appear among the predictions do not count in the macro averages.
    let true_classes: Vec<&ClassScore> = classes.iter().filter(|c| c.support > 0).collect();
    let mean = |value: fn(&ClassScore) -> f64| {
        true_classes.iter().map(|c| value(c)).sum::<f64>() / true_classes.len().max(1) as f64
    };
    Scores {
        examples: pairs.len(),
        accuracy: ratio(correct, pairs.len()),
        macro_f1: mean(|c| c.f1),
        macro_recall: mean(|c| c.recall),
        classes,
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Out-of-fold predictions: example `i` is predicted by a model trained on the folds
/// that do not contain it. Folds are stratified by label and drawn with `options.seed`.
pub fn cross_validated_predictions(
    examples: &[(String, String)],
    options: &TrainOptions,
    folds: usize,
) -> Result<Vec<String>, NlpError> {
    cross_validated_predictions_weighted(examples, None, options, folds)
}

/// [`cross_validated_predictions`] where the models are trained with a weight per
/// example ([`crate::train_classifier_weighted`]); every example is still predicted and
/// scored, whatever its weight.
pub fn cross_validated_predictions_weighted(
    examples: &[(String, String)],
    weights: Option<&[f32]>,
    options: &TrainOptions,
    folds: usize,
) -> Result<Vec<String>, NlpError> {
    if folds < 2 || examples.len() < folds {
        return Err(NlpError::InvalidTrainingData(
            "need at least two folds and one example per fold".into(),
        ));
    }
    let fold_of = stratified_folds(examples, folds, options.seed);
    let mut predictions = vec![String::new(); examples.len()];
    for fold in 0..folds {
        let training: Vec<(String, String)> = examples
            .iter()
            .zip(&fold_of)
            .filter(|(_, f)| **f != fold)
            .map(|(example, _)| example.clone())
            .collect();
        let training_weights: Option<Vec<f32>> = weights.map(|weights| {
            weights
                .iter()
                .zip(&fold_of)
                .filter(|(_, f)| **f != fold)
                .map(|(weight, _)| *weight)
                .collect()
        });
        let model = train_classifier_weighted(&training, training_weights.as_deref(), options)?;
        for (index, (text, _)) in examples.iter().enumerate() {
            if fold_of[index] == fold {
                predictions[index] = model.predict(text).label.to_string();
            }
        }
    }
    Ok(predictions)
}

/// Cross-validated scores of [`train_classifier`] with `options` on `examples`.
pub fn cross_validate(
    examples: &[(String, String)],
    options: &TrainOptions,
    folds: usize,
) -> Result<Scores, NlpError> {
    let predictions = cross_validated_predictions(examples, options, folds)?;
    let truth: Vec<&str> = examples.iter().map(|(_, label)| label.as_str()).collect();
    Ok(score(&truth, &predictions))
}

fn stratified_folds(examples: &[(String, String)], folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    SplitMix64(seed ^ 0x5eed_f01d).shuffle(&mut order);
    // A stable sort by label keeps the shuffled order within each label; dealing the
    // sorted list round-robin gives every fold the same label mix.
    order.sort_by(|a, b| examples[*a].1.cmp(&examples[*b].1));
    let mut fold_of = vec![0; examples.len()];
    for (position, index) in order.into_iter().enumerate() {
        fold_of[index] = position % folds;
    }
    fold_of
}

impl fmt::Display for Scores {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "n={} accuracy={:.1}% macro-F1={:.1} macro-recall={:.1}",
            self.examples,
            100.0 * self.accuracy,
            100.0 * self.macro_f1,
            100.0 * self.macro_recall
        )?;
        for class in &self.classes {
            writeln!(
                formatter,
                "  {:<28} recall={:5.1}% precision={:5.1}% F1={:5.1} n={}",
                class.label,
                100.0 * class.recall,
                100.0 * class.precision,
                100.0 * class.f1,
                class.support
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_a_hand_computed_example() {
        let truth = ["a", "a", "b", "b"];
        let predicted = ["a", "b", "b", "b"];
        let scores = score(&truth, &predicted);
        assert!((scores.accuracy - 0.75).abs() < 1e-9);
        // a: P=1, R=0.5, F1=2/3; b: P=2/3, R=1, F1=0.8.
        assert!((scores.macro_f1 - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-9);
        assert!((scores.macro_recall - 0.75).abs() < 1e-9);
    }

    #[test]
    fn folds_are_stratified() {
        let examples: Vec<(String, String)> = (0..20)
            .map(|i| {
                (
                    format!("t{i}"),
                    if i % 4 == 0 { "rare" } else { "common" }.to_string(),
                )
            })
            .collect();
        let fold_of = stratified_folds(&examples, 5, 1);
        for fold in 0..5 {
            let rare = (0..20)
                .filter(|i| fold_of[*i] == fold && examples[*i].1 == "rare")
                .count();
            assert_eq!(rare, 1);
        }
    }
}
