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

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine coefficients; relative error near 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut series = COEFFICIENTS[0];
    for (index, coefficient) in COEFFICIENTS.iter().enumerate().skip(1) {
        series += coefficient / (x + index as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// `-log10 P(X >= count)` for `X ~ Poisson(mean)`, `mean > 0`: how many orders of
/// magnitude of surprise a count is. Summed from `count` upwards in log space, so a tail
/// of 1e-300 does not cancel to zero; after 10,000 terms (a mean above ~10^6) the tail is
/// cut, which can only overstate the surprise slightly.
pub fn poisson_upper_tail_surprise(count: u64, mean: f64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let first = count as f64;
    let log_first_term = first * mean.ln() - mean - ln_gamma(first + 1.0);
    let mut relative_sum = 1.0;
    let mut relative_term = 1.0;
    for step in 1..10_000u32 {
        relative_term *= mean / (first + f64::from(step));
        relative_sum += relative_term;
        if relative_term < relative_sum * 1e-17 {
            break;
        }
    }
    let log_tail = (log_first_term + relative_sum.ln()).min(0.0);
    -log_tail / std::f64::consts::LN_10
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

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(ln_gamma(1.0).abs() < 1e-13);
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn poisson_tail_matches_direct_sums() {
        // P(X >= 5 | 1) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24) = 0.003659846827
        let expected = -(0.003_659_846_827f64).log10();
        assert!((poisson_upper_tail_surprise(5, 1.0) - expected).abs() < 1e-9);
        assert_eq!(poisson_upper_tail_surprise(0, 3.0), 0.0);
        // P(X >= 1 | 2) = 1 - e^-2
        let expected = -(1.0 - (-2.0f64).exp()).log10();
        assert!((poisson_upper_tail_surprise(1, 2.0) - expected).abs() < 1e-12);
        // Far tails stay finite and large instead of cancelling to zero.
        let far = poisson_upper_tail_surprise(400, 0.1);
        assert!(far.is_finite() && far > 300.0, "{far}");
    }
}
