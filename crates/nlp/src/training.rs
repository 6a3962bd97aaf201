//! Stochastic gradient descent for the multinomial logistic regression of `model.rs`.

use crate::features::Features;
use crate::model::{SplitMix64, TrainOptions};

/// Trained weights before quantisation, feature-major like the model file.
pub(crate) struct Weights {
    pub values: Vec<f32>,
    pub biases: Vec<f32>,
}

/// Fits the weights; deterministic for given examples and options.
pub(crate) fn fit(
    examples: &[(Features, usize)],
    classes: usize,
    options: &TrainOptions,
) -> Weights {
    let mask = (1u64 << options.hash_bits) - 1;
    let mut values = vec![0f32; (1usize << options.hash_bits) * classes];
    let mut biases = vec![0f32; classes];
    let class_weights = class_weights(examples, classes, options.balance_classes);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut generator = SplitMix64(options.seed);
    let mut logits = vec![0f32; classes];
    let mut gradient = vec![0f32; classes];
    for epoch in 0..options.epochs {
        generator.shuffle(&mut order);
        let learning_rate = options.learning_rate / (1.0 + epoch as f32).sqrt();
        for &example in &order {
            let (features, target) = &examples[example];
            logits.copy_from_slice(&biases);
            for hash in &features.hashes {
                let start = (hash & mask) as usize * classes;
                for (logit, weight) in logits.iter_mut().zip(&values[start..start + classes]) {
                    *logit += weight * features.value;
                }
            }
            let max = logits.iter().copied().fold(f32::MIN, f32::max);
            let total: f32 = logits.iter().map(|logit| (logit - max).exp()).sum();
            for class in 0..classes {
                let probability = (logits[class] - max).exp() / total;
                let truth = if class == *target { 1.0 } else { 0.0 };
                gradient[class] = (probability - truth) * class_weights[*target];
                biases[class] -= learning_rate * gradient[class];
            }
            for hash in &features.hashes {
                let start = (hash & mask) as usize * classes;
                for (weight, class_gradient) in
                    values[start..start + classes].iter_mut().zip(&gradient)
                {
                    *weight -=
                        learning_rate * (class_gradient * features.value + options.l2 * *weight);
                }
            }
        }
    }
    Weights { values, biases }
}

fn class_weights(examples: &[(Features, usize)], classes: usize, balance: bool) -> Vec<f32> {
    if !balance {
        return vec![1.0; classes];
    }
    let mut counts = vec![0usize; classes];
    for (_, class) in examples {
        counts[*class] += 1;
    }
    counts
        .iter()
        .map(|count| examples.len() as f32 / (classes as f32 * (*count).max(1) as f32))
        .collect()
}
