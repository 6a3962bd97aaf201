//! Stochastic gradient descent for the multinomial logistic regression of `model.rs`.

use crate::features::{DENSE_DIMENSIONS, Features, PRIOR_BIT, group, group_of};
use crate::model::{SplitMix64, TrainOptions};

/// Trained weights before quantisation, feature-major like the model file.
pub(crate) struct Weights {
    pub values: Vec<f32>,
    pub biases: Vec<f32>,
    /// The dense block's weights (word vectors), feature-major
    /// (`DENSE_DIMENSIONS × classes`), with `options.dense_scale` folded in.
    pub dense: Vec<f32>,
}

/// Fits the weights; deterministic for given examples and options.
///
/// Averaged stochastic gradient descent on the class-weighted cross-entropy, with a
/// learning rate of `learning_rate / sqrt(1 + epoch)` and an L2 penalty on the weights
/// an example touches. The returned weights are the mean of the weights over all steps
/// (Polyak–Ruppert averaging, kept lazily: `accumulated` sums `step × update`, so the
/// mean is `values - accumulated / steps`), which is steadier than the last iterate.
/// With `feature_scaling`, every feature's value is multiplied by its naive-Bayes scale
/// ([`feature_scales`]) and the scale is folded into the final weights; likewise the
/// dense block is multiplied by `options.dense_scale` (0 leaves it out). Each example's
/// loss is multiplied by its class weight and by its own weight (the third field).
///
/// With `options.averaged_runs` above 1, that many models are fitted with different
/// shuffling seeds and their weights averaged: one linear model whose logits are the
/// mean of the runs' logits (an ensemble that costs nothing more to predict).
pub(crate) fn fit(
    examples: &[(Features, usize, f32)],
    classes: usize,
    options: &TrainOptions,
) -> Weights {
    let runs = options.averaged_runs.max(1);
    let mut total = fit_once(examples, classes, options);
    for run in 1..runs {
        let options = TrainOptions {
            seed: options
                .seed
                .wrapping_add(u64::from(run).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            ..options.clone()
        };
        let weights = fit_once(examples, classes, &options);
        for (sum, value) in total.values.iter_mut().zip(&weights.values) {
            *sum += value;
        }
        for (sum, value) in total.biases.iter_mut().zip(&weights.biases) {
            *sum += value;
        }
        for (sum, value) in total.dense.iter_mut().zip(&weights.dense) {
            *sum += value;
        }
    }
    if runs > 1 {
        let share = 1.0 / runs as f32;
        for value in total
            .values
            .iter_mut()
            .chain(&mut total.biases)
            .chain(&mut total.dense)
        {
            *value *= share;
        }
    }
    total
}

fn fit_once(
    examples: &[(Features, usize, f32)],
    classes: usize,
    options: &TrainOptions,
) -> Weights {
    let mask = (1u64 << options.hash_bits) - 1;
    let mut values = vec![0f32; (1usize << options.hash_bits) * classes];
    let mut biases = vec![0f32; classes];
    let class_weights = class_weights(examples, classes, options);
    // One scale per bucket and class (the same for every class unless
    // `per_class_scaling`), feature-major like `values`.
    let scales = feature_scales(examples, classes, mask, options);
    let mut accumulated = vec![0f32; values.len()];
    let dense_scale = options.dense_scale;
    let mut dense = vec![0f32; DENSE_DIMENSIONS * classes];
    let mut dense_accumulated = vec![0f32; dense.len()];
    let mut bias_accumulated = vec![0f32; classes];
    let mut step = 1f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut generator = SplitMix64(options.seed);
    let mut logits = vec![0f32; classes];
    let mut gradient = vec![0f32; classes];
    for epoch in 0..options.epochs {
        generator.shuffle(&mut order);
        let learning_rate = options.learning_rate / (1.0 + epoch as f32).sqrt();
        for &example in &order {
            let (features, target, example_weight) = &examples[example];
            logits.copy_from_slice(&biases);
            for hash in &features.hashes {
                let start = (hash & mask) as usize * classes;
                let weights = &values[start..start + classes];
                for ((logit, weight), scale) in logits
                    .iter_mut()
                    .zip(weights)
                    .zip(&scales[start..start + classes])
                {
                    *logit += weight * scale * features.value;
                }
            }
            if dense_scale > 0.0 {
                for (weights, value) in dense.chunks_exact(classes).zip(&features.dense) {
                    for (logit, weight) in logits.iter_mut().zip(weights) {
                        *logit += weight * value * dense_scale;
                    }
                }
            }
            let max = logits.iter().copied().fold(f32::MIN, f32::max);
            let total: f32 = logits.iter().map(|logit| (logit - max).exp()).sum();
            for class in 0..classes {
                let probability = (logits[class] - max).exp() / total;
                let truth = if class == *target { 1.0 } else { 0.0 };
                gradient[class] = (probability - truth) * class_weights[*target] * example_weight;
                let update = learning_rate * gradient[class];
                biases[class] -= update;
                bias_accumulated[class] -= step * update;
            }
            for hash in &features.hashes {
                let start = (hash & mask) as usize * classes;
                let weights = values[start..start + classes].iter_mut();
                let sums = accumulated[start..start + classes].iter_mut();
                let bucket_scales = &scales[start..start + classes];
                for (((weight, sum), class_gradient), scale) in
                    weights.zip(sums).zip(&gradient).zip(bucket_scales)
                {
                    let value = features.value * scale;
                    let update = learning_rate * (class_gradient * value + options.l2 * *weight);
                    *weight -= update;
                    *sum -= step * update;
                }
            }
            if dense_scale > 0.0 {
                let weights = dense.chunks_exact_mut(classes);
                let sums = dense_accumulated.chunks_exact_mut(classes);
                for ((weights, sums), value) in weights.zip(sums).zip(&features.dense) {
                    let value = value * dense_scale;
                    for ((weight, sum), class_gradient) in
                        weights.iter_mut().zip(sums).zip(&gradient)
                    {
                        let update =
                            learning_rate * (class_gradient * value + options.l2 * *weight);
                        *weight -= update;
                        *sum -= step * update;
                    }
                }
            }
            step += 1.0;
        }
    }
    for (value, sum) in values.iter_mut().zip(&accumulated) {
        *value -= sum / step;
    }
    for (weight, sum) in dense.iter_mut().zip(&dense_accumulated) {
        *weight = (*weight - sum / step) * dense_scale;
    }
    for (bias, sum) in biases.iter_mut().zip(&bias_accumulated) {
        *bias -= sum / step;
    }
    for (value, scale) in values.iter_mut().zip(&scales) {
        *value *= scale;
    }
    Weights {
        values,
        biases,
        dense,
    }
}

/// The naive-Bayes scale of every bucket and class, feature-major (`buckets × classes`).
///
/// For class `c`, the absolute log ratio between the share of the class's examples that
/// have the feature and the share of the other examples that have it (add-one
/// smoothing): a feature that tells the classes apart gets a large value; one spread
/// evenly gets nearly zero, so it barely moves the model (NB-SVM, Wang and Manning
/// 2012). With `per_class_scaling`, each class keeps its own ratio (as in NB-SVM's
/// one-against-the-rest models); without, every class gets the largest of them. Buckets
/// no example has keep 1; cues keep at least 1; word-bigram buckets are multiplied by
/// `bigram_scale`.
fn feature_scales(
    examples: &[(Features, usize, f32)],
    classes: usize,
    mask: u64,
    options: &TrainOptions,
) -> Vec<f32> {
    let buckets = mask as usize + 1;
    if !options.feature_scaling {
        return vec![1.0; buckets * classes];
    }
    // Per bucket and class: how many examples of the class have the bucket (once each).
    let mut counts = vec![0u32; buckets * classes];
    let mut class_counts = vec![0u32; classes];
    let mut prior = vec![false; buckets];
    let mut bigram = vec![false; buckets];
    let mut seen = Vec::new();
    for (features, class, _) in examples {
        class_counts[*class] += 1;
        for hash in &features.hashes {
            let bucket = (hash & mask) as usize;
            if hash & PRIOR_BIT != 0 {
                prior[bucket] = true;
            }
            if group_of(*hash) == group::BIGRAM {
                bigram[bucket] = true;
            }
        }
        seen.clear();
        seen.extend(features.hashes.iter().map(|h| (h & mask) as usize));
        seen.sort_unstable();
        seen.dedup();
        for bucket in &seen {
            counts[bucket * classes + class] += 1;
        }
    }
    let total = examples.len() as f32;
    let alpha = 1.0;
    let mut scales = vec![1f32; buckets * classes];
    let mut ratios = vec![0f32; classes];
    for bucket in 0..buckets {
        let row = &counts[bucket * classes..(bucket + 1) * classes];
        let df: u32 = row.iter().sum();
        if df == 0 {
            continue;
        }
        for (class, ratio) in ratios.iter_mut().enumerate() {
            let inside = (row[class] as f32 + alpha) / (class_counts[class] as f32 + 2.0 * alpha);
            let outside = ((df - row[class]) as f32 + alpha)
                / ((total - class_counts[class] as f32) + 2.0 * alpha);
            *ratio = (inside / outside).ln().abs();
        }
        let largest = ratios.iter().copied().fold(0f32, f32::max);
        for (class, ratio) in ratios.iter().enumerate() {
            let mut scale = if options.per_class_scaling {
                *ratio
            } else {
                largest
            };
            if prior[bucket] {
                scale = scale.max(1.0);
            }
            if bigram[bucket] {
                scale *= options.bigram_scale;
            }
            scales[bucket * classes + class] = scale;
        }
    }
    scales
}

fn class_weights(
    examples: &[(Features, usize, f32)],
    classes: usize,
    options: &TrainOptions,
) -> Vec<f32> {
    if !options.balance_classes {
        return vec![1.0; classes];
    }
    let mut counts = vec![0usize; classes];
    for (_, class, _) in examples {
        counts[*class] += 1;
    }
    counts
        .iter()
        .map(|count| {
            (examples.len() as f32 / (classes as f32 * (*count).max(1) as f32))
                .powf(options.balance_power)
        })
        .collect()
}
