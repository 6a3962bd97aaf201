//! `comptoir user add` (password on stdin) and `comptoir token create --email --scope`,
//! through the real binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn comptoir(data_dir: &Path, args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(args)
        .env("COMPTOIR_DATA_DIR", data_dir)
        .env_remove("COMPTOIR_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn user_add_then_a_scoped_token_for_that_user() {
    let dir = tempfile::tempdir().unwrap();
    let (_, stderr, code) = comptoir(dir.path(), &["user", "add", "--email", "jo@example.com", "--role", "agent"], "\n");
    assert_ne!(code, 0, "an empty password is refused");
    assert!(stderr.contains("empty"), "{stderr}");
    let (_, stderr, code) = comptoir(dir.path(), &["user", "add", "--email", "jo@example.com", "--role", "boss"], "secret\n");
    assert_ne!(code, 0, "an unknown role is refused: {stderr}");

    let args = ["user", "add", "--email", "Jo@Example.com", "--role", "agent", "--name", "Jo Durand"];
    let (_, stderr, code) = comptoir(dir.path(), &args, "correct horse battery staple\n");
    assert_eq!(code, 0, "{stderr}");
    let (stdout, _, code) = comptoir(dir.path(), &["user", "list"], "");
    assert_eq!(code, 0);
    assert!(stdout.contains("jo@example.com\tagent\tJo Durand"), "{stdout}");

    let args = ["token", "create", "--email", "jo@example.com", "--scope", "contacts:read", "--label", "crm-sync"];
    let (stdout, stderr, code) = comptoir(dir.path(), &args, "");
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim_end().lines().last().unwrap().to_string();
    assert!(token.starts_with("cpt_"), "{token}");
    let (_, _, code) = comptoir(dir.path(), &["token", "create", "--email", "nobody@example.com"], "");
    assert_ne!(code, 0);
    let (_, _, code) = comptoir(dir.path(), &["token", "create", "--email", "jo@example.com", "--scope", "everything"], "");
    assert_ne!(code, 0);

    let config = service::Config { data_dir: dir.path().to_path_buf(), ..service::Config::default() };
    let app = service::App::open(config).unwrap();
    let principal = app.token_principal(&token).unwrap().expect("the token is known");
    assert_eq!(principal.role, domain::Role::Agent);
    assert_eq!(principal.scopes, vec![domain::Scope::ContactsRead]);
    assert!(principal.may(domain::Action::ReadContacts));
    assert!(!principal.may(domain::Action::WriteContacts));
    assert!(app.sign_in("JO@example.com", "correct horse battery staple").is_ok());
    assert!(app.sign_in("jo@example.com", "wrong").is_err());
}
