//! Author type, by documented rules over the profile and the observed behaviour.
//!
//! The rules are read in order; the first that matches wins:
//! 1. bot: the profile says so (`bot` in the handle or bio, `automated`, `flux rss`), or
//!    the behaviour does (more than 150 posts a day; more than 50 a day with over 90% of
//!    reposts; more than 50 a day from an account younger than 30 days);
//! 2. brand or official account: the bio says `official`/`officiel`, `customer service`,
//!    `service client`, `support team`…, or the handle ends with `help`, `support`,
//!    `care(s)` or `sav`;
//! 3. journalist or media: `journalist`, `reporter`, `editor`, `rédaction`, `news`,
//!    `presse`, `radio`…;
//! 4. employee: `employee`, `I work at`, `salarié`, `travaille chez`, `flight attendant`…;
//! 5. activist: `activist`, `militant`, `campaigner`, `ONG`, `syndicat`, `climate`…;
//! 6. influencer: at least 10,000 followers and five times more followers than
//!    followings, or a creator bio (`youtuber`, `créatrice de contenu`, `business
//!    inquiries`…) with at least 1,000 followers;
//! 7. customer otherwise. The analyser turns a customer whose post shows purchase
//!    intent into a prospect.

use domain::{Author, AuthorType};

use crate::text::{PhraseSets, Token, tokenize};

/// What the service observed of an author over time; every field is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AuthorBehaviour {
    /// Posts per day seen from the author (all posts, not only mentions of the brand).
    pub posts_per_day: Option<f64>,
    /// Share of the author's posts that are reposts of others, in [0, 1].
    pub repost_ratio: Option<f64>,
    /// Age of the account when the behaviour was measured.
    pub account_age_days: Option<f64>,
}

#[rustfmt::skip]
const BOT_WORDS: &[&str] = &[
    "bot", "automated", "automatique", "autopost", "auto-post", "flux rss", "rss feed",
    "not a human",
];
#[rustfmt::skip]
const BRAND_WORDS: &[&str] = &[
    "official", "officiel", "officielle", "compte officiel", "customer service",
    "customer care", "customer support", "service client", "service clients", "support team",
    "help team", "here to help", "la pour vous aider", "nous repondons", "we reply",
    "we respond",
];
const BRAND_HANDLE_SUFFIXES: &[&str] = &["help", "support", "care", "cares", "sav", "service"];
#[rustfmt::skip]
const MEDIA_WORDS: &[&str] = &[
    "journalist", "journaliste", "reporter", "editor", "redacteur", "redactrice", "redaction",
    "correspondent", "correspondant", "correspondante", "news", "breaking", "actu", "actus",
    "actualite", "actualites", "infos", "media", "medias", "magazine", "newspaper",
    "quotidien", "presse", "press", "radio", "chroniqueur", "chroniqueuse", "columnist",
    "newsroom",
];
#[rustfmt::skip]
const EMPLOYEE_WORDS: &[&str] = &[
    "employee", "employe", "employee at", "i work at", "i work for", "working at",
    "working for", "salarie", "salariee", "travaille chez", "travaille a", "proud to work",
    "fier de travailler", "fiere de travailler", "flight attendant", "cheminot", "cheminote",
    "team member", "staff at", "conseiller clientele", "conseillere clientele",
];
#[rustfmt::skip]
const ACTIVIST_WORDS: &[&str] = &[
    "activist", "activiste", "militant", "militante", "campaigner", "advocate", "advocacy",
    "ngo", "ong", "collectif", "syndicat", "syndicaliste", "boycott", "climate", "climat",
    "ecologiste", "feminist", "feministe", "petition", "extinction", "greenpeace", "attac",
    "mobilisation", "human rights", "droits humains", "justice sociale", "social justice",
];
#[rustfmt::skip]
const CREATOR_WORDS: &[&str] = &[
    "influencer", "influenceur", "influenceuse", "creator", "content creator",
    "createur de contenu", "creatrice de contenu", "youtuber", "youtubeur", "youtubeuse",
    "blogger", "blogueur", "blogueuse", "instagrammer", "tiktoker", "streamer", "twitch",
    "business inquiries", "business enquiries", "contact pro", "collab", "partnerships",
    "ambassador", "ambassadrice",
];

/// The author's type from their profile and behaviour (rules in the module docs).
pub fn author_type(author: &Author, behaviour: &AuthorBehaviour) -> AuthorType {
    let handle = author.handle.to_lowercase();
    let profile = folded_profile(author);
    let profile_words: Vec<&str> = profile.iter().map(|token| token.text.as_str()).collect();
    // Every list read in one pass over the profile: bit i for the i-th list.
    static LISTS: std::sync::OnceLock<PhraseSets> = std::sync::OnceLock::new();
    let found = LISTS
        .get_or_init(|| {
            PhraseSets::new(&[
                BOT_WORDS,
                BRAND_WORDS,
                MEDIA_WORDS,
                EMPLOYEE_WORDS,
                ACTIVIST_WORDS,
                CREATOR_WORDS,
            ])
        })
        .matches(&profile_words);
    let says = |list: u32| found & (1 << list) != 0;
    if says(0) || handle.ends_with("bot") || behaves_like_a_bot(behaviour) {
        return AuthorType::Bot;
    }
    if says(1)
        || BRAND_HANDLE_SUFFIXES
            .iter()
            .any(|suffix| handle.ends_with(suffix))
    {
        return AuthorType::BrandOrOfficial;
    }
    if says(2) {
        return AuthorType::JournalistOrMedia;
    }
    if says(3) {
        return AuthorType::Employee;
    }
    if says(4) {
        return AuthorType::Activist;
    }
    let followers = author.followers.unwrap_or(0);
    let following = author.following.unwrap_or(0);
    let large_audience = followers >= 10_000 && followers >= following.saturating_mul(5);
    if large_audience || (says(5) && followers >= 1_000) {
        return AuthorType::Influencer;
    }
    AuthorType::Customer
}

fn behaves_like_a_bot(behaviour: &AuthorBehaviour) -> bool {
    let Some(posts_per_day) = behaviour.posts_per_day else {
        return false;
    };
    let mostly_reposts = behaviour.repost_ratio.is_some_and(|ratio| ratio > 0.9);
    let young = behaviour.account_age_days.is_some_and(|days| days < 30.0);
    posts_per_day > 150.0 || (posts_per_day > 50.0 && (mostly_reposts || young))
}

/// Display name and bio as folded word tokens.
fn folded_profile(author: &Author) -> Vec<Token> {
    [author.display_name.as_deref(), author.bio.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(tokenize)
        .filter(|token| token.is_word())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(handle: &str, bio: &str, followers: u64, following: u64) -> Author {
        Author {
            handle: handle.into(),
            bio: Some(bio.into()),
            followers: Some(followers),
            following: Some(following),
            ..Author::default()
        }
    }

    fn kind(author: &Author) -> AuthorType {
        author_type(author, &AuthorBehaviour::default())
    }

    #[test]
    fn profiles_give_their_type() {
        assert_eq!(
            kind(&author("AmazonHelp", "We're here to help", 2_000_000, 10)),
            AuthorType::BrandOrOfficial
        );
        assert_eq!(
            kind(&author("sncf", "Compte officiel de la SNCF", 500_000, 100)),
            AuthorType::BrandOrOfficial
        );
        assert_eq!(
            kind(&author(
                "jdoe",
                "Journaliste @lemonde, avis perso",
                8_000,
                900
            )),
            AuthorType::JournalistOrMedia
        );
        assert_eq!(
            kind(&author(
                "amy",
                "Flight attendant @united. Views my own",
                300,
                200
            )),
            AuthorType::Employee
        );
        assert_eq!(
            kind(&author("zoe", "Militante écologiste 🌍", 2_000, 1_500)),
            AuthorType::Activist
        );
        assert_eq!(
            kind(&author(
                "lea",
                "Créatrice de contenu ✨ contact pro: lea@x.fr",
                40_000,
                900
            )),
            AuthorType::Influencer
        );
        assert_eq!(
            kind(&author("big", "", 120_000, 300)),
            AuthorType::Influencer
        );
        assert_eq!(
            kind(&author("bob", "dad, runner, coffee", 150, 300)),
            AuthorType::Customer
        );
        assert_eq!(kind(&author("news_bot", "", 10, 0)), AuthorType::Bot);
    }

    #[test]
    fn behaviour_reveals_bots() {
        let plain = author("x1234", "", 5, 4_000);
        let busy = AuthorBehaviour {
            posts_per_day: Some(400.0),
            ..AuthorBehaviour::default()
        };
        let reposter = AuthorBehaviour {
            posts_per_day: Some(80.0),
            repost_ratio: Some(0.97),
            account_age_days: Some(400.0),
        };
        let busy_human = AuthorBehaviour {
            posts_per_day: Some(80.0),
            repost_ratio: Some(0.3),
            account_age_days: Some(400.0),
        };
        assert_eq!(author_type(&plain, &busy), AuthorType::Bot);
        assert_eq!(author_type(&plain, &reposter), AuthorType::Bot);
        assert_eq!(author_type(&plain, &busy_human), AuthorType::Customer);
    }
}
