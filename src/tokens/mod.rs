//! The token flow's state (docs/protocol.md §4): each app's current secret, the access tokens and the
//! SIGN/NONCE tickets issued for it, and a bounded record of dead tickets so a refused sign can be
//! told "you signed with a ticket that died at …, because …". Every expiry is read against the
//! mock's clock, so moving the clock is all a test does to see a ticket die.
//!
//! Imports: `clock`, `config`, `protocol`, `redact`; never `State`.

mod life;

use crate::clock::Millis;
use crate::config::{Config, Expiry};
use crate::protocol::sign::{Candidate, TicketState};
use crate::redact::mask;
use crate::seed::mix;
use life::{Death, Ticket, Token};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

pub(crate) use life::Kind;

/// Access tokens live 7200 s (doc).
pub(crate) const TOKEN_SECONDS: i64 = 7200;
/// SIGN tickets live 3600 s (doc).
pub(crate) const SIGN_SECONDS: i64 = 3600;
/// NONCE tickets live 120 s (doc).
pub(crate) const NONCE_SECONDS: i64 = 120;
/// A replaced token stays valid this long (doc: "旧的只有一分钟的并存期").
pub(crate) const OVERLAP_SECONDS: i64 = 60;

/// How much the store keeps; nothing grows with traffic past these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caps {
    pub(crate) tokens_per_app: usize,
    pub(crate) tickets_per_app: usize,
    /// Dead tickets remembered (all apps together), for diagnosis.
    pub(crate) dead: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Caps { tokens_per_app: 64, tickets_per_app: 1024, dead: 4096 }
    }
}

/// A token or ticket just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issued {
    pub(crate) value: String,
    pub(crate) seconds: i64,
}

/// Why a ticket could not be issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// The access token is unknown to this app, or dead; the text says which.
    Token(String),
    UnknownApp,
}

/// A ticket that died, kept (boundedly) so a sign made with it can be named.
#[derive(Debug, Clone)]
struct DeadTicket {
    app: String,
    kind: Kind,
    user_id: Option<String>,
    value: String,
    death: Death,
}

#[derive(Debug, Default)]
struct AppFlow {
    /// The secret the app was configured or made with, which a reset gives back.
    initial: String,
    secret: String,
    tokens: VecDeque<Token>,
    tickets: VecDeque<Ticket>,
}

#[derive(Debug, Default)]
struct Inner {
    apps: HashMap<String, AppFlow>,
    dead: VecDeque<DeadTicket>,
    counter: u64,
}

/// A token that can still obtain tickets, for `GET /__admin/tokens`.
#[derive(Debug, Clone)]
pub(crate) struct UsableToken {
    pub(crate) value: String,
    pub(crate) issued_at: Millis,
    /// Its expiry or, once replaced, its retirement; `None` under `--tickets-never-expire`.
    pub(crate) ends_at: Option<Millis>,
    /// Replaced by a newer token, inside its 60 s overlap.
    pub(crate) retiring: bool,
    pub(crate) tickets: Vec<UsableTicket>,
}

/// A ticket that can still sign.
#[derive(Debug, Clone)]
pub(crate) struct UsableTicket {
    pub(crate) value: String,
    pub(crate) kind: Kind,
    pub(crate) user_id: Option<String>,
    pub(crate) issued_at: Millis,
    pub(crate) ends_at: Option<Millis>,
}

/// The store; one per server, behind the server's `State` handle.
#[derive(Debug)]
pub(crate) struct TokenStore {
    seed: u64,
    expiry: Expiry,
    caps: Caps,
    inner: Mutex<Inner>,
}

impl TokenStore {
    pub(crate) fn new(config: &Config, caps: Caps) -> Self {
        let store = TokenStore { seed: config.seed, expiry: config.expiry, caps, inner: Mutex::new(Inner::default()) };
        for app in &config.apps {
            store.add_app(&app.id, &app.secret);
        }
        store
    }

    /// Forgets every token and ticket, and gives each app the secret it was configured or made with.
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        let apps = std::mem::take(&mut inner.apps);
        *inner = Inner::default();
        inner.apps = apps.into_iter().map(|(id, f)| (id, flow(f.initial))).collect();
    }

    /// Starts the token flow of an app made at run time (an id already held keeps its flow).
    pub(crate) fn add_app(&self, app: &str, secret: &str) {
        self.lock().apps.entry(app.to_string()).or_insert_with(|| flow(secret.to_string()));
    }

    /// Forgets `app`'s tokens and tickets, the dead ones too, and gives its first secret back;
    /// with `remove`, the app itself. Returns the (tokens, tickets) it held.
    pub(crate) fn clear_app(&self, app: &str, remove: bool) -> (usize, usize) {
        let mut inner = self.lock();
        inner.dead.retain(|d| d.app != app);
        let Some(f) = inner.apps.get_mut(app) else { return (0, 0) };
        let held = (f.tokens.len(), f.tickets.len());
        *f = flow(std::mem::take(&mut f.initial));
        if remove {
            inner.apps.remove(app);
        }
        held
    }

    /// The (tokens, tickets) `app` holds.
    pub(crate) fn held_by(&self, app: &str) -> (usize, usize) {
        self.lock().apps.get(app).map_or((0, 0), |f| (f.tokens.len(), f.tickets.len()))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `secret` is `app`'s current secret; `None` for an unknown app.
    pub(crate) fn secret_matches(&self, app: &str, secret: &str) -> Option<bool> {
        self.lock().apps.get(app).map(|a| a.secret == secret)
    }

    /// Issues a new access token; the app's previous live tokens retire 60 s from `now`.
    pub(crate) fn issue_token(&self, app: &str, now: Millis) -> Option<Issued> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.counter += 1;
        let value = token_value(self.seed, inner.counter);
        let flow = inner.apps.get_mut(app)?;
        for t in flow.tokens.iter_mut().filter(|t| t.death(now, self.expiry).is_none()) {
            t.retire(now, now + OVERLAP_SECONDS * 1000);
        }
        flow.tokens.push_back(Token::new(value.clone(), inner.counter, now, TOKEN_SECONDS));
        while flow.tokens.len() > self.caps.tokens_per_app {
            let old = flow.tokens.pop_front().expect("over the cap, so not empty");
            let why = format!(
                "its access_token was evicted at {} (more than {} tokens held)",
                life::human(now),
                self.caps.tokens_per_app
            );
            flow.tickets.iter_mut().filter(|k| k.token == old.serial).for_each(|k| k.kill(now, why.clone()));
        }
        Some(Issued { value, seconds: TOKEN_SECONDS })
    }

    /// Issues a ticket of `kind` with `token`, which must be a live token of `app`.
    ///
    /// # Errors
    /// [`TokenProblem::Token`] when the token is unknown to the app or dead (the text says why),
    /// [`TokenProblem::UnknownApp`] for an app the store does not know.
    pub(crate) fn issue_ticket(
        &self,
        app: &str,
        token: &str,
        kind: Kind,
        user_id: Option<&str>,
        now: Millis,
    ) -> Result<Issued, TokenProblem> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let flow = inner.apps.get(app).ok_or(TokenProblem::UnknownApp)?;
        let Some(t) = flow.tokens.iter().find(|t| t.value == token) else {
            return Err(TokenProblem::Token(unknown_token(inner, app, token)));
        };
        if let Some(death) = t.death(now, self.expiry) {
            return Err(TokenProblem::Token(format!("access_token {} is dead: {}", mask(token), death.why)));
        }
        let serial = t.serial;
        inner.counter += 1;
        let value = ticket_value(self.seed, inner.counter);
        let seconds = kind.seconds();
        let ticket = Ticket::new(value.clone(), kind, serial, user_id.map(str::to_string), now, seconds);
        let flow = inner.apps.get_mut(app).ok_or(TokenProblem::UnknownApp)?;
        flow.tickets.push_back(ticket);
        if flow.tickets.len() > self.caps.tickets_per_app {
            self.make_room(inner, app, now);
        }
        Ok(Issued { value, seconds })
    }

    /// Brings `app` back under the ticket cap: the dead go to the dead record first (a sweep costs
    /// a pass over the tickets, so it runs only at the cap), then the oldest live ones are evicted.
    fn make_room(&self, inner: &mut Inner, app: &str, now: Millis) {
        sweep(inner, app, now, self.expiry, self.caps.dead);
        let Some(flow) = inner.apps.get_mut(app) else { return };
        let why = format!(
            "evicted at {} (more than {} tickets held by the app)",
            life::human(now),
            self.caps.tickets_per_app
        );
        while flow.tickets.len() > self.caps.tickets_per_app {
            let mut old = flow.tickets.pop_front().expect("over the cap, so not empty");
            old.kill(now, why.clone());
            let death = old.death(&flow.tokens, now, self.expiry).expect("just killed");
            bury(&mut inner.dead, self.caps.dead, app, old, death);
        }
    }

    /// Every issued ticket of `kind` that `app` has or had (for NONCE, only those bound to
    /// `user_id`), live or dead with the reason, newest first (partners sign with their newest
    /// ticket, so the check usually stops at the first one).
    pub(crate) fn candidates(
        &self,
        app: &str,
        kind: Kind,
        user_id: Option<&str>,
        now: Millis,
    ) -> Vec<Candidate<'static>> {
        let inner = self.lock();
        let fits = |k: Kind, u: &Option<String>| k == kind && (user_id.is_none() || u.as_deref() == user_id);
        let dead = inner
            .dead
            .iter()
            .rev()
            .filter(|d| d.app == app && fits(d.kind, &d.user_id))
            .map(|d| Candidate { value: d.value.clone().into(), state: TicketState::Dead(d.death.why.clone()) });
        let held = inner.apps.get(app).into_iter().flat_map(|flow| {
            flow.tickets.iter().rev().filter(|t| fits(t.kind, &t.user_id)).map(|t| Candidate {
                value: t.value.clone().into(),
                state: match t.death(&flow.tokens, now, self.expiry) {
                    Some(d) => TicketState::Dead(d.why),
                    None => TicketState::Live,
                },
            })
        });
        held.chain(dead).collect()
    }

    /// Marks a NONCE ticket used, so a second use is refused.
    ///
    /// # Errors
    /// Why the ticket cannot be used (already used, or otherwise dead, or unknown).
    pub(crate) fn consume(&self, app: &str, value: &str, now: Millis) -> Result<(), String> {
        let mut inner = self.lock();
        let flow = inner.apps.get_mut(app).ok_or_else(|| format!("unknown app {app:?}"))?;
        let tokens = &flow.tokens;
        let ticket = flow.tickets.iter_mut().find(|t| t.value == value).ok_or("the ticket is no longer held")?;
        if let Some(d) = ticket.death(tokens, now, self.expiry) {
            return Err(d.why);
        }
        ticket.kill(now, format!("used at {} (a NONCE ticket is single use)", life::human(now)));
        Ok(())
    }

    /// Changes `app`'s secret; its tokens and tickets die now. Returns (tokens, tickets) revoked,
    /// or `None` for an unknown app.
    pub(crate) fn change_secret(&self, app: &str, secret: &str, now: Millis) -> Option<(usize, usize)> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let flow = inner.apps.get_mut(app)?;
        flow.secret = secret.to_string();
        let why = format!("revoked when the app's secret changed at {}", life::human(now));
        let live_tokens = flow.tokens.iter().filter(|t| t.death(now, self.expiry).is_none()).count();
        let live_tickets = flow.tickets.iter().filter(|t| t.death(&flow.tokens, now, self.expiry).is_none()).count();
        flow.tokens.iter_mut().for_each(|t| t.revoke(now, format!("was {why}")));
        flow.tickets.iter_mut().for_each(|t| t.kill(now, why.clone()));
        sweep(inner, app, now, self.expiry, self.caps.dead);
        Some((live_tokens, live_tickets))
    }

    /// `app`'s tokens usable at `now`, newest first, each with its usable tickets, newest first
    /// (for `GET /__admin/tokens`); `None` for an unknown app. Ends are `None` without expiry.
    pub(crate) fn usable(&self, app: &str, now: Millis) -> Option<Vec<UsableToken>> {
        let inner = self.lock();
        let flow = inner.apps.get(app)?;
        let ends = |at: Millis| (self.expiry == Expiry::Documented).then_some(at);
        let live = flow.tokens.iter().rev().filter(|t| t.death(now, self.expiry).is_none());
        let tokens = live.map(|t| UsableToken {
            value: t.value.clone(),
            issued_at: t.issued_at,
            ends_at: ends(t.ends_at().0),
            retiring: t.ends_at().1 && self.expiry == Expiry::Documented,
            tickets: (flow.tickets.iter().rev())
                .filter(|k| k.token == t.serial && k.death(&flow.tokens, now, self.expiry).is_none())
                .map(|k| UsableTicket {
                    value: k.value.clone(),
                    kind: k.kind,
                    user_id: k.user_id.clone(),
                    issued_at: k.issued_at,
                    ends_at: ends(k.expires_at()),
                })
                .collect(),
        });
        Some(tokens.collect())
    }

    /// How many tokens and tickets are held, all apps together (for the unit tests).
    #[cfg(test)]
    pub(crate) fn held(&self) -> (usize, usize, usize) {
        let inner = self.lock();
        let tokens = inner.apps.values().map(|a| a.tokens.len()).sum();
        let tickets = inner.apps.values().map(|a| a.tickets.len()).sum();
        (tokens, tickets, inner.dead.len())
    }
}

fn flow(secret: String) -> AppFlow {
    AppFlow { initial: secret.clone(), secret, ..AppFlow::default() }
}

/// Moves `app`'s dead tickets into the bounded dead record.
fn sweep(inner: &mut Inner, app: &str, now: Millis, expiry: Expiry, cap: usize) {
    let Some(flow) = inner.apps.get_mut(app) else { return };
    let (mut keep, mut gone) = (VecDeque::new(), Vec::new());
    for t in flow.tickets.drain(..) {
        match t.death(&flow.tokens, now, expiry) {
            Some(d) => gone.push((t, d)),
            None => keep.push_back(t),
        }
    }
    flow.tickets = keep;
    for (t, d) in gone {
        bury(&mut inner.dead, cap, app, t, d);
    }
}

fn bury(dead: &mut VecDeque<DeadTicket>, cap: usize, app: &str, t: Ticket, death: Death) {
    dead.push_back(DeadTicket { app: app.to_string(), kind: t.kind, user_id: t.user_id, value: t.value, death });
    while dead.len() > cap {
        dead.pop_front();
    }
}

fn unknown_token(inner: &Inner, app: &str, token: &str) -> String {
    match inner.apps.iter().find(|(_, f)| f.tokens.iter().any(|t| t.value == token)) {
        Some((owner, _)) => format!("access_token {} was issued to app {owner}, not {app}", mask(token)),
        None => format!(
            "access_token {} is unknown: never issued by this mock, issued before a restart or reset, or evicted",
            mask(token)
        ),
    }
}

const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `n` symbols of `alphabet`, derived from the seed, a domain and a counter (no collisions in
/// practice; the same seed gives the same values in the same order).
fn derive(seed: u64, domain: u64, counter: u64, n: usize, alphabet: &[u8]) -> String {
    let base = mix(seed ^ mix(domain ^ mix(counter)));
    (0..n as u64)
        .map(|i| alphabet[(mix(base ^ i.wrapping_mul(0x2545_F491)) % alphabet.len() as u64) as usize] as char)
        .collect()
}

/// 90 URL-safe characters, the length of the one real sample.
fn token_value(seed: u64, counter: u64) -> String {
    derive(seed, 0x7043_4b45_4e00, counter, 90, URL_SAFE)
}

/// 64 letters and digits, as in the real sample.
fn ticket_value(seed: u64, counter: u64) -> String {
    derive(seed, 0x7449_434b_4554, counter, 64, &URL_SAFE[..62])
}

#[cfg(test)]
mod tests;
