//! Intent of a post, by documented rules over its words and its sentiment.
//!
//! There is no labelled intent data, so intent is not learnt: the rules below are read
//! in order and the first that matches wins (`docs/understanding.md` lists them).
//! 1. spam or noise: spam phrases (`follow back`, `giveaway`, `jeu concours`, `lien en
//!    bio`…), five hashtags or more, three links or more, or no word at all;
//! 2. outage report: `is down`, `not working`, `can't log in`, `en panne`,
//!    `ne marche plus`…;
//! 3. purchase intent: `want to buy`, `how much is`, `je veux acheter`, `combien coûte`…;
//! 4. suggestion: `you should`, `please add`, `it would be nice`, `vous devriez`,
//!    `ce serait bien`…;
//! 5. complaint when the sentiment is negative with confidence ≥ 0.7 (an angry question
//!    — "why is my flight late AGAIN?" — is a complaint);
//! 6. question: a `?`, or a first word such as `how`, `why`, `can`, `comment`, `pourquoi`;
//! 7. complaint when negative, praise when positive, other otherwise.

use domain::{Intent, Sentiment, SentimentLabel};

use crate::features::{PreparedText, phrase_list};
use crate::text::TokenKind;

/// Phrases are matched on the folded tokens (`can't` is `cant`, `j'aimerais` is
/// `j' aimerais`, `?` is a token).
#[rustfmt::skip]
pub(crate) const SPAM_PHRASES: &[&str] = &[
    "follow me", "follow back", "followback", "check out my", "giveaway", "click here",
    "free followers", "get followers", "crypto", "bitcoin", "airdrop", "promo code",
    "onlyfans", "earn money", "make money", "casino", "link in bio", "jeu concours", "gagnez",
    "clique ici", "lien en bio", "abonnez vous", "rt to win", "retweet to win",
];

#[rustfmt::skip]
pub(crate) const OUTAGE_PHRASES: &[&str] = &[
    "is down", "are down", "was down", "its down", "down again", "site down", "app down",
    "server down", "service down", "website down", "outage", "not working", "doesnt work",
    "dont work", "isnt working", "stopped working", "wont load", "not loading", "cant log in",
    "cant login", "cant connect", "cannot connect", "unable to connect", "unable to log",
    "no service", "no signal", "no internet", "keeps crashing", "crashed", "crashing",
    "server error", "en panne", "hors service", "ne marche pas", "ne marche plus",
    "ne fonctionne pas", "ne fonctionne plus", "marche pas", "fonctionne pas",
    "plus de reseau", "pas de reseau", "coupure", "inaccessible", "plante",
    "impossible de se connecter", "impossible de me connecter", "down ?", "down ?!",
];

#[rustfmt::skip]
pub(crate) const PURCHASE_PHRASES: &[&str] = &[
    "want to buy", "wanna buy", "looking to buy", "thinking of buying",
    "thinking about buying", "planning to buy", "where can i buy", "where to buy",
    "how much is", "how much does", "how much for", "price of", "interested in buying",
    "want to order", "want to subscribe", "sign up for", "any deals", "je veux acheter",
    "j' aimerais acheter", "je voudrais acheter", "envie d' acheter", "je compte acheter",
    "ou acheter", "combien coute", "combien ca coute", "quel est le prix", "quel prix",
    "un devis", "je voudrais commander", "m' abonner", "souscrire", "interesse par",
    "interessee par", "je cherche un", "je cherche une",
];

#[rustfmt::skip]
pub(crate) const SUGGESTION_PHRASES: &[&str] = &[
    "you should", "u should", "you guys should", "should add", "please add", "would be nice",
    "would be great", "would be cool", "feature request", "suggestion", "i suggest", "my idea",
    "an idea", "how about", "wish you would", "wish you had", "why not add", "vous devriez",
    "tu devrais", "il faudrait", "ce serait bien", "ce serait top", "serait bien de",
    "pourquoi ne pas", "je suggere", "je propose", "une idee", "ajoutez", "pensez a",
];

#[rustfmt::skip]
const QUESTION_OPENERS: &[&str] = &[
    "how", "what", "why", "when", "where", "who", "which", "can", "could", "is", "are", "do",
    "does", "did", "will", "would", "anyone", "any", "comment", "pourquoi", "quand", "ou",
    "quel", "quelle", "quels", "quelles", "combien", "est-ce", "qui", "peut-on", "pouvez-vous",
];

/// Confidence above which a negative post is a complaint even when it asks something.
const COMPLAINT_CONFIDENCE: f32 = 0.7;

/// The intent of `text`, already prepared as `prepared`, given its sentiment.
pub(crate) fn classify_intent(text: &str, prepared: &PreparedText, sentiment: Sentiment) -> Intent {
    // The phrase lists were read with the lexicon's, in one pass, by `prepare`.
    let found = prepared.phrases;
    if found & phrase_list::SPAM != 0 || is_noise(text, prepared) {
        return Intent::SpamOrNoise;
    }
    if found & phrase_list::OUTAGE != 0 {
        return Intent::OutageReport;
    }
    if found & phrase_list::PURCHASE != 0 {
        return Intent::PurchaseIntent;
    }
    if found & phrase_list::SUGGESTION != 0 {
        return Intent::Suggestion;
    }
    let negative = sentiment.label == SentimentLabel::Negative;
    if negative && sentiment.confidence >= COMPLAINT_CONFIDENCE {
        return Intent::Complaint;
    }
    if is_question(prepared) {
        return Intent::Question;
    }
    match sentiment.label {
        SentimentLabel::Negative => Intent::Complaint,
        SentimentLabel::Positive => Intent::Praise,
        SentimentLabel::Neutral => Intent::Other,
    }
}

fn is_noise(text: &str, prepared: &PreparedText) -> bool {
    let hashtags = text
        .char_indices()
        .filter(|(index, character)| {
            *character == '#' && text[index + 1..].starts_with(|next: char| next.is_alphanumeric())
        })
        .count();
    let links = prepared
        .tokens
        .iter()
        .filter(|token| token.kind == TokenKind::Url)
        .count();
    let has_content = prepared
        .tokens
        .iter()
        .any(|token| token.is_word() || token.kind == TokenKind::Emoji);
    !has_content || hashtags >= 5 || links >= 3
}

fn is_question(prepared: &PreparedText) -> bool {
    if prepared
        .tokens
        .iter()
        .any(|token| token.text == "?" || token.text == "?!")
    {
        return true;
    }
    prepared
        .tokens
        .iter()
        .find(|token| token.is_word())
        .is_some_and(|first| QUESTION_OPENERS.contains(&first.text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::prepare;

    fn intent(text: &str, label: SentimentLabel, confidence: f32) -> Intent {
        classify_intent(text, &prepare(text), Sentiment { label, confidence })
    }

    #[test]
    fn clear_examples_get_their_intent() {
        use SentimentLabel::*;
        assert_eq!(
            intent("How do I change my booking?", Neutral, 0.6),
            Intent::Question
        );
        assert_eq!(
            intent("@acme your site is down again", Negative, 0.8),
            Intent::OutageReport
        );
        assert_eq!(
            intent("l'appli ne marche plus depuis ce matin", Negative, 0.8),
            Intent::OutageReport
        );
        assert_eq!(
            intent("I want to buy the new model, how much is it?", Neutral, 0.5),
            Intent::PurchaseIntent
        );
        assert_eq!(
            intent("combien coûte l'abonnement ?", Neutral, 0.5),
            Intent::PurchaseIntent
        );
        assert_eq!(
            intent("You should add a dark mode", Neutral, 0.5),
            Intent::Suggestion
        );
        assert_eq!(
            intent(
                "ce serait bien d'avoir plus de trains le soir",
                Neutral,
                0.5
            ),
            Intent::Suggestion
        );
        assert_eq!(
            intent("Why is my flight late AGAIN??", Negative, 0.9),
            Intent::Complaint
        );
        assert_eq!(
            intent("Thanks for the quick help!", Positive, 0.9),
            Intent::Praise
        );
        assert_eq!(
            intent("Follow me and RT to win a free iPhone", Positive, 0.6),
            Intent::SpamOrNoise
        );
        assert_eq!(
            intent("#a #b #c #d #e #f", Neutral, 0.6),
            Intent::SpamOrNoise
        );
        assert_eq!(
            intent("@acme https://t.co/x", Neutral, 0.6),
            Intent::SpamOrNoise
        );
    }
}
