//! Sending e-mail over SMTP (a sink, RFC 5322 built by lettre): the care side's e-mail
//! replies ([`send_reply`]: `Re:` subject, `In-Reply-To` and `References` so the
//! customer's mail client threads it) and the early warning's alert e-mails
//! ([`send_mail`]). Bodies are UTF-8 plain text; lettre encodes the headers (RFC 2047)
//! and the body (quoted-printable or base64), so no text can add a header.
//!
//! Transport: plain SMTP (for a relay on localhost), STARTTLS or implicit TLS (SMTPS),
//! with rustls and the webpki roots; optional AUTH PLAIN/LOGIN credentials.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Mailboxes};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::ConnectorError;

/// At most this many recipients per message (a rule's list, a reply's one).
pub const MAX_RECIPIENTS: usize = 50;
/// A body longer than this is refused (a reply or an alert is short).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same machine or a test server.
    #[default]
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused without it.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Implicit,
}

/// `[smtp]` in the configuration: the server that sends replies and alert e-mails.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 25 without TLS, 587 with STARTTLS, 465 with implicit TLS.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, `Name <address>` or `address`; its domain names the Message-IDs.
    pub from: String,
    /// The name sent in `EHLO` (default `localhost`).
    #[serde(default)]
    pub hello_name: Option<String>,
    /// Per-command timeout (default 30 s).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

// The password never appears in logs or debug output.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpConfig {
    /// A plain-SMTP configuration for a local server (tests, a relay on localhost).
    pub fn plain(host: &str, port: u16, from: &str) -> SmtpConfig {
        SmtpConfig {
            host: host.to_string(),
            port: Some(port),
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: from.to_string(),
            hello_name: None,
            timeout_seconds: None,
        }
    }

    /// Checks the sender address and the credentials pair.
    pub fn validate(&self) -> Result<(), ConnectorError> {
        parse_mailbox(&self.from)?;
        if self.host.trim().is_empty() {
            return Err(invalid("smtp.host is empty"));
        }
        if self.username.is_some() != self.password.is_some() {
            return Err(invalid("smtp.username and smtp.password go together"));
        }
        Ok(())
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
        })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, ConnectorError> {
        let tls = match self.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => Tls::Required(self.tls_parameters()?),
            SmtpTls::Implicit => Tls::Wrapper(self.tls_parameters()?),
        };
        let hello = ClientId::Domain(
            self.hello_name
                .clone()
                .unwrap_or_else(|| "localhost".into()),
        );
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
                .port(self.port())
                .tls(tls)
                .hello_name(hello)
                .timeout(Some(Duration::from_secs(
                    self.timeout_seconds.unwrap_or(30),
                )));
        if let (Some(username), Some(password)) = (&self.username, &self.password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
        }
        Ok(builder.build())
    }

    fn tls_parameters(&self) -> Result<TlsParameters, ConnectorError> {
        TlsParameters::new(self.host.clone())
            .map_err(|error| invalid(format!("TLS for {}: {error}", self.host)))
    }
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    /// The message answered, without `<>`.
    pub in_reply_to: Option<String>,
    /// The thread's message ids, oldest first, without `<>`.
    pub references: Vec<String>,
}

/// An e-mail reply in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply<'a> {
    /// The customer's address.
    pub to: &'a str,
    /// The subject of the message answered (`Re: ` is added once).
    pub subject: &'a str,
    /// The Message-ID of the message answered, without `<>`.
    pub in_reply_to: &'a str,
    /// The `References` of the message answered, oldest first, without `<>`.
    pub references: &'a [String],
    pub body: &'a str,
}

/// Sends a reply threaded under `reply.in_reply_to` (its `References` are the answered
/// message's plus that message, RFC 5322 §3.6.4). Returns the new Message-ID, without `<>`.
pub async fn send_reply(config: &SmtpConfig, reply: Reply<'_>) -> Result<String, ConnectorError> {
    let mut references = reply.references.to_vec();
    if !references.iter().any(|id| id == reply.in_reply_to) {
        references.push(reply.in_reply_to.to_string());
    }
    let mail = OutgoingMail {
        to: vec![reply.to.to_string()],
        subject: reply_subject(reply.subject),
        body: reply.body.to_string(),
        in_reply_to: Some(reply.in_reply_to.to_string()),
        references,
    };
    send_mail(config, &mail).await
}

/// Sends one message to its recipients. Returns its Message-ID, without `<>`.
pub async fn send_mail(config: &SmtpConfig, mail: &OutgoingMail) -> Result<String, ConnectorError> {
    let (message, message_id) = build_message(config, mail)?;
    config.transport()?.send(message).await.map_err(|error| {
        ConnectorError::Network(format!("SMTP {}:{}: {error}", config.host, config.port()))
    })?;
    Ok(message_id)
}

/// `Re: SUBJECT`, without stacking `Re: Re:`.
pub fn reply_subject(subject: &str) -> String {
    let subject = subject.trim();
    let already = subject
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"));
    if already {
        subject.to_string()
    } else {
        format!("Re: {subject}")
    }
}

/// Checks an address (`ann@example.org` or `Ann <ann@example.org>`).
pub fn parse_mailbox(text: &str) -> Result<Mailbox, ConnectorError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|error| invalid(format!("not an e-mail address {text:?}: {error}")))
}

fn build_message(
    config: &SmtpConfig,
    mail: &OutgoingMail,
) -> Result<(Message, String), ConnectorError> {
    let from = parse_mailbox(&config.from)?;
    if mail.to.is_empty() || mail.to.len() > MAX_RECIPIENTS {
        return Err(invalid(format!(
            "a message has 1 to {MAX_RECIPIENTS} recipients"
        )));
    }
    if mail.body.len() > MAX_BODY_BYTES {
        return Err(invalid(format!(
            "the body is longer than {MAX_BODY_BYTES} bytes"
        )));
    }
    let mut recipients = Mailboxes::new();
    for address in &mail.to {
        recipients.push(parse_mailbox(address)?);
    }
    let message_id = new_message_id(from.email.domain());
    let mut builder = Message::builder()
        .from(from)
        .mailbox(lettre::message::header::To::from(recipients))
        .subject(single_line(&mail.subject))
        .message_id(Some(format!("<{message_id}>")))
        .date_now();
    if let Some(answered) = &mail.in_reply_to {
        builder = builder.in_reply_to(angle_id(answered)?);
    }
    if !mail.references.is_empty() {
        let references: Result<Vec<String>, _> =
            mail.references.iter().map(|id| angle_id(id)).collect();
        builder = builder.references(references?.join(" "));
    }
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|error| invalid(format!("cannot build the message: {error}")))?;
    Ok((message, message_id))
}

/// `<id>` from a stored id; an id with spaces, brackets or control characters is refused.
fn angle_id(id: &str) -> Result<String, ConnectorError> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let clean = !id.is_empty()
        && id.len() <= 998
        && id
            .chars()
            .all(|character| character.is_ascii_graphic() && character != '<' && character != '>');
    if !clean {
        return Err(invalid(format!("not a message id: {id:?}")));
    }
    Ok(format!("<{id}>"))
}

/// A subject on one line: control characters (CR, LF…) become spaces.
fn single_line(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect()
}

/// A unique id under the sender's domain: time, process and a counter, hashed.
fn new_message_id(domain: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let digest = Sha256::digest(format!("{nanos}:{}:{count}", std::process::id()));
    format!("{}.{count}@{domain}", hex::encode(&digest[..12]))
}

fn invalid(reason: impl Into<String>) -> ConnectorError {
    ConnectorError::Unreadable {
        format: "e-mail",
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_subject_adds_re_once() {
        assert_eq!(reply_subject("Panne réseau"), "Re: Panne réseau");
        assert_eq!(reply_subject("RE: Panne"), "RE: Panne");
        assert_eq!(reply_subject(" re: x "), "re: x");
    }

    #[test]
    fn ids_with_spaces_or_line_breaks_are_refused() {
        assert_eq!(angle_id("<1@example.org>").unwrap(), "<1@example.org>");
        assert!(angle_id("1@example.org\r\nBcc: x@y.z").is_err());
        assert!(angle_id("a b@example.org").is_err());
        assert!(angle_id("").is_err());
    }

    #[test]
    fn the_message_carries_thread_headers_and_no_injected_header() {
        let config = SmtpConfig::plain("127.0.0.1", 25, "Comptoir <care@comptoir.test>");
        let mail = OutgoingMail {
            to: vec!["ann@example.org".into()],
            subject: "Re: x\r\nBcc: evil@example.org".into(),
            body: "Bonjour Ann, c'est réparé.".into(),
            in_reply_to: Some("2@example.org".into()),
            references: vec!["1@example.org".into(), "2@example.org".into()],
        };
        let (message, id) = build_message(&config, &mail).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(text.contains(&format!("Message-ID: <{id}>")), "{text}");
        assert!(id.ends_with("@comptoir.test"));
        assert!(text.contains("In-Reply-To: <2@example.org>"), "{text}");
        assert!(
            text.contains("References: <1@example.org> <2@example.org>"),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("\r\nbcc:"), "{text}");
    }

    #[test]
    fn bad_recipients_are_refused() {
        let config = SmtpConfig::plain("127.0.0.1", 25, "care@comptoir.test");
        let mut mail = OutgoingMail {
            to: vec!["not an address".into()],
            subject: "s".into(),
            body: "b".into(),
            in_reply_to: None,
            references: vec![],
        };
        assert!(build_message(&config, &mail).is_err());
        mail.to = vec![];
        assert!(build_message(&config, &mail).is_err());
    }
}
