//! Real local mail servers for tests: Debian's dovecot (IMAP) with a throwaway
//! configuration (passwd-file user, maildir under a temp dir, 127.0.0.1 on a free port),
//! and Python's aiosmtpd (SMTP) writing what it receives to a maildir.
//!
//! Shared by the connectors' and the service's tests (`#[path]`-included). When
//! `COMPTOIR_TEST_MAIL_SERVERS=1` (set by `.ci/run`), a missing server fails the test;
//! otherwise the test is skipped with a message.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn required() -> bool {
    std::env::var("COMPTOIR_TEST_MAIL_SERVERS").is_ok_and(|value| value == "1")
}

/// `None` (skip) or a panic (required) when a server is not installed.
fn unavailable(what: &str) -> Option<std::convert::Infallible> {
    if required() {
        panic!("{what} is not installed but COMPTOIR_TEST_MAIL_SERVERS=1");
    }
    eprintln!("skipped: {what} is not installed (set COMPTOIR_TEST_MAIL_SERVERS=1 to require it)");
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on port {port}");
}

fn dovecot_binary() -> Option<PathBuf> {
    let candidates = [
        std::env::var("COMPTOIR_TEST_DOVECOT").ok(),
        Some("/usr/sbin/dovecot".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

/// A dovecot IMAP server with one user (`ann` / `secret`), stopped on drop.
pub struct Dovecot {
    child: Child,
    binary: PathBuf,
    config: PathBuf,
    _dir: tempfile::TempDir,
    pub port: u16,
    /// The IMAPS port and the CA that signed the server's certificate (PEM), when started
    /// with TLS ([`Dovecot::start_tls`]).
    pub imaps_port: Option<u16>,
    pub ca_file: Option<PathBuf>,
    pub username: &'static str,
    pub password: &'static str,
}

/// A throwaway CA and a certificate for `localhost` / 127.0.0.1 signed by it (OpenSSL's
/// command line): `(ca.pem, server.pem, server.key)`.
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    run(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Comptoir test CA"]);
    run(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    std::fs::write(dir.join("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    run(&["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

impl Dovecot {
    pub fn start() -> Option<Dovecot> {
        Dovecot::start_with(false)
    }

    /// With TLS: STARTTLS on the IMAP port and IMAPS on another, with a certificate signed
    /// by a throwaway CA ([`Dovecot::ca_file`]).
    pub fn start_tls() -> Option<Dovecot> {
        Dovecot::start_with(true)
    }

    fn start_with(tls: bool) -> Option<Dovecot> {
        let Some(binary) = dovecot_binary() else {
            unavailable("dovecot (apt-get install dovecot-imapd)")?;
            unreachable!()
        };
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["run", "home"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("passwd"), "ann:{PLAIN}secret\n").unwrap();
        // Dovecot drops privileges: as root, mail is owned by its own `dovecot` user;
        // otherwise every process runs as the current user.
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        let as_root = user == "root";
        let mail_user = if as_root {
            "dovecot".to_string()
        } else {
            user.clone()
        };
        if as_root {
            Command::new("chown")
                .args(["-R", "dovecot:dovecot"])
                .arg(root.join("home"))
                .status()
                .unwrap();
            Command::new("chmod")
                .args(["755"])
                .arg(root)
                .status()
                .unwrap();
        }
        let port = free_port();
        let (ssl, imaps_port, ca_file) = if tls {
            let (ca, cert, key) = make_certificates(root);
            let imaps = free_port();
            (
                format!("ssl = yes\nssl_cert = <{}\nssl_key = <{}\n", cert.display(), key.display()),
                Some(imaps),
                Some(ca),
            )
        } else {
            ("ssl = no\n".to_string(), None, None)
        };
        let imaps_listener = match imaps_port {
            Some(imaps) => format!("  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps}\n    ssl = yes\n  }}\n"),
            None => "  inet_listener imaps {\n    port = 0\n  }\n".to_string(),
        };
        let unprivileged = if as_root {
            String::new()
        } else {
            format!(
                "default_internal_user = {user}\ndefault_login_user = {user}\ndefault_internal_group = {user}\n"
            )
        };
        let root_text = root.display();
        let config = format!(
            "base_dir = {root_text}/run\nstate_dir = {root_text}/run\nlog_path = {root_text}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\n{ssl}disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = 1\n{unprivileged}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {root_text}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={mail_user} gid={mail_user} home={root_text}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n{imaps_listener}}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        let config_path = root.join("dovecot.conf");
        std::fs::write(&config_path, config).unwrap();
        let mut child = Command::new(&binary)
            .arg("-F")
            .arg("-c")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        wait_for_port(port, &mut child, "dovecot");
        if let Some(imaps) = imaps_port {
            wait_for_port(imaps, &mut child, "dovecot (IMAPS)");
        }
        Some(Dovecot {
            child,
            binary,
            config: config_path,
            _dir: dir,
            port,
            imaps_port,
            ca_file,
            username: "ann",
            password: "secret",
        })
    }

    /// Appends one raw message to `mailbox` over IMAP `APPEND`.
    pub async fn append(&self, mailbox: &str, raw: &[u8]) {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap().unwrap();
        let mut session = client
            .login(self.username, self.password)
            .await
            .map_err(|(error, _)| error)
            .unwrap();
        if mailbox != "INBOX" {
            let _ = session.create(mailbox).await;
        }
        session.append(mailbox, None, None, raw).await.unwrap();
        session.logout().await.unwrap();
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.config)
            .arg("stop")
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("COMPTOIR_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// An aiosmtpd SMTP server writing every message it receives to a maildir; killed on drop.
pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl SmtpSink {
    pub fn start() -> Option<SmtpSink> {
        let installed = Command::new(python())
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            unavailable("aiosmtpd (pip install aiosmtpd)")?;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for_port(port, &mut child, "aiosmtpd");
        Some(SmtpSink { child, dir, port })
    }

    fn new_folder(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    /// The raw messages received so far, in arrival order.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(self.new_folder()) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .map(|entry| {
                (
                    entry
                        .metadata()
                        .and_then(|meta| meta.modified())
                        .unwrap_or(std::time::UNIX_EPOCH),
                    entry.path(),
                )
            })
            .collect();
        files.sort();
        files.into_iter().map(|(_, path)| read(&path)).collect()
    }

    /// Waits until at least `count` messages arrived (or `timeout` passed).
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
