//! The composer's rules per channel: how each network counts a reply, its limit, where the
//! agent's signature goes, and splitting a long answer into a numbered thread.
//!
//! | channel | limit | counted as | source of the limit |
//! |---|---|---|---|
//! | X | 280 | weighted characters: see [`x_weighted_length`] | twitter-text v3 (`config/v3.json`) and X's "counting characters" guide |
//! | Bluesky | 300, and 3,000 bytes | graphemes; links count in full | the `app.bsky.feed.post` lexicon (`maxGraphemes` 300, `maxLength` 3000) |
//! | Mastodon | 500 | graphemes; links 23; `@user@domain` as `@user` | Mastodon's `StatusLengthValidator` (the default `MAX_CHARS`) |
//! | Facebook | 8,000 | code points | Graph API, comment `message` |
//! | Instagram | 2,200 | code points | Instagram Graph API, comment text |
//! | Messenger | 2,000 | code points | Send API, text message |
//! | e-mail | none | – | – |
//!
//! Feeds (`rss`) and the generic `web` source have no way to answer: a reply there is
//! refused, and the agent answers by e-mail or private message instead.
//!
//! A Mastodon server can raise its limit; callers with a different limit build their own
//! [`ChannelRules`].

mod count;
mod split;

use std::fmt;

use domain::Source;
use serde::Serialize;

pub use count::{
    SHORTENED_URL_LENGTH, code_point_length, grapheme_length, mastodon_length, x_weighted_length,
};
pub use split::split_thread;

/// What a channel's length is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthUnit {
    WeightedCharacters,
    Graphemes,
    CodePoints,
    Bytes,
}

impl LengthUnit {
    fn words(self) -> &'static str {
        match self {
            LengthUnit::WeightedCharacters => {
                "weighted characters (links count 23, emoji and CJK characters 2)"
            }
            LengthUnit::Graphemes => "characters",
            LengthUnit::CodePoints => "characters",
            LengthUnit::Bytes => "bytes",
        }
    }
}

/// How replies are measured and signed on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelRules {
    pub source: Source,
    /// `None`: no limit (e-mail).
    pub limit: Option<usize>,
    pub unit: LengthUnit,
    /// A second limit in UTF-8 bytes (Bluesky).
    pub byte_limit: Option<usize>,
    /// Between the text and the signature: a space on the short networks, a line break on
    /// Meta's, an empty line in e-mail.
    pub signature_separator: &'static str,
    /// Whether Comptoir can answer on this channel at all.
    pub can_reply: bool,
}

impl ChannelRules {
    pub fn for_source(source: Source) -> ChannelRules {
        let (limit, unit, byte_limit, signature_separator) = match source {
            Source::X => (Some(280), LengthUnit::WeightedCharacters, None, " "),
            Source::Bluesky => (Some(300), LengthUnit::Graphemes, Some(3000), " "),
            Source::Mastodon => (Some(500), LengthUnit::Graphemes, None, " "),
            Source::Facebook => (Some(8000), LengthUnit::CodePoints, None, "\n"),
            Source::Instagram => (Some(2200), LengthUnit::CodePoints, None, "\n"),
            Source::Messenger => (Some(2000), LengthUnit::CodePoints, None, "\n"),
            Source::Email | Source::Rss | Source::Web => {
                (None, LengthUnit::CodePoints, None, "\n\n")
            }
        };
        let can_reply = !matches!(source, Source::Rss | Source::Web);
        ChannelRules {
            source,
            limit,
            unit,
            byte_limit,
            signature_separator,
            can_reply,
        }
    }

    /// The length of `text` as this channel counts it.
    pub fn length(&self, text: &str) -> usize {
        match (self.source, self.unit) {
            (Source::X, _) | (_, LengthUnit::WeightedCharacters) => x_weighted_length(text),
            (Source::Mastodon, _) => mastodon_length(text),
            (_, LengthUnit::Graphemes) => grapheme_length(text),
            (_, LengthUnit::CodePoints) => code_point_length(text),
            (_, LengthUnit::Bytes) => text.len(),
        }
    }

    /// `text` with the signature appended after this channel's separator. No signature
    /// (or a blank one) leaves the text as it is, and so does a text already ending with it.
    pub fn sign(&self, text: &str, signature: Option<&str>) -> String {
        let text = text.trim_end();
        match signature
            .map(str::trim)
            .filter(|signature| !signature.is_empty())
        {
            Some(signature) if !text.ends_with(signature) => {
                format!("{text}{}{signature}", self.signature_separator)
            }
            _ => text.to_string(),
        }
    }

    /// Checks a text that is already signed.
    pub fn check(&self, signed_text: &str) -> Result<ReplyLength, ReplyRejected> {
        let rejected = |reason| ReplyRejected {
            channel: self.source,
            reason,
        };
        if !self.can_reply {
            return Err(rejected(RejectionReason::NoReplyChannel));
        }
        if signed_text.trim().is_empty() {
            return Err(rejected(RejectionReason::Empty));
        }
        let counted = self.length(signed_text);
        if let Some(limit) = self.limit.filter(|limit| counted > *limit) {
            return Err(rejected(RejectionReason::TooLong {
                counted,
                limit,
                unit: self.unit,
            }));
        }
        if let Some(limit) = self.byte_limit.filter(|limit| signed_text.len() > *limit) {
            return Err(rejected(RejectionReason::TooLong {
                counted: signed_text.len(),
                limit,
                unit: LengthUnit::Bytes,
            }));
        }
        Ok(ReplyLength {
            counted,
            limit: self.limit,
            unit: self.unit,
        })
    }
}

/// An accepted reply's length, for the composer's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReplyLength {
    pub counted: usize,
    pub limit: Option<usize>,
    pub unit: LengthUnit,
}

impl ReplyLength {
    /// What is left before the limit; `None` without one.
    pub fn remaining(&self) -> Option<usize> {
        self.limit.map(|limit| limit.saturating_sub(self.counted))
    }
}

/// Why a reply cannot be sent on its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum RejectionReason {
    Empty,
    TooLong {
        counted: usize,
        limit: usize,
        unit: LengthUnit,
    },
    NoReplyChannel,
}

/// A reply that breaks its channel's rules; its message says why in plain words (an API
/// answers 422 with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct ReplyRejected {
    pub channel: Source,
    #[serde(flatten)]
    pub reason: RejectionReason,
}

impl fmt::Display for ReplyRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let network = network_name(self.channel);
        match self.reason {
            RejectionReason::Empty => write!(f, "the reply is empty"),
            RejectionReason::TooLong {
                counted,
                limit,
                unit,
            } => write!(
                f,
                "the reply is too long for {network}: {counted} {words}, the limit is {limit}",
                words = unit.words()
            ),
            RejectionReason::NoReplyChannel => write!(
                f,
                "there is no way to answer on {network}: answer by e-mail or private message"
            ),
        }
    }
}

fn network_name(source: Source) -> &'static str {
    match source {
        Source::X => "X",
        Source::Bluesky => "Bluesky",
        Source::Mastodon => "Mastodon",
        Source::Rss => "a feed",
        Source::Email => "e-mail",
        Source::Facebook => "Facebook",
        Source::Instagram => "Instagram",
        Source::Messenger => "Messenger",
        Source::Web => "the web",
    }
}

/// Signs `text` for `source` and checks it against the channel's rules.
pub fn check_reply(
    source: Source,
    text: &str,
    signature: Option<&str>,
) -> Result<ReplyLength, ReplyRejected> {
    let rules = ChannelRules::for_source(source);
    if text.trim().is_empty() {
        return Err(ReplyRejected {
            channel: source,
            reason: RejectionReason::Empty,
        });
    }
    rules.check(&rules.sign(text, signature))
}

#[cfg(test)]
mod tests;
