//! Where a mention was published.

use serde::{Deserialize, Serialize};

/// A publishing network or channel. The lower-case name is what users type
/// (`source:bluesky`) and what the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// X, formerly Twitter (X API v2, the airline and twcs datasets).
    X,
    Bluesky,
    Mastodon,
    /// RSS 2.0, RSS 1.0 and Atom feeds: blogs, press, forums.
    Rss,
    Email,
    Facebook,
    Instagram,
    Messenger,
    /// Anything pushed through the HTTP ingest API without a better name.
    Web,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown source {0:?} (known: x, bluesky, mastodon, rss, email, facebook, instagram, messenger, web)")]
pub struct UnknownSource(pub String);

impl Source {
    pub const ALL: [Source; 9] = [
        Source::X,
        Source::Bluesky,
        Source::Mastodon,
        Source::Rss,
        Source::Email,
        Source::Facebook,
        Source::Instagram,
        Source::Messenger,
        Source::Web,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::X => "x",
            Source::Bluesky => "bluesky",
            Source::Mastodon => "mastodon",
            Source::Rss => "rss",
            Source::Email => "email",
            Source::Facebook => "facebook",
            Source::Instagram => "instagram",
            Source::Messenger => "messenger",
            Source::Web => "web",
        }
    }
}

impl std::str::FromStr for Source {
    type Err = UnknownSource;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let lower = name.trim().to_ascii_lowercase();
        let source = match lower.as_str() {
            "x" | "twitter" => Source::X,
            "bluesky" | "bsky" => Source::Bluesky,
            "mastodon" => Source::Mastodon,
            "rss" | "atom" | "feed" => Source::Rss,
            "email" | "e-mail" | "mail" => Source::Email,
            "facebook" | "fb" => Source::Facebook,
            "instagram" | "ig" => Source::Instagram,
            "messenger" => Source::Messenger,
            "web" | "api" => Source::Web,
            _ => return Err(UnknownSource(name.to_string())),
        };
        Ok(source)
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for source in Source::ALL {
            assert_eq!(source.as_str().parse::<Source>(), Ok(source));
        }
        assert_eq!("Twitter".parse::<Source>(), Ok(Source::X));
        assert!("myspace".parse::<Source>().is_err());
    }
}
