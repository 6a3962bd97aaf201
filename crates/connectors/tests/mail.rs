//! E-mail against real local servers: reading a dovecot mailbox over IMAP by UID, and
//! sending through an aiosmtpd SMTP server whose maildir the test reads back.

#[path = "support/mail_servers.rs"]
mod mail_servers;

use std::time::Duration;

use connectors::Record;
use connectors::live::{ImapConfig, MailboxCursor, poll_mailbox};
use connectors::smtp::{OutgoingMail, Reply, SmtpConfig, send_mail, send_reply};
use domain::IngestEvent;
use mail_parser::MessageParser;
use mail_servers::{Dovecot, SmtpSink};

fn message(id: &str, in_reply_to: Option<&str>, references: &str, body: &str) -> Vec<u8> {
    let mut text = format!(
        "From: \"Ann Example\" <ann@example.org>\r\nTo: care@comptoir.test\r\nSubject: =?UTF-8?Q?Panne_r=C3=A9seau?=\r\nDate: Tue, 1 Jul 2025 10:52:37 +0200\r\nMessage-ID: <{id}>\r\n"
    );
    if let Some(answered) = in_reply_to {
        text.push_str(&format!(
            "In-Reply-To: <{answered}>\r\nReferences: {references}\r\n"
        ));
    }
    text.push_str(&format!(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    text.into_bytes()
}

fn upserts(records: &[Record]) -> Vec<&domain::Mention> {
    records
        .iter()
        .filter_map(|record| match record {
            Record::Event {
                event: IngestEvent::Upsert(mention),
                ..
            } => Some(mention),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn imap_reads_new_messages_by_uid_and_threads_replies() {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let config = ImapConfig::plain(
        "127.0.0.1",
        dovecot.port,
        dovecot.username,
        dovecot.password,
    );

    // An empty mailbox: nothing, and a cursor with the server's UIDVALIDITY.
    let empty = poll_mailbox(&config, None).await.unwrap();
    assert!(empty.records.is_empty());
    assert_eq!(empty.cursor.last_uid, 0);
    assert_ne!(empty.cursor.uid_validity, 0);

    dovecot
        .append(
            "INBOX",
            &message("1@example.org", None, "", "Plus de réseau depuis ce matin."),
        )
        .await;
    dovecot
        .append(
            "INBOX",
            &message(
                "2@example.org",
                Some("1@example.org"),
                "<1@example.org>",
                "Toujours rien.",
            ),
        )
        .await;
    let first = poll_mailbox(&config, Some(empty.cursor)).await.unwrap();
    let mentions = upserts(&first.records);
    assert_eq!(mentions.len(), 2, "{:?}", first.records);
    assert_eq!(mentions[0].external_id, "1@example.org");
    assert_eq!(mentions[0].author.handle, "ann@example.org");
    assert_eq!(mentions[0].title.as_deref(), Some("Panne réseau"));
    assert_eq!(mentions[0].text.trim(), "Plus de réseau depuis ce matin.");
    // The reply points at the message it answers and shares its thread.
    assert_eq!(
        mentions[1].links.in_reply_to.as_deref(),
        Some("1@example.org")
    );
    assert_eq!(
        mentions[1].links.thread_id.as_deref(),
        Some("1@example.org")
    );
    assert_eq!(
        mentions[0].links.thread_id.as_deref(),
        Some("1@example.org")
    );
    assert_eq!(
        first.cursor,
        MailboxCursor {
            uid_validity: empty.cursor.uid_validity,
            last_uid: 2
        }
    );
    assert!(!first.more);
    let Record::Event { position, .. } = &first.records[1] else {
        panic!()
    };
    assert_eq!(position, "uid 2");

    // Polling again from the cursor reads nothing twice; a new message comes alone.
    let again = poll_mailbox(&config, Some(first.cursor)).await.unwrap();
    assert!(again.records.is_empty(), "{:?}", again.records);
    assert_eq!(again.cursor, first.cursor);
    dovecot
        .append(
            "INBOX",
            &message("3@example.org", None, "", "Merci, c'est revenu."),
        )
        .await;
    let third = poll_mailbox(&config, Some(first.cursor)).await.unwrap();
    assert_eq!(
        upserts(&third.records)
            .iter()
            .map(|mention| mention.external_id.as_str())
            .collect::<Vec<_>>(),
        ["3@example.org"]
    );
    assert_eq!(third.cursor.last_uid, 3);

    // A cursor of another UIDVALIDITY reads the mailbox again from the start.
    let stale = MailboxCursor {
        uid_validity: first.cursor.uid_validity.wrapping_add(1),
        last_uid: 3,
    };
    let reread = poll_mailbox(&config, Some(stale)).await.unwrap();
    assert_eq!(upserts(&reread.records).len(), 3);
    assert_eq!(reread.cursor.uid_validity, first.cursor.uid_validity);
}

#[tokio::test]
async fn imap_batches_quarantines_bad_and_oversized_messages() {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let mut config = ImapConfig::plain(
        "127.0.0.1",
        dovecot.port,
        dovecot.username,
        dovecot.password,
    );
    config.batch = 2;
    config.max_message_bytes = 2_000;
    dovecot
        .append("INBOX", b"Subject: no sender, no date\r\n\r\nhello\r\n")
        .await;
    dovecot
        .append(
            "INBOX",
            &message("big@example.org", None, "", &"x".repeat(5_000)),
        )
        .await;
    dovecot
        .append("INBOX", &message("ok@example.org", None, "", "fine"))
        .await;
    let first = poll_mailbox(&config, None).await.unwrap();
    assert!(first.more);
    assert_eq!(first.records.len(), 2);
    assert!(matches!(&first.records[0], Record::Rejected { position, .. } if position == "uid 1"));
    assert!(
        matches!(&first.records[1], Record::Rejected { position, reason, .. } if position == "uid 2" && reason.contains("larger than 2000"))
    );
    let second = poll_mailbox(&config, Some(first.cursor)).await.unwrap();
    assert!(!second.more);
    assert_eq!(upserts(&second.records)[0].external_id, "ok@example.org");
}

#[tokio::test]
async fn imap_refuses_a_wrong_password() {
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    let config = ImapConfig::plain("127.0.0.1", dovecot.port, dovecot.username, "wrong");
    let error = poll_mailbox(&config, None).await.unwrap_err();
    assert!(error.to_string().contains("login"), "{error}");
}

#[tokio::test]
async fn imap_over_starttls_and_imaps_trusts_only_the_configured_ca() {
    use connectors::live::ImapTls;
    let Some(dovecot) = Dovecot::start_tls() else {
        return;
    };
    dovecot
        .append("INBOX", &message("tls@example.org", None, "", "Plus de réseau."))
        .await;
    let (imaps_port, ca_file) = (dovecot.imaps_port.unwrap(), dovecot.ca_file.clone().unwrap());
    for (host, tls, port) in [
        ("127.0.0.1", ImapTls::StartTls, dovecot.port),
        ("localhost", ImapTls::StartTls, dovecot.port),
        ("localhost", ImapTls::Implicit, imaps_port),
    ] {
        let mut config = ImapConfig::plain(host, port, dovecot.username, dovecot.password);
        config.tls = tls;
        // Without the CA, the server's certificate is refused: no login in the clear.
        let error = poll_mailbox(&config, None).await.unwrap_err().to_string();
        assert!(error.contains("TLS") && error.contains("certificate"), "{tls:?} {host}: {error}");
        config.ca_file = Some(ca_file.clone());
        let poll = poll_mailbox(&config, None).await.unwrap();
        assert_eq!(upserts(&poll.records)[0].external_id, "tls@example.org", "{tls:?} {host}");
    }
    // A CA file that holds no certificate is a clear error.
    let mut config = ImapConfig::plain("localhost", dovecot.port, dovecot.username, dovecot.password);
    config.tls = ImapTls::StartTls;
    config.ca_file = Some(std::path::PathBuf::from("/dev/null"));
    let error = poll_mailbox(&config, None).await.unwrap_err().to_string();
    assert!(error.contains("ca_file") && error.contains("no PEM certificate"), "{error}");
}

#[tokio::test]
async fn smtp_reply_arrives_threaded_with_a_utf8_body() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let config = SmtpConfig::plain("127.0.0.1", sink.port, "Comptoir Care <care@comptoir.test>");
    let references = vec!["0@example.org".to_string()];
    let reply = Reply {
        to: "Ann Example <ann@example.org>",
        subject: "Panne réseau",
        in_reply_to: "1@example.org",
        references: &references,
        body: "Bonjour Ann,\nle réseau est rétabli. Désolés ! 🙏\n— Léa, Comptoir",
    };
    let message_id = send_reply(&config, reply).await.unwrap();
    let received = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(received.len(), 1);
    let message = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(message.subject(), Some("Re: Panne réseau"));
    assert_eq!(message.message_id(), Some(message_id.as_str()));
    assert_eq!(message.in_reply_to().as_text(), Some("1@example.org"));
    let references: Vec<&str> = message
        .references()
        .as_text_list()
        .unwrap()
        .iter()
        .map(|id| id.as_ref())
        .collect();
    assert_eq!(references, ["0@example.org", "1@example.org"]);
    assert_eq!(
        message.from().unwrap().first().unwrap().address(),
        Some("care@comptoir.test")
    );
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("ann@example.org")
    );
    assert!(message.date().is_some());
    assert_eq!(
        message.body_text(0).unwrap().trim_end(),
        "Bonjour Ann,\nle réseau est rétabli. Désolés ! 🙏\n— Léa, Comptoir"
    );
    // The envelope went to the customer only.
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(raw.contains("X-RcptTo: ann@example.org"), "{raw}");
}

#[tokio::test]
async fn smtp_sends_to_several_recipients_and_reports_a_dead_server() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let config = SmtpConfig::plain("127.0.0.1", sink.port, "alerts@comptoir.test");
    let mail = OutgoingMail {
        to: vec!["ops@example.org".into(), "noc@example.org".into()],
        subject: "Alerte : pic de mentions".into(),
        body: "12 mentions de « panne »".into(),
        in_reply_to: None,
        references: vec![],
    };
    send_mail(&config, &mail).await.unwrap();
    let received = sink.wait_for(1, Duration::from_secs(10));
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(
        raw.contains("X-RcptTo: ops@example.org, noc@example.org"),
        "{raw}"
    );
    let port = sink.port;
    drop(sink);
    let error = send_mail(
        &SmtpConfig::plain("127.0.0.1", port, "alerts@comptoir.test"),
        &mail,
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind(), domain::ErrorKind::Unavailable);
}
