//! The store's rules, on a clock that is just a number.

use super::*;
use crate::config::Config;

const T0: Millis = 1_768_442_400_000; // 2026-01-15 10:00:00 +08:00
const APP: &str = "TIDAMOCK";

fn store(caps: Caps) -> TokenStore {
    TokenStore::new(&Config::default(), caps)
}

fn live(store: &TokenStore, at: Millis) -> Vec<bool> {
    store.candidates(APP, Kind::Sign, None, at).iter().map(|c| c.state == TicketState::Live).collect()
}

#[test]
fn tokens_are_90_url_safe_characters_and_tickets_64_alphanumerics_derived_from_the_seed() {
    let s = store(Caps::default());
    let t = s.issue_token(APP, T0).unwrap().value;
    assert_eq!(t.len(), 90);
    assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
    let k = s.issue_ticket(APP, &t, Kind::Sign, None, T0).unwrap().value;
    assert_eq!(k.len(), 64);
    assert!(k.bytes().all(|b| b.is_ascii_alphanumeric()), "{k}");
    let again = store(Caps::default());
    assert_eq!(again.issue_token(APP, T0).unwrap().value, t, "same seed, same values");
    assert_ne!(again.issue_token(APP, T0).unwrap().value, t);
}

#[test]
fn a_sign_ticket_lives_3600_s_and_then_is_named_as_expired() {
    let s = store(Caps::default());
    let t = s.issue_token(APP, T0).unwrap().value;
    s.issue_ticket(APP, &t, Kind::Sign, None, T0).unwrap();
    assert_eq!(live(&s, T0 + 3_599_999), [true]);
    let c = s.candidates(APP, Kind::Sign, None, T0 + 3_600_000);
    assert_eq!(c[0].state, TicketState::Dead("expired at 2026-01-15 11:00:00 (+08:00)".into()));
}

#[test]
fn a_new_token_retires_the_old_one_and_its_tickets_60_s_later() {
    let s = store(Caps::default());
    let old = s.issue_token(APP, T0).unwrap().value;
    s.issue_ticket(APP, &old, Kind::Sign, None, T0).unwrap();
    s.issue_token(APP, T0 + 10_000).unwrap();
    assert!(s.issue_ticket(APP, &old, Kind::Sign, None, T0 + 69_999).is_ok());
    assert_eq!(live(&s, T0 + 69_999), [true, true]);
    assert_eq!(live(&s, T0 + 70_000), [false, false]);
    let Err(TokenProblem::Token(why)) = s.issue_ticket(APP, &old, Kind::Sign, None, T0 + 70_000) else { panic!() };
    assert!(why.contains("was replaced by a newer access_token at 2026-01-15 10:00:10"), "{why}");
}

#[test]
fn changing_the_secret_revokes_every_token_and_ticket() {
    let s = store(Caps::default());
    let t = s.issue_token(APP, T0).unwrap().value;
    s.issue_ticket(APP, &t, Kind::Sign, None, T0).unwrap();
    assert_eq!(s.change_secret(APP, "new", T0 + 5_000), Some((1, 1)));
    assert_eq!(s.secret_matches(APP, "new"), Some(true));
    let c = s.candidates(APP, Kind::Sign, None, T0 + 5_000);
    assert_eq!(
        c[0].state,
        TicketState::Dead("revoked when the app's secret changed at 2026-01-15 10:00:05 (+08:00)".into())
    );
    assert!(matches!(s.issue_ticket(APP, &t, Kind::Sign, None, T0 + 5_000), Err(TokenProblem::Token(_))));
    s.reset();
    assert_eq!(s.secret_matches(APP, crate::config::DEFAULT_SECRET), Some(true));
    assert_eq!(s.held(), (0, 0, 0));
}

#[test]
fn a_nonce_ticket_is_bound_to_its_user_and_used_once() {
    let s = store(Caps::default());
    let t = s.issue_token(APP, T0).unwrap().value;
    let k = s.issue_ticket(APP, &t, Kind::Nonce, Some("u1"), T0).unwrap().value;
    assert!(s.candidates(APP, Kind::Nonce, Some("u2"), T0).is_empty());
    assert_eq!(s.candidates(APP, Kind::Nonce, Some("u1"), T0).len(), 1);
    assert!(s.consume(APP, &k, T0 + 1_000).is_ok());
    let why = s.consume(APP, &k, T0 + 2_000).unwrap_err();
    assert!(why.starts_with("used at 2026-01-15 10:00:01 (+08:00)"), "{why}");
}

#[test]
fn never_expire_lifts_every_lifetime_but_not_revocation() {
    let config = Config { expiry: Expiry::Never, ..Config::default() };
    let s = TokenStore::new(&config, Caps::default());
    let t = s.issue_token(APP, T0).unwrap().value;
    s.issue_ticket(APP, &t, Kind::Sign, None, T0).unwrap();
    s.issue_token(APP, T0).unwrap();
    assert_eq!(live(&s, T0 + 365 * 86_400_000), [true]);
    s.change_secret(APP, "x", T0);
    assert_eq!(live(&s, T0), [false]);
}

#[test]
fn the_store_stays_bounded_and_remembers_evicted_tickets_as_dead() {
    let s = store(Caps { tokens_per_app: 2, tickets_per_app: 3, dead: 4 });
    let t = s.issue_token(APP, T0).unwrap().value;
    for _ in 0..10 {
        s.issue_ticket(APP, &t, Kind::Sign, None, T0).unwrap();
    }
    assert_eq!(s.held(), (1, 3, 4));
    let c = s.candidates(APP, Kind::Sign, None, T0);
    assert_eq!(c.iter().filter(|c| c.state == TicketState::Live).count(), 3);
    assert!(matches!(&c[3].state, TicketState::Dead(w) if w.starts_with("evicted at")), "{c:?}");
    for _ in 0..5 {
        s.issue_token(APP, T0).unwrap();
    }
    assert_eq!(s.held().0, 2);
}
