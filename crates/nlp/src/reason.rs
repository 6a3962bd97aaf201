//! Complaint reasons: the default customer-care taxonomy, the mapping from the airline
//! data set's labels to it, and bilingual keyword rules.
//!
//! The trained reason model (English, from the airline tweets) knows the reasons that
//! data has; the keyword rules give French complaints a reason and cover the default
//! reasons the airline data has no example of (billing and refunds, outage).

use crate::text::{Token, WordMap};

/// The default customer-care taxonomy, in the order of the issue.
pub const DEFAULT_REASONS: [&str; 9] = [
    "delay_or_cancellation",
    "lost_or_damaged_item",
    "billing_and_refunds",
    "customer_service",
    "product_or_service_defect",
    "outage",
    "booking_or_ordering",
    "staff_behaviour",
    "other",
];

/// Maps an airline-data `negativereason` to the default taxonomy (documented in
/// `docs/understanding.md`); `None` for an unknown label.
pub fn airline_reason_to_taxonomy(airline_reason: &str) -> Option<&'static str> {
    Some(match airline_reason.trim() {
        "Late Flight" | "Cancelled Flight" => "delay_or_cancellation",
        "Lost Luggage" | "Damaged Luggage" => "lost_or_damaged_item",
        "Customer Service Issue" => "customer_service",
        "Flight Booking Problems" => "booking_or_ordering",
        "Flight Attendant Complaints" => "staff_behaviour",
        "Bad Flight" => "product_or_service_defect",
        // Queues at the airport are a service failure the brand's staff handle.
        "longlines" => "customer_service",
        "Can't Tell" => "other",
        _ => return None,
    })
}

/// Keyword stems per reason, folded like tokens (lower case, no accents). A token
/// matches a stem when it starts with it, so `rembours` covers `remboursement`,
/// `remboursez`, `rembourse`. Order matters: the first reason with the most hits wins.
const REASON_KEYWORDS: &[(&str, &[&str])] = &[
    (
        "outage",
        &[
            "outage",
            "down",
            "offline",
            "crash",
            "unavailable",
            "unreachable",
            "panne",
            "indisponible",
            "inaccessible",
            "coupure",
            "coupe",
            "plante",
            "bug",
            "hs",
            "reseau",
            "network",
            "signal",
            "connexion",
        ],
    ),
    (
        "billing_and_refunds",
        &[
            "refund",
            "rembours",
            "bill",
            "factur",
            "charged",
            "charge",
            "overcharg",
            "fee",
            "fees",
            "payment",
            "paiement",
            "prelev",
            "debit",
            "money",
            "argent",
            "price",
            "prix",
            "tarif",
            "invoice",
            "credit",
            "voucher",
            "avoir",
            "compensation",
            "indemnis",
            "dedommag",
        ],
    ),
    (
        "delay_or_cancellation",
        &[
            "delay",
            "late",
            "cancel",
            "retard",
            "annul",
            "missed",
            "connection",
            "correspondance",
            "attente",
            "waiting",
            "wait",
            "hours",
            "heures",
            "stuck",
            "bloque",
            "supprime",
            "diverted",
            "grounded",
        ],
    ),
    (
        "lost_or_damaged_item",
        &[
            "lost",
            "luggage",
            "baggage",
            "bag",
            "bags",
            "suitcase",
            "damaged",
            "broken",
            "bagage",
            "valise",
            "perdu",
            "egare",
            "abime",
            "casse",
            "colis",
            "parcel",
            "package",
            "delivery",
            "livraison",
            "livre",
            "recu",
            "missing",
        ],
    ),
    (
        "booking_or_ordering",
        &[
            "book",
            "booking",
            "reservation",
            "reserv",
            "ticket",
            "billet",
            "order",
            "commande",
            "seat",
            "siege",
            "place",
            "website",
            "site",
            "app",
            "appli",
            "checkout",
            "rebook",
            "change",
            "modif",
        ],
    ),
    (
        "staff_behaviour",
        &[
            "attendant",
            "crew",
            "pilot",
            "staff",
            "employee",
            "agent",
            "rude",
            "hostesse",
            "steward",
            "personnel",
            "employe",
            "controleur",
            "chauffeur",
            "driver",
            "impoli",
            "agressi",
            "mepris",
            "insult",
        ],
    ),
    (
        "customer_service",
        &[
            "customer",
            "service",
            "hold",
            "phone",
            "call",
            "answer",
            "response",
            "respond",
            "reply",
            "help",
            "line",
            "queue",
            "sav",
            "client",
            "telephone",
            "appel",
            "reponse",
            "repond",
            "injoignable",
            "conseiller",
            "hotline",
            "dm",
            "mail",
            "courrier",
            "file",
        ],
    ),
    (
        "product_or_service_defect",
        &[
            "dirty",
            "seat",
            "food",
            "broken",
            "defect",
            "defaut",
            "quality",
            "qualite",
            "sale",
            "froid",
            "cold",
            "hot",
            "chaud",
            "clim",
            "toilet",
            "wifi",
            "entertainment",
            "repas",
            "defectueux",
            "marche",
            "fonctionne",
            "working",
            "works",
        ],
    ),
];

/// The default-taxonomy reason the keyword rules give `text`, if any keyword matches.
pub fn reason_from_keywords(text: &str) -> Option<&'static str> {
    keyword_reason(&crate::text::tokenize(text)).map(|(reason, _)| reason)
}

/// The reason whose keywords the post hits most, with the number of hits; `None` when
/// no keyword matches. Only the taxonomy's reasons can come out.
pub(crate) fn keyword_reason(tokens: &[Token]) -> Option<(&'static str, usize)> {
    let index = stem_index();
    let mut hits = [0usize; REASON_KEYWORDS.len()];
    for token in tokens.iter().filter(|token| token.is_word()) {
        let word: &str = &token.text;
        // A word counts once per reason, however many of its stems it matches.
        let mut counted = [false; REASON_KEYWORDS.len()];
        let mut count = |reason: usize| {
            if !counted[reason] {
                counted[reason] = true;
                hits[reason] += 1;
            }
        };
        // Short stems match whole words, or the word without a plural `s`.
        for key in [Some(word), word.strip_suffix('s')].into_iter().flatten() {
            if let Some(reasons) = index.short.get(key) {
                reasons.iter().for_each(|reason| count(*reason));
            }
        }
        // Long stems match the start of the word: only those sharing its first 5 bytes.
        if let Some(candidates) = word.get(..LONG_STEM).and_then(|head| index.long.get(head)) {
            for (reason, stem) in candidates {
                if word.starts_with(stem) {
                    count(*reason);
                }
            }
        }
    }
    let mut best: Option<(&'static str, usize)> = None;
    for ((reason, _), hits) in REASON_KEYWORDS.iter().zip(hits) {
        if hits > 0 && best.is_none_or(|(_, best_hits)| hits > best_hits) {
            best = Some((reason, hits));
        }
    }
    best
}

/// Stems of this length or more match as prefixes (`rembours` in `remboursement`);
/// shorter ones match whole words (`hs` is not `hsbc`, `bag` is not `bagel`).
const LONG_STEM: usize = 5;

/// The stems of [`REASON_KEYWORDS`] with their reason's position: short stems by the
/// word they must equal, long stems by their first [`LONG_STEM`] bytes, so a word is
/// compared with the few stems that can match it (three lookups a word).
struct StemIndex {
    short: WordMap<Vec<usize>>,
    long: WordMap<Vec<(usize, &'static str)>>,
}

fn stem_index() -> &'static StemIndex {
    static INDEX: std::sync::OnceLock<StemIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = StemIndex {
            short: WordMap::default(),
            long: WordMap::default(),
        };
        for (reason, (_, stems)) in REASON_KEYWORDS.iter().enumerate() {
            for stem in *stems {
                if stem.len() < LONG_STEM {
                    index.short.entry(*stem).or_default().push(reason);
                } else {
                    index
                        .long
                        .entry(&stem[..LONG_STEM])
                        .or_default()
                        .push((reason, *stem));
                }
            }
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn reason(text: &str) -> Option<&'static str> {
        keyword_reason(&tokenize(text)).map(|(reason, _)| reason)
    }

    #[test]
    fn every_airline_reason_maps_into_the_taxonomy() {
        for label in [
            "Late Flight",
            "Cancelled Flight",
            "Lost Luggage",
            "Damaged Luggage",
            "Customer Service Issue",
            "Flight Booking Problems",
            "Flight Attendant Complaints",
            "Bad Flight",
            "longlines",
            "Can't Tell",
        ] {
            let mapped = airline_reason_to_taxonomy(label).unwrap();
            assert!(DEFAULT_REASONS.contains(&mapped), "{label} -> {mapped}");
        }
        assert_eq!(airline_reason_to_taxonomy("Something new"), None);
    }

    #[test]
    fn french_keywords_give_reasons() {
        assert_eq!(
            reason("Encore 2h de retard, train annulé"),
            Some("delay_or_cancellation")
        );
        assert_eq!(
            reason("Ma valise est perdue et abîmée"),
            Some("lost_or_damaged_item")
        );
        assert_eq!(
            reason("toujours pas remboursé, prélevé deux fois"),
            Some("billing_and_refunds")
        );
        assert_eq!(
            reason("le site est en panne depuis ce matin"),
            Some("outage")
        );
        assert_eq!(reason("bonjour"), None);
    }
}
