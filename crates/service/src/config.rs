//! Configuration: a TOML file plus `COMPTOIR_*` environment overrides.
//!
//! Precedence, lowest first: built-in defaults, the TOML file (`--config FILE`, else
//! `DATA_DIR/comptoir.toml` when it exists), environment variables, command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ServiceError;

/// Everything Comptoir needs to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the embedded default keeps its files (`comptoir.db`, `index/`).
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; empty means `DATA_DIR/comptoir.db`.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub listen: String,
    pub ingest: IngestConfig,
    pub meta: MetaConfig,
    pub connectors: ConnectorsConfig,
    pub models: ModelsConfig,
    pub web: WebConfig,
    /// `[early_warning]`: buckets and detectors (issue #5).
    pub early_warning: crate::early_warning::EarlyWarningConfig,
    /// `[smtp]`: the server that sends e-mail (alert e-mails, e-mail replies). Without
    /// it, e-mail alert rules are refused.
    pub smtp: Option<connectors::smtp::SmtpConfig>,
    /// `[publishing]`: the brand's own accounts and the bulk messages' rate per channel.
    pub publishing: crate::publishing::PublishingConfig,
}

/// The HTTP server's sign-in sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Marks the session cookie `Secure` (sent over HTTPS only). On by default; `comptoir
    /// demo` turns it off for `http://127.0.0.1`.
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig { secure_cookies: true }
    }
}

/// A brand's own understanding models (`comptoir train … --out FILE.cptm`); each one not
/// given falls back to the model embedded in the binary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelsConfig {
    /// Sentiment for English and every language without its own model.
    pub sentiment_en: Option<PathBuf>,
    /// Sentiment for French.
    pub sentiment_fr: Option<PathBuf>,
    /// Complaint reason (the brand's own taxonomy).
    pub reason: Option<PathBuf>,
}

/// Tuning of the ingestion pipeline.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Mentions written to the store in one transaction.
    pub batch_size: usize,
    /// Batches waiting between two stages before the producer is slowed down.
    pub queue_batches: usize,
    /// Largest HTTP ingest request body, in bytes.
    pub max_body_bytes: usize,
}

/// Meta Graph API webhooks (Facebook pages, Messenger, Instagram).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetaConfig {
    /// The app secret that signs `X-Hub-Signature-256`; webhooks are refused without it.
    pub app_secret: String,
    /// The token Meta echoes in the subscription handshake.
    pub verify_token: String,
}

/// Live sources to follow while `comptoir serve` runs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectorsConfig {
    /// Bluesky Jetstream `subscribe` URL, e.g. `wss://jetstream2.us-east.bsky.network/subscribe`.
    pub jetstream_url: Option<String>,
    /// Mastodon instance base URL and an access token for the streaming API.
    pub mastodon_url: Option<String>,
    pub mastodon_token: Option<String>,
    /// X API base URL (`https://api.x.com`) and bearer token for the filtered stream.
    pub x_url: Option<String>,
    pub x_bearer_token: Option<String>,
    /// RSS/Atom feeds polled with ETag / If-Modified-Since.
    pub feeds: Vec<String>,
    /// Seconds between two polls of a feed.
    pub feed_poll_seconds: u64,
    /// `[[connectors.imap]]`: mailboxes read over IMAP (new messages by UID).
    pub imap: Vec<connectors::live::ImapConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("comptoir-data"),
            database_url: String::new(),
            listen: "127.0.0.1:8080".to_string(),
            ingest: IngestConfig::default(),
            meta: MetaConfig::default(),
            connectors: ConnectorsConfig::default(),
            models: ModelsConfig::default(),
            web: WebConfig::default(),
            early_warning: crate::early_warning::EarlyWarningConfig::default(),
            smtp: None,
            publishing: crate::publishing::PublishingConfig::default(),
        }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig { batch_size: 2048, queue_batches: 4, max_body_bytes: 16 * 1024 * 1024 }
    }
}

impl Config {
    /// Loads the file (if any) and applies the environment overrides.
    pub fn load(file: Option<&Path>, data_dir_override: Option<&Path>) -> Result<Config, ServiceError> {
        let data_dir_hint = data_dir_override
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("COMPTOIR_DATA_DIR").map(PathBuf::from));
        let default_file = data_dir_hint.as_ref().map(|dir| dir.join("comptoir.toml"));
        let file = match file {
            Some(path) => Some(path.to_path_buf()),
            None => default_file.filter(|path| path.exists()),
        };
        let mut config = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    ServiceError::Config(format!("cannot read {}: {error}", path.display()))
                })?;
                toml::from_str(&text).map_err(|error| {
                    ServiceError::Config(format!("{}: {error}", path.display()))
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        if let Some(dir) = data_dir_override {
            config.data_dir = dir.to_path_buf();
        }
        Ok(config)
    }

    /// Applies `COMPTOIR_*` variables (`lookup` is `std::env::var` outside tests).
    pub fn apply_env(&mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<(), ServiceError> {
        if let Some(value) = lookup("COMPTOIR_DATA_DIR") {
            self.data_dir = PathBuf::from(value);
        }
        if let Some(value) = lookup("COMPTOIR_DATABASE_URL") {
            self.database_url = value;
        }
        if let Some(value) = lookup("COMPTOIR_LISTEN") {
            self.listen = value;
        }
        if let Some(value) = lookup("COMPTOIR_SECURE_COOKIES") {
            self.web.secure_cookies = !matches!(value.as_str(), "0" | "false" | "no" | "off");
        }
        if let Some(value) = lookup("COMPTOIR_META_APP_SECRET") {
            self.meta.app_secret = value;
        }
        if let Some(value) = lookup("COMPTOIR_META_VERIFY_TOKEN") {
            self.meta.verify_token = value;
        }
        if let Some(value) = lookup("COMPTOIR_INGEST_BATCH_SIZE") {
            self.ingest.batch_size = value.parse().map_err(|_| {
                ServiceError::Config(format!("COMPTOIR_INGEST_BATCH_SIZE={value:?} is not a number"))
            })?;
        }
        self.apply_mail_env(&lookup)?;
        if self.ingest.batch_size == 0 || self.ingest.queue_batches == 0 {
            return Err(ServiceError::Config("ingest batch_size and queue_batches must be at least 1".into()));
        }
        Ok(())
    }

    /// `COMPTOIR_SMTP_*` (a whole `[smtp]` when `COMPTOIR_SMTP_HOST` is set) and
    /// `COMPTOIR_IMAP_*` (one more mailbox when `COMPTOIR_IMAP_HOST` is set).
    fn apply_mail_env(&mut self, lookup: &impl Fn(&str) -> Option<String>) -> Result<(), ServiceError> {
        let port = |name: &str| -> Result<Option<u16>, ServiceError> {
            lookup(name)
                .map(|value| value.parse().map_err(|_| ServiceError::Config(format!("{name}={value:?} is not a port"))))
                .transpose()
        };
        let tls = |name: &str| lookup(name).map(|value| value.to_lowercase());
        if let Some(host) = lookup("COMPTOIR_SMTP_HOST") {
            let tls = match tls("COMPTOIR_SMTP_TLS").as_deref() {
                None | Some("none") => connectors::smtp::SmtpTls::None,
                Some("starttls") => connectors::smtp::SmtpTls::StartTls,
                Some("implicit") => connectors::smtp::SmtpTls::Implicit,
                Some(other) => return Err(ServiceError::Config(format!("COMPTOIR_SMTP_TLS={other:?}: none, starttls or implicit"))),
            };
            self.smtp = Some(connectors::smtp::SmtpConfig {
                host,
                port: port("COMPTOIR_SMTP_PORT")?,
                tls,
                username: lookup("COMPTOIR_SMTP_USERNAME"),
                password: lookup("COMPTOIR_SMTP_PASSWORD"),
                from: lookup("COMPTOIR_SMTP_FROM").unwrap_or_else(|| "Comptoir <comptoir@localhost>".into()),
                hello_name: None,
                timeout_seconds: None,
            });
        }
        if let Some(smtp) = &self.smtp {
            smtp.validate().map_err(|error| ServiceError::Config(format!("[smtp]: {error}")))?;
        }
        if let Some(host) = lookup("COMPTOIR_IMAP_HOST") {
            let mut mailbox = connectors::live::ImapConfig::plain(
                &host,
                port("COMPTOIR_IMAP_PORT")?.unwrap_or(143),
                &lookup("COMPTOIR_IMAP_USERNAME").unwrap_or_default(),
                &lookup("COMPTOIR_IMAP_PASSWORD").unwrap_or_default(),
            );
            match tls("COMPTOIR_IMAP_TLS").as_deref() {
                None | Some("none") => {}
                Some("implicit") => {
                    mailbox.tls = connectors::live::ImapTls::Implicit;
                    mailbox.port = port("COMPTOIR_IMAP_PORT")?;
                }
                Some("starttls") => {
                    mailbox.tls = connectors::live::ImapTls::StartTls;
                    mailbox.port = port("COMPTOIR_IMAP_PORT")?;
                }
                Some(other) => return Err(ServiceError::Config(format!("COMPTOIR_IMAP_TLS={other:?}: none, starttls or implicit"))),
            }
            if let Some(path) = lookup("COMPTOIR_IMAP_CA_FILE") {
                mailbox.ca_file = Some(path.into());
            }
            if let Some(name) = lookup("COMPTOIR_IMAP_MAILBOX") {
                mailbox.mailbox = name;
            }
            if let Some(seconds) = lookup("COMPTOIR_IMAP_POLL_SECONDS") {
                mailbox.poll_seconds = seconds
                    .parse()
                    .map_err(|_| ServiceError::Config(format!("COMPTOIR_IMAP_POLL_SECONDS={seconds:?} is not a number")))?;
            }
            self.connectors.imap.push(mailbox);
        }
        Ok(())
    }

    /// The store URL, defaulting to the SQLite file under the data directory.
    pub fn store_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("comptoir.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_file() {
        let mut config: Config = toml::from_str("listen = \"0.0.0.0:9000\"\n[ingest]\nbatch_size = 10\n").unwrap();
        assert_eq!(config.ingest.batch_size, 10);
        config
            .apply_env(|name| (name == "COMPTOIR_LISTEN").then(|| "127.0.0.1:1".to_string()))
            .unwrap();
        assert_eq!(config.listen, "127.0.0.1:1");
        assert!(config.store_url().starts_with("sqlite://"));
    }

    #[test]
    fn mail_servers_come_from_the_file_or_the_environment() {
        let text = "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nfrom = \"Care <care@example.org>\"\n\n\
                    [[connectors.imap]]\nhost = \"127.0.0.1\"\nusername = \"ann\"\npassword = \"secret\"\nmailbox = \"Support\"\n";
        let mut config: Config = toml::from_str(text).unwrap();
        assert_eq!(config.smtp.as_ref().unwrap().port, Some(2525));
        assert_eq!(config.connectors.imap[0].mailbox, "Support");
        assert_eq!(config.connectors.imap[0].poll_seconds, 60);
        let env = |name: &str| match name {
            "COMPTOIR_IMAP_HOST" => Some("localhost".to_string()),
            "COMPTOIR_IMAP_PORT" => Some("10143".to_string()),
            "COMPTOIR_SMTP_HOST" => Some("localhost".to_string()),
            "COMPTOIR_SMTP_TLS" => Some("STARTTLS".to_string()),
            _ => None,
        };
        config.apply_env(env).unwrap();
        assert_eq!(config.connectors.imap.len(), 2);
        assert_eq!(config.connectors.imap[1].origin(), "imap://@localhost:10143/INBOX");
        assert_eq!(config.smtp.as_ref().unwrap().tls, connectors::smtp::SmtpTls::StartTls);
        // A bad sender address or TLS mode is a configuration error.
        let bad_from = |name: &str| match name {
            "COMPTOIR_SMTP_HOST" => Some("localhost".to_string()),
            "COMPTOIR_SMTP_FROM" => Some("not an address".to_string()),
            _ => None,
        };
        assert!(Config::default().apply_env(bad_from).is_err());
        assert!(Config::default().apply_env(|name| (name == "COMPTOIR_SMTP_HOST" || name == "COMPTOIR_SMTP_TLS").then(|| "x".into())).is_err());
    }

    #[test]
    fn models_are_optional_paths() {
        let config: Config = toml::from_str("[models]\nreason = \"models/reason.cptm\"\n").unwrap();
        assert_eq!(config.models.reason.as_deref(), Some(Path::new("models/reason.cptm")));
        assert!(config.models.sentiment_en.is_none());
        assert!(toml::from_str::<Config>("[models]\nsentiment = \"x\"\n").is_err());
    }

    #[test]
    fn unknown_keys_and_bad_numbers_are_errors() {
        assert!(toml::from_str::<Config>("lisen = 1").is_err());
        let mut config = Config::default();
        let error = config
            .apply_env(|name| (name == "COMPTOIR_INGEST_BATCH_SIZE").then(|| "lots".to_string()))
            .unwrap_err();
        assert!(error.to_string().contains("lots"));
    }
}
