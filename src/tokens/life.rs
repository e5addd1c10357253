//! When a token or a ticket dies, and why, in words that name the time: the pure rules of
//! docs/protocol.md §4 (lifetimes, the 60 s overlap, a ticket dying with its token), evaluated against
//! a given "now" so that moving the clock is enough to see them happen.

use crate::clock::{self, Millis};
use crate::config::Expiry;
use std::collections::VecDeque;

/// The two ticket types of `api_ticket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Signs server calls; 3600 s, reusable.
    Sign,
    /// Signs an SDK login; 120 s, single use, bound to a user id.
    Nonce,
}

impl Kind {
    /// The wire value of `type` (upper case only).
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "SIGN" => Some(Kind::Sign),
            "NONCE" => Some(Kind::Nonce),
            _ => None,
        }
    }

    pub(crate) fn seconds(self) -> i64 {
        match self {
            Kind::Sign => super::SIGN_SECONDS,
            Kind::Nonce => super::NONCE_SECONDS,
        }
    }
}

/// `2026-01-15 11:00:00 (+08:00)`: the clock's time, as a reason states it.
pub(crate) fn human(at: Millis) -> String {
    format!("{} (+08:00)", clock::dashed(at))
}

/// When something died and why (the text names the time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Death {
    pub(crate) at: Millis,
    pub(crate) why: String,
}

/// One way to die, kept cheap: the text is written only for the death that is reported (the
/// store checks every held ticket on every OCR call).
#[derive(Clone, Copy)]
enum End<'a> {
    Expired(Millis),
    Retired { replaced: Millis, until: Millis },
    Token(&'a Death),
    Kill(&'a Death),
}

impl End<'_> {
    fn at(&self) -> Millis {
        match self {
            End::Expired(at) | End::Retired { until: at, .. } => *at,
            End::Token(d) | End::Kill(d) => d.at,
        }
    }

    fn death(self) -> Death {
        let why = match self {
            End::Expired(at) => format!("expired at {}", human(at)),
            End::Retired { replaced, until } => format!(
                "was replaced by a newer access_token at {} and retired {} s later, at {}",
                human(replaced),
                (until - replaced) / 1000,
                human(until)
            ),
            End::Token(d) => format!("its access_token {}", d.why),
            End::Kill(d) => d.why.clone(),
        };
        Death { at: self.at(), why }
    }
}

/// The earliest of the ends that have happened by `now`; on a tie, the first listed.
fn first<'a>(ends: impl IntoIterator<Item = Option<End<'a>>>, now: Millis) -> Option<Death> {
    ends.into_iter().flatten().filter(|e| e.at() <= now).min_by_key(End::at).map(End::death)
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) value: String,
    /// Unique in the store; tickets refer to their token by it (cheaper than the 90 characters).
    pub(crate) serial: u64,
    pub(crate) issued_at: Millis,
    expires_at: Millis,
    /// (replaced at, retired at) once a newer token was issued.
    retired: Option<(Millis, Millis)>,
    revoked: Option<Death>,
}

impl Token {
    pub(crate) fn new(value: String, serial: u64, now: Millis, seconds: i64) -> Self {
        Token { value, serial, issued_at: now, expires_at: now + seconds * 1000, retired: None, revoked: None }
    }

    /// When it stops working if nothing kills it first (its expiry, or its retirement), and
    /// whether a newer token replaced it.
    pub(crate) fn ends_at(&self) -> (Millis, bool) {
        self.retired.map_or((self.expires_at, false), |(_, until)| (until.min(self.expires_at), true))
    }

    /// A newer token was issued at `replaced_at`: this one lives until `until` at most.
    pub(crate) fn retire(&mut self, replaced_at: Millis, until: Millis) {
        if self.retired.is_none() {
            self.retired = Some((replaced_at, until));
        }
    }

    pub(crate) fn revoke(&mut self, at: Millis, why: String) {
        self.revoked.get_or_insert(Death { at, why });
    }

    /// How this token died, if it is dead at `now`.
    pub(crate) fn death(&self, now: Millis, expiry: Expiry) -> Option<Death> {
        let documented = expiry == Expiry::Documented;
        let expired = documented.then_some(End::Expired(self.expires_at));
        let retired = self.retired.filter(|_| documented).map(|(replaced, until)| End::Retired { replaced, until });
        first([expired, retired, self.revoked.as_ref().map(End::Kill)], now)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) value: String,
    pub(crate) kind: Kind,
    /// The access token that obtained it: the ticket dies with it (doc).
    pub(crate) token: u64,
    pub(crate) user_id: Option<String>,
    pub(crate) issued_at: Millis,
    expires_at: Millis,
    /// Used (NONCE), revoked, or evicted.
    killed: Option<Death>,
}

impl Ticket {
    pub(crate) fn new(
        value: String,
        kind: Kind,
        token: u64,
        user_id: Option<String>,
        now: Millis,
        seconds: i64,
    ) -> Self {
        Ticket { value, kind, token, user_id, issued_at: now, expires_at: now + seconds * 1000, killed: None }
    }

    /// When it expires if nothing kills it first.
    pub(crate) fn expires_at(&self) -> Millis {
        self.expires_at
    }

    pub(crate) fn kill(&mut self, at: Millis, why: String) {
        self.killed.get_or_insert(Death { at, why });
    }

    /// How this ticket died, if it is dead at `now`: its own expiry, its token's death, or a kill.
    pub(crate) fn death(&self, tokens: &VecDeque<Token>, now: Millis, expiry: Expiry) -> Option<Death> {
        let expired = (expiry == Expiry::Documented).then_some(End::Expired(self.expires_at));
        let token_death = tokens.iter().find(|t| t.serial == self.token).and_then(|t| t.death(now, expiry));
        // On a tie the explicit kill names the cause best (a secret change revokes both at once).
        first([self.killed.as_ref().map(End::Kill), expired, token_death.as_ref().map(End::Token)], now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_768_442_400_000; // 2026-01-15 10:00:00 +08:00

    #[test]
    fn a_token_dies_at_its_expiry_or_60_s_after_being_replaced_whichever_comes_first() {
        let mut t = Token::new("t".into(), 1, T0, 7200);
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
        let mut tokens = VecDeque::from([Token::new("t".into(), 1, T0, 7200)]);
        let k = Ticket::new("k".into(), Kind::Sign, 1, None, T0, 3600);
        tokens[0].retire(T0, T0 + 60_000);
        let d = k.death(&tokens, T0 + 60_000, Expiry::Documented).unwrap();
        assert!(d.why.starts_with("its access_token was replaced"), "{}", d.why);
        assert_eq!(k.death(&tokens, T0 + 59_000, Expiry::Documented), None);
    }
}
