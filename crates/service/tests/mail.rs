//! E-mail as a channel through the running service, against real local servers: a
//! dovecot mailbox read over IMAP into the store (threaded, resumable, no duplicates
//! after a restart), and alert e-mails through aiosmtpd (de-duplicated like webhooks).

#[path = "../../connectors/tests/support/mail_servers.rs"]
mod mail_servers;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use connectors::Format;
use connectors::live::ImapConfig;
use connectors::smtp::SmtpConfig;
use domain::Source;
use mail_parser::MessageParser;
use mail_servers::{Dovecot, SmtpSink};
use service::early_warning::{AlertChannel, AlertKind, EarlyWarningConfig, NewAlertRule};
use service::{App, Config, ImportOptions, Origin, import_records, start_ingest_thread};

fn message(id: &str, in_reply_to: Option<&str>, body: &str) -> Vec<u8> {
    let mut text = format!(
        "From: Ann <ann@example.org>\r\nTo: care@comptoir.test\r\nSubject: Panne\r\nDate: Tue, 1 Jul 2025 10:52:37 +0200\r\nMessage-ID: <{id}>\r\n"
    );
    if let Some(answered) = in_reply_to {
        text.push_str(&format!("In-Reply-To: <{answered}>\r\nReferences: <{answered}>\r\n"));
    }
    text.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"));
    text.into_bytes()
}

fn open_app(dir: &std::path::Path, mailbox: &ImapConfig) -> Arc<App> {
    let mut config = Config { data_dir: dir.to_path_buf(), ..Config::default() };
    config.connectors.imap = vec![mailbox.clone()];
    Arc::new(App::open(config).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_is_ingested_threaded_and_resumes_after_a_restart() {
    let Some(dovecot) = Dovecot::start() else { return };
    let mailbox = ImapConfig::plain("127.0.0.1", dovecot.port, dovecot.username, dovecot.password);
    let dir = tempfile::tempdir().unwrap();
    dovecot.append("INBOX", &message("1@example.org", None, "Plus de réseau depuis ce matin.")).await;
    dovecot.append("INBOX", &message("2@example.org", Some("1@example.org"), "Toujours rien !")).await;

    let app = open_app(dir.path(), &mailbox);
    let ingest = start_ingest_thread(app.clone(), 4);
    let more = service::live::poll_mailbox_once(&app, &ingest, &mailbox).await.unwrap();
    assert!(!more);
    let store = app.store();
    let first = store.find_mention(Source::Email, "1@example.org").unwrap().expect("the first message is stored");
    let reply = store.find_mention(Source::Email, "2@example.org").unwrap().expect("the reply is stored");
    assert_eq!(first.mention.author.handle, "ann@example.org");
    assert_eq!(reply.mention.links.in_reply_to.as_deref(), Some("1@example.org"));
    assert_eq!(reply.mention.links.thread_id, first.mention.links.thread_id);
    let cursor = store.get_mailbox_cursor(&mailbox.origin()).unwrap().expect("the cursor is saved");
    assert_eq!(cursor.last_uid, 2);
    assert_eq!(store.count_mentions().unwrap(), 2);

    // A restart continues after the saved cursor: only the new message is read.
    drop(ingest);
    drop(app);
    tokio::time::sleep(Duration::from_millis(700)).await; // the ingestion thread lets go
    dovecot.append("INBOX", &message("3@example.org", Some("2@example.org"), "C'est revenu, merci.")).await;
    let app = open_app(dir.path(), &mailbox);
    let ingest = start_ingest_thread(app.clone(), 4);
    service::live::poll_mailbox_once(&app, &ingest, &mailbox).await.unwrap();
    assert_eq!(app.store().count_mentions().unwrap(), 3);
    assert_eq!(app.store().get_mailbox_cursor(&mailbox.origin()).unwrap().unwrap().last_uid, 3);
    let third = app.store().find_mention(Source::Email, "3@example.org").unwrap().unwrap();
    assert_eq!(third.mention.links.in_reply_to.as_deref(), Some("2@example.org"));
    // Nothing new: nothing read, nothing duplicated.
    service::live::poll_mailbox_once(&app, &ingest, &mailbox).await.unwrap();
    assert_eq!(app.store().count_mentions().unwrap(), 3);
}

const BUCKET: i64 = 60;
const T0: i64 = 1_700_000_040;

/// An app whose early-warning clock the test moves.
fn alerting_app(dir: &std::path::Path, smtp: Option<SmtpConfig>) -> (App, Arc<AtomicI64>) {
    let config = Config {
        data_dir: dir.to_path_buf(),
        smtp,
        early_warning: EarlyWarningConfig { bucket_seconds: BUCKET, detector_warmup_buckets: Some(30), baseline_buckets: 12, weak_signals_warmup_buckets: 10 },
        ..Config::default()
    };
    let app = App::open(config).unwrap();
    let clock = Arc::new(AtomicI64::new(T0));
    let reader = clock.clone();
    app.set_early_warning_clock(Arc::new(move || reader.load(Ordering::SeqCst)));
    (app, clock)
}

/// Stores the texts during bucket `bucket`, then closes it.
fn replay_bucket(app: &App, clock: &AtomicI64, bucket: i64, texts: &[&str]) {
    clock.store(T0 + bucket * BUCKET + 1, Ordering::SeqCst);
    let lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            format!(r#"{{"source":"x","external_id":"{bucket}-{index}","author":{{"handle":"u{index}"}},"text":"{text}","created_at":"2026-11-20T10:00:00Z"}}"#)
        })
        .collect();
    let records = connectors::read_records(Format::Ndjson, lines.join("\n").as_bytes()).unwrap();
    let origin = Origin { format: "ndjson".into(), origin: "test".into() };
    import_records(app, records, &origin, ImportOptions { threads: 1, batch_size: 500, queue_batches: 2 }, &|_| {}).unwrap();
    clock.store(T0 + (bucket + 1) * BUCKET, Ordering::SeqCst);
    app.writer().tick().unwrap();
}

#[test]
fn an_email_rule_sends_each_alert_once_over_smtp() {
    let Some(sink) = SmtpSink::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpConfig::plain("127.0.0.1", sink.port, "Comptoir <alerts@comptoir.test>");
    let (app, clock) = alerting_app(dir.path(), Some(smtp));
    let rule = app
        .create_alert_rule(NewAlertRule {
            name: "Pannes".into(),
            kind: AlertKind::Keyword,
            slice: None,
            keyword: Some("panne".into()),
            min_influence: None,
            threshold: None,
            within_minutes: None,
            channel: AlertChannel::Email { to: vec!["ops@example.org".into(), "Noc <noc@example.org>".into()] },
        })
        .unwrap();
    assert_eq!(rule.channel["type"], "email");

    replay_bucket(&app, &clock, 0, &["Bonjour", "Le site est en panne", "panne réseau à Lyon"]);
    let received = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "the keyword alert arrives by e-mail");
    let message = MessageParser::default().parse(&received[0]).unwrap();
    assert!(message.subject().unwrap().starts_with("[Comptoir] 2 new mentions contain \"panne\""), "{:?}", message.subject());
    let body = message.body_text(0).unwrap();
    assert!(body.contains("Rule: Pannes (keyword)"), "{body}");
    assert!(body.contains("\"count\": 2"), "{body}");
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(raw.contains("X-RcptTo: ops@example.org, noc@example.org"), "{raw}");

    // The same keyword in the next bucket is a duplicate within the hour: no second e-mail.
    replay_bucket(&app, &clock, 1, &["encore une panne"]);
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(sink.received().len(), 1, "de-duplicated like the webhook path");
    assert_eq!(app.list_alerts(10).unwrap().len(), 1);
}

#[test]
fn email_rules_need_an_smtp_server_and_real_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _clock) = alerting_app(dir.path(), None);
    let rule = |to: Vec<String>| NewAlertRule {
        name: "Mail".into(),
        kind: AlertKind::VolumeAnomaly,
        slice: None,
        keyword: None,
        min_influence: None,
        threshold: None,
        within_minutes: None,
        channel: AlertChannel::Email { to },
    };
    let error = app.create_alert_rule(rule(vec!["ops@example.org".into()])).unwrap_err();
    assert_eq!(error.kind(), domain::ErrorKind::Invalid);
    assert!(error.to_string().contains("SMTP"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let (app, _clock) = alerting_app(dir.path(), Some(SmtpConfig::plain("127.0.0.1", 25, "alerts@comptoir.test")));
    for bad in [vec![], vec!["not an address".to_string()], vec!["a@b.c\r\nBcc: x@y.z".to_string()]] {
        let error = app.create_alert_rule(rule(bad.clone())).unwrap_err();
        assert_eq!(error.kind(), domain::ErrorKind::Invalid, "{bad:?}");
    }
}

/// Issue #4 §7: an agent's answer to an e-mail case leaves over SMTP, threaded under the
/// customer's message, and its outbox row records the delivery.
#[test]
fn a_reply_to_an_email_case_goes_out_over_smtp_in_the_thread() {
    let Some(sink) = SmtpSink::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        smtp: Some(SmtpConfig::plain("127.0.0.1", sink.port, "Service client <care@comptoir.test>")),
        ..Config::default()
    };
    let app = App::open(config).unwrap();
    let raw = message(
        "10@example.org",
        Some("9@example.org"),
        "My internet has been down since this morning, nobody answers the phone, this is unacceptable!",
    );
    let records = connectors::read_records(Format::Eml, &raw).unwrap();
    let origin = Origin { format: "eml".into(), origin: "test".into() };
    import_records(&app, records, &origin, ImportOptions { threads: 1, batch_size: 10, queue_batches: 2 }, &|_| {}).unwrap();
    let token = app.create_api_token("test").unwrap();
    let principal = app.token_principal(&token).unwrap().unwrap();
    let page = app.list_cases(&principal, &service::cases::CaseListQuery::default()).unwrap();
    assert_eq!(page.items.len(), 1, "the complaint opened a case");
    let case_id = page.items[0].case.id;
    let request = service::cases::ReplyRequest {
        text: Some("We are sorry: a technician is on the way.".into()),
        visibility: None,
        split: false,
        canned_id: None,
    };
    let result = app.reply_to_case(&principal, case_id, &request).unwrap();
    assert_eq!(result.messages.len(), 1);

    let received = sink.wait_for(1, Duration::from_secs(20));
    assert_eq!(received.len(), 1, "one e-mail reached the SMTP server");
    let mail = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(mail.subject(), Some("Re: Panne"));
    assert_eq!(mail.in_reply_to().as_text(), Some("10@example.org"));
    let references: Vec<String> = match mail.references() {
        mail_parser::HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
        other => panic!("references: {other:?}"),
    };
    assert_eq!(references, vec!["9@example.org".to_string(), "10@example.org".to_string()]);
    let to = mail.to().and_then(|to| to.first()).and_then(|address| address.address()).map(str::to_string);
    assert_eq!(to.as_deref(), Some("ann@example.org"));
    assert!(mail.body_text(0).unwrap().contains("a technician is on the way"));

    // The delivery thread records the outcome on the outbox row.
    let mut status = String::new();
    for _ in 0..100 {
        status = app.store().list_outbox(case_id).unwrap()[0].status.clone();
        if status == "sent" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status, "sent");
}

/// Issue #4 §8: a conversation that began on X moves to e-mail: a public note on X, an
/// e-mail to the address given (through a real SMTP server), the customer's answer to it
/// joins the same case, and the agent's next reply goes by e-mail with e-mail's rules.
#[test]
fn a_conversation_moved_from_x_to_email_continues_in_the_same_case() {
    let Some(sink) = SmtpSink::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        smtp: Some(SmtpConfig::plain("127.0.0.1", sink.port, "Service client <care@comptoir.test>")),
        ..Config::default()
    };
    let app = App::open(config).unwrap();
    let tweet = r#"{"source":"x","external_id":"t1","author":{"handle":"ann_x"},"language":"en","text":"@AirComptoir my bag is lost, worst airline ever, I am furious","created_at":"2026-11-20T10:00:00Z"}"#;
    let options = || ImportOptions { threads: 1, batch_size: 10, queue_batches: 2 };
    let origin = Origin { format: "ndjson".into(), origin: "test".into() };
    import_records(&app, connectors::read_records(Format::Ndjson, tweet.as_bytes()).unwrap(), &origin, options(), &|_| {}).unwrap();
    let token = app.create_api_token("test").unwrap();
    let principal = app.token_principal(&token).unwrap().unwrap();
    let case_id = app.list_cases(&principal, &service::cases::CaseListQuery::default()).unwrap().items[0].case.id;

    let bad = service::cases::MoveRequest { to: "email".into(), email: Some("not an address".into()), text: None };
    assert!(app.move_conversation(&principal, case_id, &bad).is_err());
    let request = service::cases::MoveRequest { to: "email".into(), email: Some("ann@example.org".into()), text: None };
    let moved = app.move_conversation(&principal, case_id, &request).unwrap();
    assert_eq!(moved.messages.len(), 2, "a public note on X and the e-mail");
    assert_eq!((moved.messages[0].channel, moved.messages[0].status.as_str()), (Source::X, "sent"));
    assert_eq!((moved.messages[1].channel, moved.messages[1].recipient.as_deref()), (Source::Email, Some("ann@example.org")));

    let received = sink.wait_for(1, Duration::from_secs(20));
    let mail = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(mail.subject(), Some(format!("Your request #{case_id}").as_str()));
    assert!(mail.body_text(0).unwrap().contains("my bag is lost"), "the e-mail quotes the request");
    let our_id = mail.message_id().unwrap().to_string();

    // The delivery thread threads the sent message to the case; the customer answers it.
    for _ in 0..100 {
        if app.store().find_case_threads(Source::Email, &[our_id.as_str()]).unwrap().len() == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let answer = message("answer-1@example.org", Some(&our_id), "My booking reference is ABC123, the bag is blue.");
    import_records(&app, connectors::read_records(Format::Eml, &answer).unwrap(), &Origin { format: "eml".into(), origin: "test".into() }, options(), &|_| {}).unwrap();
    let view = app.get_case(&principal, case_id).unwrap();
    assert!(
        view.conversation.iter().any(|entry| entry.mention.as_ref().is_some_and(|stored| stored.mention.text.contains("ABC123"))),
        "the e-mail answer joined the case"
    );
    assert_eq!(app.list_cases(&principal, &service::cases::CaseListQuery::default()).unwrap().items.len(), 1, "no second case");

    // The next reply goes by e-mail: longer than X allows, and accepted.
    let long = "We found your blue bag in Lyon; it will be delivered tomorrow morning. ".repeat(6);
    let request = service::cases::ReplyRequest { text: Some(long), visibility: None, split: false, canned_id: None };
    let reply = app.reply_to_case(&principal, case_id, &request).unwrap();
    assert_eq!((reply.messages[0].channel, reply.messages[0].recipient.as_deref()), (Source::Email, Some("ann@example.org")));
    let received = sink.wait_for(2, Duration::from_secs(20));
    assert_eq!(received.len(), 2);
}
