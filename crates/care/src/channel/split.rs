//! Splitting a long answer into a numbered thread ("1/3", "2/3", "3/3"), each part signed
//! and within the channel's limit.

use unicode_segmentation::UnicodeSegmentation;

use super::count::whitespace_tokens;
use super::{ChannelRules, RejectionReason, ReplyRejected};
use domain::Source;

/// More parts than this is no longer a thread anyone reads.
const MAX_PARTS: usize = 999;

/// Splits `text` into parts that each fit the channel once numbered (`… 2/5`) and signed.
/// A text that fits whole comes back as one signed part, without a number. Parts break
/// between words, keeping the text's own spacing inside a part; a word or a link is cut
/// only when it cannot fit in a part on its own.
pub fn split_thread(
    source: Source,
    text: &str,
    signature: Option<&str>,
) -> Result<Vec<String>, ReplyRejected> {
    let rules = ChannelRules::for_source(source);
    let text = text.trim();
    if !rules.can_reply {
        return Err(ReplyRejected {
            channel: source,
            reason: RejectionReason::NoReplyChannel,
        });
    }
    if text.is_empty() {
        return Err(ReplyRejected {
            channel: source,
            reason: RejectionReason::Empty,
        });
    }
    let whole = rules.sign(text, signature);
    let Some(limit) = rules.limit else {
        return Ok(vec![whole]);
    };
    if rules.byte_limit.is_none_or(|bytes| whole.len() <= bytes) && rules.length(&whole) <= limit {
        return Ok(vec![whole]);
    }
    // The number's width changes what fits: try 1-digit totals, then 2, then 3.
    for digits in 1..=3u32 {
        let widest_total = 10usize.pow(digits) - 1;
        let fits = |body: &str| {
            let part = finish(&rules, body, widest_total, widest_total, signature);
            rules.length(&part) <= limit && rules.byte_limit.is_none_or(|bytes| part.len() <= bytes)
        };
        let Some(bodies) = pack(text, &fits) else {
            break;
        };
        if bodies.len() <= widest_total.min(MAX_PARTS) {
            let total = bodies.len();
            return Ok(bodies
                .iter()
                .enumerate()
                .map(|(index, body)| finish(&rules, body, index + 1, total, signature))
                .collect());
        }
    }
    Err(ReplyRejected {
        channel: source,
        reason: RejectionReason::TooLong {
            counted: rules.length(&whole),
            limit,
            unit: rules.unit,
        },
    })
}

fn finish(
    rules: &ChannelRules,
    body: &str,
    number: usize,
    total: usize,
    signature: Option<&str>,
) -> String {
    rules.sign(&format!("{body} {number}/{total}"), signature)
}

/// Greedily packs the words of `text` into bodies accepted by `fits`; `None` when not even
/// one grapheme fits.
fn pack(text: &str, fits: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut bodies = Vec::new();
    let mut current = String::new();
    let mut previous_end = 0;
    for (start, word) in whitespace_tokens(text) {
        let spacing = &text[previous_end..start];
        previous_end = start + word.len();
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current}{spacing}{word}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            bodies.push(std::mem::take(&mut current));
        }
        if fits(word) {
            current = word.to_string();
            continue;
        }
        // A word (or link) longer than a whole part: cut it between graphemes.
        for grapheme in word.graphemes(true) {
            let candidate = format!("{current}{grapheme}");
            if fits(&candidate) {
                current = candidate;
            } else if current.is_empty() {
                return None;
            } else {
                bodies.push(std::mem::replace(&mut current, grapheme.to_string()));
                if !fits(&current) {
                    return None;
                }
            }
        }
    }
    if !current.is_empty() {
        bodies.push(current);
    }
    Some(bodies)
}
