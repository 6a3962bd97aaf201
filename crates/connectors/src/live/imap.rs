//! IMAP polling: one short session per poll (connect, log in, `EXAMINE` the mailbox
//! read-only, `UID SEARCH` the messages after the cursor, `UID FETCH` them with
//! `BODY.PEEK[]`, log out). Nothing on the server changes: no flag is set, nothing moves.
//!
//! The cursor is (UIDVALIDITY, last UID read). The caller stores it after the records
//! are ingested, so a restart neither loses a message (the cursor only moves past what
//! was stored) nor duplicates one (messages are upserted by Message-ID anyway). When
//! the server's UIDVALIDITY changes, the UIDs mean something else: the mailbox is read
//! again from the start and the store's de-duplication drops what it already has.
//!
//! Each message's raw RFC 5322 bytes go through the `eml` reader, so threading comes
//! from its Message-ID, In-Reply-To and References like an imported file's.

use std::sync::Arc;
use std::time::Duration;

use async_imap::Client;
use futures_util::TryStreamExt;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::common::rejected;
use crate::{ConnectorError, Record};

/// How the connection to the IMAP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapTls {
    /// Plain IMAP: only for a server on the same machine or a test server.
    #[default]
    None,
    /// TLS from the first byte (IMAPS, usually port 993), rustls with the webpki roots.
    Implicit,
    /// Plain IMAP upgraded by `STARTTLS` before logging in (RFC 3501 §6.2.1, usually port
    /// 143); a server that refuses the upgrade is an error, never a plain-text login.
    #[serde(rename = "starttls")]
    StartTls,
}

/// `[connectors.imap]` in the configuration: one mailbox to read.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    /// Default: 143 without TLS, 993 with implicit TLS.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: ImapTls,
    pub username: String,
    pub password: String,
    /// A PEM file of certificate authorities to trust besides the public ones (a company's
    /// own CA, a self-signed server).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    /// Default `INBOX`.
    #[serde(default = "inbox")]
    pub mailbox: String,
    /// Seconds between polls (default 60, at least 5).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// A larger message is quarantined unread (default 10 MiB).
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u32,
    /// Messages fetched per poll at most (default 200); the rest come at the next poll.
    #[serde(default = "default_batch")]
    pub batch: usize,
}

fn inbox() -> String {
    "INBOX".into()
}
fn default_poll_seconds() -> u64 {
    60
}
fn default_max_message_bytes() -> u32 {
    10 * 1024 * 1024
}
fn default_batch() -> usize {
    200
}

// The password never appears in logs or debug output.
impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl ImapConfig {
    /// A plain-IMAP configuration with the defaults (tests, a server on localhost).
    pub fn plain(host: &str, port: u16, username: &str, password: &str) -> ImapConfig {
        ImapConfig {
            host: host.into(),
            port: Some(port),
            tls: ImapTls::None,
            username: username.into(),
            password: password.into(),
            ca_file: None,
            mailbox: inbox(),
            poll_seconds: default_poll_seconds(),
            max_message_bytes: default_max_message_bytes(),
            batch: default_batch(),
        }
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            ImapTls::None | ImapTls::StartTls => 143,
            ImapTls::Implicit => 993,
        })
    }

    /// `imap://user@host:port/mailbox`: where mentions came from (no password).
    pub fn origin(&self) -> String {
        format!(
            "imap://{}@{}:{}/{}",
            self.username,
            self.host,
            self.port(),
            self.mailbox
        )
    }

    /// The poll interval, at least five seconds.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.poll_seconds.max(5))
    }
}

/// Where reading a mailbox stands: its UIDVALIDITY and the highest UID read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxCursor {
    pub uid_validity: u32,
    pub last_uid: u32,
}

/// What one poll read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxPoll {
    /// One record per message, in UID order (position `uid N`).
    pub records: Vec<Record>,
    /// The cursor to store once the records are ingested.
    pub cursor: MailboxCursor,
    /// More new messages wait beyond `batch`: poll again at once.
    pub more: bool,
}

/// Reads the messages after `cursor` (all of them without one), at most `config.batch`.
pub async fn poll_mailbox(
    config: &ImapConfig,
    cursor: Option<MailboxCursor>,
) -> Result<MailboxPoll, ConnectorError> {
    let address = (config.host.as_str(), config.port());
    let tcp = tokio::time::timeout(Duration::from_secs(30), TcpStream::connect(address))
        .await
        .map_err(|_| network(config, "connection timed out"))?
        .map_err(|error| network(config, error))?;
    match config.tls {
        ImapTls::None => {
            let mut client = Client::new(tcp);
            greeting(config, &mut client).await?;
            poll_over(config, client, cursor).await
        }
        ImapTls::Implicit => {
            let tls = tls_handshake(config, tcp).await?;
            let mut client = Client::new(tls);
            greeting(config, &mut client).await?;
            poll_over(config, client, cursor).await
        }
        ImapTls::StartTls => {
            let mut client = Client::new(tcp);
            greeting(config, &mut client).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|error| network(config, format!("STARTTLS refused: {error}")))?;
            // No greeting after the upgrade (RFC 3501 §6.2.1).
            let tls = tls_handshake(config, client.into_inner()).await?;
            poll_over(config, Client::new(tls), cursor).await
        }
    }
}

async fn greeting<T>(config: &ImapConfig, client: &mut Client<T>) -> Result<(), ConnectorError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    client
        .read_response()
        .await
        .map_err(|error| network(config, error))?
        .ok_or_else(|| network(config, "the server closed before its greeting"))?;
    Ok(())
}

async fn tls_handshake(
    config: &ImapConfig,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ConnectorError> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_client_config(config)?));
    let server_name = tokio_rustls::rustls::pki_types::ServerName::try_from(config.host.clone())
        .map_err(|error| network(config, format!("bad TLS server name: {error}")))?;
    connector
        .connect(server_name, tcp)
        .await
        .map_err(|error| network(config, format!("TLS: {error}")))
}

fn tls_client_config(
    config: &ImapConfig,
) -> Result<tokio_rustls::rustls::ClientConfig, ConnectorError> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &config.ca_file {
        let unreadable = |error: &dyn std::fmt::Display| {
            ConnectorError::Network(format!(
                "{}: ca_file {}: {error}",
                config.origin(),
                path.display()
            ))
        };
        let mut added = 0;
        for certificate in CertificateDer::pem_file_iter(path).map_err(|error| unreadable(&error))? {
            let certificate = certificate.map_err(|error| unreadable(&error))?;
            roots.add(certificate).map_err(|error| unreadable(&error))?;
            added += 1;
        }
        if added == 0 {
            return Err(unreadable(&"no PEM certificate in it"));
        }
    }
    Ok(tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth())
}

async fn poll_over<T>(
    config: &ImapConfig,
    client: Client<T>,
    cursor: Option<MailboxCursor>,
) -> Result<MailboxPoll, ConnectorError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut session = client
        .login(&config.username, &config.password)
        .await
        .map_err(|(error, _)| {
            ConnectorError::Network(format!(
                "IMAP login to {} refused: {error}",
                config.origin()
            ))
        })?;
    let mailbox = session
        .examine(&config.mailbox)
        .await
        .map_err(|error| network(config, error))?;
    let uid_validity = mailbox.uid_validity.unwrap_or(0);
    let after = match cursor {
        Some(cursor) if cursor.uid_validity == uid_validity => cursor.last_uid,
        Some(cursor) => {
            tracing::warn!(mailbox = %config.origin(), old = cursor.uid_validity, new = uid_validity, "UIDVALIDITY changed: reading the mailbox again");
            0
        }
        None => 0,
    };
    // `N:*` always matches the highest UID, even below N: filter again.
    let found = session
        .uid_search(format!("UID {}:*", after.saturating_add(1)))
        .await
        .map_err(|error| network(config, error))?;
    let mut new_uids: Vec<u32> = found.into_iter().filter(|uid| *uid > after).collect();
    new_uids.sort_unstable();
    let more = new_uids.len() > config.batch;
    new_uids.truncate(config.batch.max(1));
    let mut poll = MailboxPoll {
        records: Vec::new(),
        cursor: MailboxCursor {
            uid_validity,
            last_uid: after,
        },
        more,
    };
    if new_uids.is_empty() {
        let _ = session.logout().await;
        return Ok(poll);
    }
    let sizes = fetch_sizes(&mut session, &new_uids)
        .await
        .map_err(|error| network(config, error))?;
    let (small, large): (Vec<u32>, Vec<u32>) = new_uids.iter().partition(|uid| {
        sizes
            .get(uid)
            .is_some_and(|size| *size <= config.max_message_bytes)
    });
    let mut bodies = fetch_bodies(&mut session, &small)
        .await
        .map_err(|error| network(config, error))?;
    let _ = session.logout().await;
    for uid in new_uids {
        let position = format!("uid {uid}");
        let record = if large.contains(&uid) {
            rejected(
                &position,
                format!(
                    "the message is larger than {} bytes",
                    config.max_message_bytes
                ),
                "",
            )
        } else {
            match bodies.remove(&uid) {
                Some(bytes) => message_record(&position, &bytes),
                None => rejected(&position, "the server sent no body for this message", ""),
            }
        };
        poll.records.push(record);
        poll.cursor.last_uid = uid;
    }
    Ok(poll)
}

/// The `eml` reader's record for one message, under the message's UID position.
fn message_record(position: &str, bytes: &[u8]) -> Record {
    let record = match crate::email::read_eml(bytes) {
        Ok(mut records) if !records.is_empty() => records.remove(0),
        Ok(_) => rejected(position, "an empty message", ""),
        Err(error) => rejected(position, error.to_string(), ""),
    };
    match record {
        Record::Event { event, .. } => Record::Event {
            position: position.to_string(),
            event,
        },
        Record::Rejected { reason, raw, .. } => Record::Rejected {
            position: position.to_string(),
            reason,
            raw,
        },
        Record::Ignored { what, .. } => Record::Ignored {
            position: position.to_string(),
            what,
        },
    }
}

fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

async fn fetch_sizes<T>(
    session: &mut async_imap::Session<T>,
    uids: &[u32],
) -> async_imap::error::Result<std::collections::HashMap<u32, u32>>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let fetches: Vec<_> = session
        .uid_fetch(uid_set(uids), "(UID RFC822.SIZE)")
        .await?
        .try_collect()
        .await?;
    Ok(fetches
        .iter()
        .filter_map(|fetch| Some((fetch.uid?, fetch.size?)))
        .collect())
}

async fn fetch_bodies<T>(
    session: &mut async_imap::Session<T>,
    uids: &[u32],
) -> async_imap::error::Result<std::collections::HashMap<u32, Vec<u8>>>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    if uids.is_empty() {
        return Ok(Default::default());
    }
    let fetches: Vec<_> = session
        .uid_fetch(uid_set(uids), "(UID BODY.PEEK[])")
        .await?
        .try_collect()
        .await?;
    Ok(fetches
        .iter()
        .filter_map(|fetch| Some((fetch.uid?, fetch.body()?.to_vec())))
        .collect())
}

fn network(config: &ImapConfig, error: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::Network(format!("IMAP {}: {error}", config.origin()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_comma_lists() {
        assert_eq!(uid_set(&[3, 4, 9]), "3,4,9");
    }

    #[test]
    fn a_message_record_takes_the_uid_position() {
        let message = b"From: a@example.org\r\nDate: Tue, 1 Jul 2003 10:52:37 +0200\r\nMessage-ID: <m@x>\r\n\r\nhello\r\n";
        let Record::Event { position, .. } = message_record("uid 7", message) else {
            panic!()
        };
        assert_eq!(position, "uid 7");
        let Record::Rejected { position, .. } =
            message_record("uid 8", b"Subject: no sender\r\n\r\nx")
        else {
            panic!()
        };
        assert_eq!(position, "uid 8");
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        let config = ImapConfig::plain("127.0.0.1", 143, "ann", "hunter2");
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(config.origin(), "imap://ann@127.0.0.1:143/INBOX");
    }
}
