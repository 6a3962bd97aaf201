//! A case's priority, from what the understanding models said and who the customer is.
//!
//! The rules, first match wins:
//!
//! 1. **urgent**: an ongoing outage (the caller's flag, or the intent `outage_report`);
//!    or a negative complaint from a VIP or from a very influential author
//!    (influence ≥ [`PriorityRules::high_influence`], 0.8 by default).
//! 2. **high**: a VIP with anything but praise, spam or noise; a negative message from an
//!    influential author (influence ≥ [`PriorityRules::influential`], 0.5); any negative
//!    complaint.
//! 3. **low**: praise, spam or noise, or a positive message that is not a question.
//! 4. **normal**: everything else (questions, neutral complaints, suggestions…).
//!
//! The influence score is the `nlp` crate's, in [0, 1]; a value outside that range or NaN
//! counts as 0 (unknown), so a broken score never raises a priority.

use domain::{Intent, SentimentLabel};
use serde::{Deserialize, Serialize};

/// How soon a case needs an answer. Ordered from the most to the least pressing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    pub fn parse(name: &str) -> Option<Priority> {
        let name = name.trim().to_ascii_lowercase();
        Priority::ALL
            .into_iter()
            .find(|priority| priority.as_str() == name)
    }
}

/// What priority is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorityInputs {
    pub sentiment: SentimentLabel,
    pub intent: Intent,
    /// The author's influence, in [0, 1].
    pub influence: f64,
    /// The contact is marked VIP in the CRM fields.
    pub vip: bool,
    /// An outage is known to be going on (declared, or detected by the early warning).
    pub outage: bool,
}

/// The thresholds of the rules in this module's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriorityRules {
    pub influential: f64,
    pub high_influence: f64,
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            influential: 0.5,
            high_influence: 0.8,
        }
    }
}

impl PriorityRules {
    pub fn priority(&self, inputs: &PriorityInputs) -> Priority {
        let influence = if (0.0..=1.0).contains(&inputs.influence) {
            inputs.influence
        } else {
            0.0
        };
        let negative = inputs.sentiment == SentimentLabel::Negative;
        let negative_complaint = negative && inputs.intent == Intent::Complaint;
        let noise_or_praise = matches!(inputs.intent, Intent::Praise | Intent::SpamOrNoise);

        if inputs.outage || inputs.intent == Intent::OutageReport {
            return Priority::Urgent;
        }
        if negative_complaint && (inputs.vip || influence >= self.high_influence) {
            return Priority::Urgent;
        }
        if (inputs.vip && !noise_or_praise)
            || (negative && influence >= self.influential)
            || negative_complaint
        {
            return Priority::High;
        }
        let positive_statement =
            inputs.sentiment == SentimentLabel::Positive && inputs.intent != Intent::Question;
        if noise_or_praise || positive_statement {
            return Priority::Low;
        }
        Priority::Normal
    }
}

/// [`PriorityRules::priority`] with the default thresholds.
pub fn priority(inputs: &PriorityInputs) -> Priority {
    PriorityRules::default().priority(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::*;
    use SentimentLabel::*;

    fn inputs(
        sentiment: SentimentLabel,
        intent: Intent,
        influence: f64,
        vip: bool,
    ) -> PriorityInputs {
        PriorityInputs {
            sentiment,
            intent,
            influence,
            vip,
            outage: false,
        }
    }

    #[test]
    fn the_documented_rules_hold() {
        let cases = [
            (inputs(Neutral, OutageReport, 0.0, false), Priority::Urgent),
            (inputs(Negative, Complaint, 0.1, true), Priority::Urgent),
            (inputs(Negative, Complaint, 0.9, false), Priority::Urgent),
            (inputs(Negative, Complaint, 0.1, false), Priority::High),
            (inputs(Negative, Question, 0.6, false), Priority::High),
            (inputs(Neutral, Question, 0.0, true), Priority::High),
            (inputs(Positive, Praise, 0.0, true), Priority::Low),
            (inputs(Neutral, Question, 0.9, false), Priority::Normal),
            (inputs(Neutral, Complaint, 0.0, false), Priority::Normal),
            (inputs(Negative, Question, 0.2, false), Priority::Normal),
            (inputs(Positive, Question, 0.0, false), Priority::Normal),
            (inputs(Positive, Suggestion, 0.0, false), Priority::Low),
            (inputs(Neutral, SpamOrNoise, 1.0, false), Priority::Low),
        ];
        for (given, expected) in cases {
            assert_eq!(priority(&given), expected, "{given:?}");
        }
    }

    #[test]
    fn an_outage_makes_anything_urgent() {
        for intent in Intent::ALL {
            let given = PriorityInputs {
                outage: true,
                ..inputs(Positive, intent, 0.0, false)
            };
            assert_eq!(priority(&given), Priority::Urgent);
        }
    }

    #[test]
    fn a_broken_influence_score_never_raises_priority() {
        for influence in [f64::NAN, f64::INFINITY, -1.0, 7.0] {
            assert_eq!(
                priority(&inputs(Negative, Complaint, influence, false)),
                Priority::High
            );
            assert_eq!(
                priority(&inputs(Negative, Question, influence, false)),
                Priority::Normal
            );
        }
    }

    #[test]
    fn more_influence_never_lowers_priority() {
        for sentiment in SentimentLabel::ALL {
            for intent in Intent::ALL {
                for vip in [false, true] {
                    let mut previous = Priority::Low;
                    for step in 0..=10 {
                        let current = priority(&inputs(sentiment, intent, step as f64 / 10.0, vip));
                        assert!(current <= previous, "{sentiment:?} {intent:?} vip={vip}");
                        previous = current;
                    }
                }
            }
        }
    }

    #[test]
    fn names_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Priority::Urgent).unwrap(),
            "\"urgent\""
        );
        assert_eq!(Priority::parse("LOW"), Some(Priority::Low));
    }
}
