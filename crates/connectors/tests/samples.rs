//! The parsers against the real payload samples in `/work/shared/data` (skipped, with
//! a message, when that folder is absent).

use std::collections::HashSet;

use connectors::{Format, Record, read_records};
use domain::{IngestEvent, Mention, Source};

const SHARED_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

fn sample(path: &str) -> Option<Vec<u8>> {
    let full_path = format!("{SHARED_DATA}{path}");
    match std::fs::read(&full_path) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            println!("skipped: sample {full_path} is not readable ({error})");
            None
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    upserts: Vec<Mention>,
    edits: Vec<Mention>,
    deletes: Vec<(Source, String)>,
    rejected: Vec<(String, String)>,
    ignored: usize,
}

fn read_all(format: Format, bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for record in read_records(format, bytes).expect("readable input") {
        match record {
            Record::Event {
                event: IngestEvent::Upsert(mention),
                ..
            } => tally.upserts.push(mention),
            Record::Event {
                event: IngestEvent::Edit(mention),
                ..
            } => tally.edits.push(mention),
            Record::Event {
                event:
                    IngestEvent::Delete {
                        source,
                        external_id,
                    },
                ..
            } => tally.deletes.push((source, external_id)),
            Record::Rejected {
                position, reason, ..
            } => tally.rejected.push((position, reason)),
            Record::Ignored { .. } => tally.ignored += 1,
        }
    }
    tally
}

#[test]
fn airline_dataset_gives_every_row() {
    let Some(bytes) = sample("airline/airline_tweets_dev70.csv") else {
        return;
    };
    let tally = read_all(Format::AirlineCsv, &bytes);
    assert_eq!(tally.rejected, Vec::<(String, String)>::new());
    assert_eq!(tally.upserts.len(), 10_260);
    let distinct: HashSet<&str> = tally
        .upserts
        .iter()
        .map(|mention| mention.external_id.as_str())
        .collect();
    assert_eq!(distinct.len(), 10_146);
    assert!(
        tally
            .upserts
            .iter()
            .all(|mention| mention.source == Source::X && !mention.author.handle.starts_with('@'))
    );
}

#[test]
fn twcs_sample_gives_every_row() {
    let Some(bytes) = sample("twcs/twcs_random_sample_5000.csv") else {
        return;
    };
    let tally = read_all(Format::TwcsCsv, &bytes);
    assert_eq!(tally.rejected, Vec::<(String, String)>::new());
    assert_eq!(tally.upserts.len(), 5_000);
    assert!(
        tally
            .upserts
            .iter()
            .any(|mention| mention.links.in_reply_to.is_some())
    );
}

#[test]
fn x_stream_capture_keeps_good_lines_and_rejects_the_truncated_one() {
    let Some(bytes) = sample("formats/twitter_v2/streaming_output_with_error.jsonl") else {
        return;
    };
    let tally = read_all(Format::XV2, &bytes);
    assert_eq!(tally.upserts.len(), 7);
    assert_eq!(tally.rejected.len(), 1);
    assert_eq!(tally.rejected[0].0, "line 8");
    assert!(
        tally.rejected[0].1.contains("EOF"),
        "{:?}",
        tally.rejected[0]
    );
    let first = &tally.upserts[0];
    assert_eq!(first.external_id, "1377650090978992134");
    assert_eq!(first.links.quoted.as_deref(), Some("1377640162566496258"));
    assert!(first.url.as_deref().unwrap().starts_with("https://x.com/"));
}

#[test]
fn x_pages_lookups_and_compliance() {
    if let Some(bytes) = sample("formats/twitter_v2/two_tweets.jsonl") {
        let tally = read_all(Format::XV2, &bytes);
        assert!(tally.rejected.is_empty(), "{:?}", tally.rejected);
        assert!(
            tally
                .upserts
                .iter()
                .any(|mention| mention.links.reposted.as_deref() == Some("1391677057810288641"))
        );
        assert!(
            tally
                .upserts
                .iter()
                .all(|mention| mention.author.display_name.is_some())
        );
    }
    for path in ["quoted_edit.jsonl", "media_tweet.jsonl"] {
        let Some(bytes) = sample(&format!("formats/twitter_v2/{path}")) else {
            continue;
        };
        let tally = read_all(Format::XV2, &bytes);
        assert!(
            tally.rejected.is_empty() && !tally.upserts.is_empty(),
            "{path}: {tally:?}"
        );
    }
    if let Some(bytes) = sample("formats/twitter_v2/tweets_compliance.jsonl") {
        let tally = read_all(Format::XV2, &bytes);
        assert_eq!(
            tally.deletes,
            vec![
                (Source::X, "1170025343920402432".into()),
                (Source::X, "1170147183095664640".into())
            ]
        );
    }
    if let Some(bytes) = sample("formats/twitter_v2/tweepy_get_tweets.body.json") {
        // Default fields only: no author, so each tweet says what is missing.
        let tally = read_all(Format::XV2, &bytes);
        assert_eq!(tally.rejected.len(), 2);
        assert!(tally.rejected[0].1.contains("author_id"));
    }
    if let Some(bytes) = sample("formats/twitter_v2/tweepy_compliance_job_create.body.json") {
        assert_eq!(read_all(Format::XV2, &bytes).ignored, 1);
    }
}

#[test]
fn jetstream_corpus_maps_posts_and_ignores_the_rest() {
    let Some(bytes) = sample("formats/bluesky_jetstream/expected_v1.jsonl") else {
        return;
    };
    let tally = read_all(Format::Jetstream, &bytes);
    assert!(tally.rejected.is_empty(), "{:?}", tally.rejected);
    assert_eq!(tally.upserts.len(), 17);
    assert_eq!(tally.deletes.len(), 1);
    assert_eq!(
        tally.upserts.len() + tally.deletes.len() + tally.edits.len() + tally.ignored,
        152
    );
    if let Some(golden) = sample("formats/bluesky_jetstream/golden_v1.jsonl") {
        let tally = read_all(Format::Jetstream, &golden);
        let reply = &tally.upserts[0];
        assert!(reply.links.in_reply_to.is_some() && reply.links.thread_id.is_some());
        assert_eq!(reply.language.as_deref(), Some("en"));
        assert_eq!(tally.ignored, 9);
    }
    if let Some(account) =
        sample("formats/bluesky_jetstream/constellation_test_delete_account.json")
    {
        assert_eq!(read_all(Format::Jetstream, &account).ignored, 1);
    }
}

#[test]
fn mastodon_rest_streaming_and_notifications() {
    if let Some(bytes) = sample("formats/mastodon/status_110446223051565765.body.json") {
        let tally = read_all(Format::Mastodon, &bytes);
        let status = &tally.upserts[0];
        assert_eq!(status.external_id, "110446223051565765");
        assert_eq!(status.author.handle, "halcy@icosahedron.website");
        assert!(
            status
                .text
                .starts_with("test post for mastodon.py stuff\n\n@halcy you're a doo-doo head"),
            "{}",
            status.text
        );
        assert_eq!(status.language.as_deref(), Some("de"));
    }
    if let Some(bytes) = sample("formats/mastodon/notifications_list.body.json") {
        let tally = read_all(Format::Mastodon, &bytes);
        assert_eq!((tally.upserts.len(), tally.ignored), (1, 39));
    }
    if let Some(bytes) = sample("formats/mastodon/streaming_sse_examples.txt") {
        let tally = read_all(Format::Mastodon, &bytes);
        assert!(tally.rejected.is_empty(), "{:?}", tally.rejected);
        assert_eq!((tally.upserts.len(), tally.edits.len()), (3, 1));
        assert_eq!(
            tally.deletes,
            vec![(Source::Mastodon, "107214471804101576".into())]
        );
    }
    for (path, expect_delete) in [
        ("websocket_update.json", false),
        ("websocket_delete.json", true),
    ] {
        let Some(bytes) = sample(&format!("formats/mastodon/{path}")) else {
            continue;
        };
        let tally = read_all(Format::Mastodon, &bytes);
        assert_eq!(
            (tally.deletes.len(), tally.upserts.len()),
            if expect_delete { (1, 0) } else { (0, 1) },
            "{path}"
        );
    }
}

#[test]
fn feeds_parse_with_their_charsets() {
    let expectations = [
        ("rss_2.0_nightvale.xml", None),
        ("rss_2.0_cloudflare.xml", None),
        ("rss_2.0_kdist.xml", None),
        ("atom_example_7.xml", None),
        ("atom_mediarss_reddit_1.xml", None),
        ("rss_1.0_iso8859.xml", Some("ü")),
        ("feed-dcdate.xml", Some("é")),
        ("feed-test-source.xml", Some("é")),
        ("feed-test-xsl.xml", None),
    ];
    for (path, accent) in expectations {
        let Some(bytes) = sample(&format!("formats/feeds/{path}")) else {
            continue;
        };
        let tally = read_all(Format::Rss, &bytes);
        assert!(!tally.upserts.is_empty(), "{path}: {tally:?}");
        assert!(
            tally
                .upserts
                .iter()
                .all(|mention| !mention.text.contains("<p>")),
            "{path}"
        );
        if let Some(accent) = accent {
            let all_text: String = tally
                .upserts
                .iter()
                .map(|mention| format!("{:?} {}", mention.title, mention.text))
                .collect();
            assert!(all_text.contains(accent), "{path}: {all_text}");
            assert!(!all_text.contains('\u{fffd}'), "{path}");
        }
    }
    if let Some(bytes) = sample("formats/feeds/atom_mediarss_reddit_1.xml") {
        assert_eq!(read_all(Format::Atom, &bytes).upserts.len(), 25);
    }
    if let Some(bytes) = sample("formats/feeds/feed-dcdate.xml") {
        assert!(
            read_all(Format::Rss, &bytes)
                .upserts
                .iter()
                .all(|mention| mention.language.as_deref() == Some("fr"))
        );
    }
}

#[test]
fn emails_and_mbox() {
    for path in [
        "php-mime-mail-parser/m0013",
        "php-mime-mail-parser/m0001",
        "php-mime-mail-parser/issue84",
        "php-mime-mail-parser/m0023",
        "mail-parser/thirdparty/019.eml",
        "mail-parser/rfc/000.eml",
    ] {
        let Some(bytes) = sample(&format!("formats/email/{path}")) else {
            continue;
        };
        let tally = read_all(Format::Eml, &bytes);
        assert_eq!(tally.upserts.len() + tally.rejected.len(), 1, "{path}");
        println!(
            "{path}: {:?}",
            tally.upserts.first().map(|mention| (
                &mention.external_id,
                &mention.title,
                &mention.author.handle
            ))
        );
    }
    if let Some(bytes) = sample("formats/email/php-mime-mail-parser/m0013") {
        let mention = &read_all(Format::Eml, &bytes).upserts[0];
        assert!(
            mention.text.contains("pr\u{e9}server") || mention.text.contains("préserver"),
            "{}",
            mention.text
        );
    }
    if let Some(bytes) = sample("formats/email/php-mime-mail-parser/issue84") {
        let mention = &read_all(Format::Eml, &bytes).upserts[0];
        assert!(mention.links.in_reply_to.is_some());
        assert!(mention.title.as_deref().unwrap().starts_with("Re:"));
    }
    if let Some(bytes) = sample("formats/email/mail-parser/mbox_rs_parse_mbox_test.mbox") {
        let tally = read_all(Format::Mbox, &bytes);
        assert_eq!(tally.upserts.len() + tally.rejected.len(), 4, "{tally:?}");
    }
}

#[test]
fn meta_webhook_samples() {
    let expectations: [(&str, &str); 10] = [
        ("feed-post-add-25.json", "upsert"),
        ("feed-post-remove-25.json", "delete"),
        ("feed-comment-add-211.json", "upsert"),
        ("feed-comment-remove-25.json", "delete"),
        ("feed-reaction-add.json", "ignored"),
        ("messaging-message-basic.json", "upsert"),
        ("messaging-message-media-attachment.json", "upsert"),
        ("messaging-message-basic-echo.json", "ignored"),
        ("wh-comments-2021.json", "upsert"),
        ("wh-comments.json", "rejected"),
    ];
    for (path, expected) in expectations {
        let Some(bytes) = sample(&format!("formats/meta_webhooks/{path}")) else {
            continue;
        };
        let records = connectors::meta::parse_webhook(&bytes).unwrap();
        let kind = match &records[..] {
            [
                Record::Event {
                    event: IngestEvent::Upsert(_),
                    ..
                },
            ] => "upsert",
            [
                Record::Event {
                    event: IngestEvent::Delete { .. },
                    ..
                },
            ] => "delete",
            [Record::Ignored { .. }] => "ignored",
            [Record::Rejected { .. }] => "rejected",
            _ => "other",
        };
        assert_eq!(kind, expected, "{path}: {records:?}");
    }
    if let Some(bytes) = sample("formats/meta_webhooks/wh-comments-2021.json") {
        let records = connectors::meta::parse_webhook(&bytes).unwrap();
        let Record::Event {
            event: IngestEvent::Upsert(comment),
            ..
        } = &records[0]
        else {
            unreachable!()
        };
        assert_eq!(
            (comment.source, comment.author.handle.as_str()),
            (Source::Instagram, "testuser")
        );
        assert_eq!(comment.links.thread_id.as_deref(), Some("76543987"));
    }
}
