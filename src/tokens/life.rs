//! When a token or a ticket dies, and why, in words that name the time: the pure rules of
//! PROTOCOL.md §4 (lifetimes, the 60 s overlap, a ticket dying with its token), evaluated against
//! a given "now" so that moving the clock is enough to see them happen.

use crate::clock::{self, Millis};
use std::collections::VecDeque;

/// Whether tokens and tickets expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    /// The documented lifetimes: 7200 s, 3600 s, 120 s, a 60 s overlap.
    #[default]
    Documented,
    /// `--tickets-never-expire`: no lifetime ends (revocation, single use and eviction still apply).
    Never,
}

/// The two ticket types of `api_ticket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Signs server calls; 3600 s, reusable.
    Sign,
    /// Signs an SDK login; 120 s, single use, bound to a user id.
    Nonce,
}

impl Kind {
    /// The wire value of `type` (upper case only).
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "SIGN" => Some(Kind::Sign),
            "NONCE" => Some(Kind::Nonce),
            _ => None,
        }
    }

    pub fn seconds(self) -> i64 {
        match self {
            Kind::Sign => super::SIGN_SECONDS,
            Kind::Nonce => super::NONCE_SECONDS,
        }
    }
}

/// `2026-01-15 11:00:00 (+08:00)`: the clock's time, as a reason states it.
pub fn human(at: Millis) -> String {
    format!("{} (+08:00)", clock::dashed(at))
}

/// When something died and why (the text names the time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Death {
    pub at: Millis,
    pub why: String,
}

/// The earliest of the deaths that have happened by `now`.
fn first(deaths: impl IntoIterator<Item = Option<Death>>, now: Millis) -> Option<Death> {
    deaths.into_iter().flatten().filter(|d| d.at <= now).min_by_key(|d| d.at)
}

#[derive(Debug, Clone)]
pub struct Token {
    pub value: String,
    expires_at: Millis,
    /// (replaced at, retired at) once a newer token was issued.
    retired: Option<(Millis, Millis)>,
    revoked: Option<Death>,
}

impl Token {
    pub fn new(value: String, now: Millis, seconds: i64) -> Self {
        Token { value, expires_at: now + seconds * 1000, retired: None, revoked: None }
    }

    /// A newer token was issued at `replaced_at`: this one lives until `until` at most.
    pub fn retire(&mut self, replaced_at: Millis, until: Millis) {
        if self.retired.is_none() {
            self.retired = Some((replaced_at, until));
        }
    }

    pub fn revoke(&mut self, at: Millis, why: String) {
        self.revoked.get_or_insert(Death { at, why });
    }

    /// How this token died, if it is dead at `now`.
    pub fn death(&self, now: Millis, expiry: Expiry) -> Option<Death> {
        let documented = expiry == Expiry::Documented;
        let expired =
            documented.then(|| Death { at: self.expires_at, why: format!("expired at {}", human(self.expires_at)) });
        let retired = self.retired.filter(|_| documented).map(|(replaced, until)| Death {
            at: until,
            why: format!(
                "was replaced by a newer access_token at {} and retired {} s later, at {}",
                human(replaced),
                (until - replaced) / 1000,
                human(until)
            ),
        });
        first([expired, retired, self.revoked.clone()], now)
    }
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub value: String,
    pub kind: Kind,
    /// The access token that obtained it: the ticket dies with it (doc).
    pub token: String,
    pub user_id: Option<String>,
    expires_at: Millis,
    /// Used (NONCE), revoked, or evicted.
    killed: Option<Death>,
}

impl Ticket {
    pub fn new(value: String, kind: Kind, token: String, user_id: Option<String>, now: Millis, seconds: i64) -> Self {
        Ticket { value, kind, token, user_id, expires_at: now + seconds * 1000, killed: None }
    }

    pub fn kill(&mut self, at: Millis, why: String) {
        self.killed.get_or_insert(Death { at, why });
    }

    /// How this ticket died, if it is dead at `now`: its own expiry, its token's death, or a kill.
    pub fn death(&self, tokens: &VecDeque<Token>, now: Millis, expiry: Expiry) -> Option<Death> {
        let expired = (expiry == Expiry::Documented)
            .then(|| Death { at: self.expires_at, why: format!("expired at {}", human(self.expires_at)) });
        let with_token = tokens
            .iter()
            .find(|t| t.value == self.token)
            .and_then(|t| t.death(now, expiry))
            .map(|d| Death { at: d.at, why: format!("its access_token {}", d.why) });
        // On a tie the explicit kill names the cause best (a secret change revokes both at once).
        first([self.killed.clone(), expired, with_token], now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_768_442_400_000; // 2026-01-15 10:00:00 +08:00

    #[test]
    fn a_token_dies_at_its_expiry_or_60_s_after_being_replaced_whichever_comes_first() {
        let mut t = Token::new("t".into(), T0, 7200);
        assert_eq!(t.death(T0 + 7_199_999, Expiry::Documented), None);
        assert_eq!(t.death(T0 + 7_200_000, Expiry::Documented).unwrap().why, "expired at 2026-01-15 12:00:00 (+08:00)");
        t.retire(T0 + 1_000, T0 + 61_000);
        assert_eq!(t.death(T0 + 60_999, Expiry::Documented), None);
        let d = t.death(T0 + 61_000, Expiry::Documented).unwrap();
        assert!(
            d.why.starts_with(
                "was replaced by a newer access_token at 2026-01-15 10:00:01 (+08:00) and retired 60 s later"
            ),
            "{}",
            d.why
        );
        assert_eq!(t.death(T0 + 99_999_999, Expiry::Never), None);
    }

    #[test]
    fn a_ticket_dies_with_its_token_and_the_reason_says_so() {
        let mut tokens = VecDeque::from([Token::new("t".into(), T0, 7200)]);
        let k = Ticket::new("k".into(), Kind::Sign, "t".into(), None, T0, 3600);
        tokens[0].retire(T0, T0 + 60_000);
        let d = k.death(&tokens, T0 + 60_000, Expiry::Documented).unwrap();
        assert!(d.why.starts_with("its access_token was replaced"), "{}", d.why);
        assert_eq!(k.death(&tokens, T0 + 59_000, Expiry::Documented), None);
    }
}
