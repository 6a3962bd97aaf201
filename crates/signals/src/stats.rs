//! Small online statistics: exponentially weighted mean and variance, and
//! the normal tail probability used to turn a residual into a surprise.

/// The weight of the newest point in an exponentially weighted average that
/// has seen `count` points (this one included): a plain running mean while
/// `1 / count > alpha`, so early estimates are not biased towards the first
/// value, then the constant `alpha`.
pub fn warm_start_weight(alpha: f64, count: u64) -> f64 {
    alpha.max(1.0 / count.max(1) as f64)
}

/// Complementary error function, relative error below 1.2e-7 everywhere
/// (Chebyshev fit from Numerical Recipes, `erfcc`). Accurate in the far tail,
/// where `1 - erf(x)` would cancel to zero.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let polynomial = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let tail = t * polynomial.exp();
    if x >= 0.0 { tail } else { 2.0 - tail }
}

/// `-ln P(|Z| >= z)` for a standard normal `Z`: the surprise of a residual of
/// `z` standard deviations, either sign. Never negative.
pub fn two_sided_surprise(z: f64) -> f64 {
    let probability = erfc(z.abs() / std::f64::consts::SQRT_2);
    (-probability.max(f64::MIN_POSITIVE).ln()).max(0.0)
}

/// `-ln P(Z >= z)` for a standard normal `Z`: the surprise of an upward
/// deviation only. Never negative.
pub fn one_sided_surprise(z: f64) -> f64 {
    let probability = 0.5 * erfc(z / std::f64::consts::SQRT_2);
    (-probability.max(f64::MIN_POSITIVE).ln()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_matches_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-7);
        let relative = (erfc(5.0) - 1.537_459_794_4e-12).abs() / 1.537_459_794_4e-12;
        assert!(relative < 1e-6);
    }

    #[test]
    fn surprise_grows_with_distance_and_ignores_sign() {
        assert!(two_sided_surprise(0.0) < 1e-6);
        assert!(two_sided_surprise(3.0) > two_sided_surprise(2.0));
        assert_eq!(two_sided_surprise(-4.0), two_sided_surprise(4.0));
        // P(|Z| >= 1.96) = 0.05
        assert!((two_sided_surprise(1.959_964) - (20.0f64).ln()).abs() < 1e-4);
    }

    #[test]
    fn warm_start_weight_averages_first_then_decays() {
        assert_eq!(warm_start_weight(0.01, 1), 1.0);
        assert_eq!(warm_start_weight(0.01, 4), 0.25);
        assert_eq!(warm_start_weight(0.01, 1000), 0.01);
    }
}
