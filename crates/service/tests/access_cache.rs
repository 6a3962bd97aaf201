//! The callers behind tokens and sessions are remembered for a few seconds, but a change
//! made through the app (deactivation, role change, sign-out) takes effect at once.

use domain::{Language, Role};
use service::{App, Config, UserPatch, UserRequest};

#[test]
fn deactivation_role_change_and_sign_out_apply_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap();
    let request = UserRequest {
        email: "agent@example.com".into(),
        password: "correct horse battery".into(),
        role: Role::Agent,
        display_name: None,
        language: Language::default(),
        signature: None,
        expertise: Vec::new(),
        capacity: None,
    };
    let user = app.create_user("test", &request).unwrap();
    let token = app.create_user_api_token("test", "agent@example.com", "t", &[]).unwrap();
    let session = app.sign_in("agent@example.com", "correct horse battery").unwrap();

    // Twice each: the second answer comes from the cache.
    for _ in 0..2 {
        assert_eq!(app.token_principal(&token).unwrap().unwrap().role, Role::Agent);
        assert_eq!(app.session_principal(&session.session_secret).unwrap().unwrap().0.role, Role::Agent);
    }
    app.update_user("test", user.id, &UserPatch { role: Some(Role::Supervisor), ..UserPatch::default() }).unwrap();
    assert_eq!(app.token_principal(&token).unwrap().unwrap().role, Role::Supervisor, "a role change applies at once");

    let second = app.create_user_api_token("test", "agent@example.com", "second", &[]).unwrap();
    assert!(app.token_principal(&second).unwrap().is_some());
    let id = app.list_api_tokens().unwrap().into_iter().find(|token| token.label == "second").unwrap().id;
    app.revoke_api_token("test", id).unwrap();
    assert!(app.token_principal(&second).unwrap().is_none(), "a revoked token stops at once");

    assert!(app.sign_out(&session.session_secret).unwrap());
    assert!(app.session_principal(&session.session_secret).unwrap().is_none(), "signed out at once");

    app.update_user("test", user.id, &UserPatch { active: Some(false), ..UserPatch::default() }).unwrap();
    assert!(app.token_principal(&token).unwrap().is_none(), "a deactivated user's token stops at once");
    assert!(app.token_principal("cpt_unknown").unwrap().is_none());
}
