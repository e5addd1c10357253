//! The signature rule of docs/protocol.md §3, and the diagnosis of a sign that does not match.
//!
//! Rule: the values of the signed parameters plus the ticket, absent ones dropped, sorted as
//! strings in byte order, concatenated, SHA-1 over the UTF-8 bytes, 40 upper-case hex digits.

use crate::redact::mask;
use sha1::{Digest, Sha1};
use std::borrow::Cow;

/// Whether a lower-case sign is accepted (the docs say "不区分大小写").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignCase {
    #[default]
    Insensitive,
    /// `--strict-sign-case`: only upper case is accepted.
    UpperOnly,
}

/// The string that is hashed: sorted values (ticket included), joined with no separator.
pub fn signed_string(values: &[&str], ticket: &str) -> String {
    let mut parts: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    if !ticket.is_empty() {
        parts.push(ticket);
    }
    parts.sort_unstable();
    parts.concat()
}

/// The sign of `values` with `ticket`: 40 upper-case hex digits.
pub fn sign(values: &[&str], ticket: &str) -> String {
    sha1_upper_hex(signed_string(values, ticket).as_bytes())
}

/// SHA-1 of `bytes` as 40 upper-case hex digits.
pub fn sha1_upper_hex(bytes: &[u8]) -> String {
    // hex::encode_upper collects char by char; this runs on every signed call.
    let mut out = [0u8; 40];
    hex::encode_to_slice(Sha1::digest(bytes), &mut out).expect("40 hex digits for 20 bytes");
    out.make_ascii_uppercase();
    String::from_utf8(out.to_vec()).expect("hex digits are ASCII")
}

/// `true` when `s` is exactly 40 hex digits, either case.
pub fn is_well_formed(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One named value that goes into (or might wrongly go into) a sign.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

/// The signed fields of each endpoint (docs/protocol.md §3), with the names the request gave them:
/// what a sign refusal's diagnosis shows, and what a later endpoint adds a row to.
pub mod signed {
    use super::Field;

    /// `idcardocrapp` (SIGN ticket): the app id under the name the body used (`webankAppId` or
    /// `appId`), `orderNo`, `nonce`, `version`.
    pub fn ocr<'a>(
        app_name: &'a str,
        app: &'a str,
        order_no: &'a str,
        nonce: &'a str,
        version: &'a str,
    ) -> [Field<'a>; 4] {
        [
            Field { name: app_name, value: app },
            Field { name: "orderNo", value: order_no },
            Field { name: "nonce", value: nonce },
            Field { name: "version", value: version },
        ]
    }

    /// `idcardocrapp`'s fields that are sent but not signed: checked so that a sign computed over
    /// them is diagnosed as such.
    pub fn ocr_unsigned<'a>(user_id: &'a str, card_type: &'a str) -> [Field<'a>; 2] {
        [Field { name: "userId", value: user_id }, Field { name: "cardType", value: card_type }]
    }

    /// `getOcrResult` (SIGN ticket): the app id under the name the query used, `order_no`,
    /// `nonce`, `version`.
    pub fn ocr_result<'a>(
        app_name: &'a str,
        app: &'a str,
        order_no: &'a str,
        nonce: &'a str,
        version: &'a str,
    ) -> [Field<'a>; 4] {
        [
            Field { name: app_name, value: app },
            Field { name: "order_no", value: order_no },
            Field { name: "nonce", value: nonce },
            Field { name: "version", value: version },
        ]
    }

    /// The SDK login sign (NONCE ticket): `appId`, `userId`, `nonce`, `version`.
    pub fn nonce_login<'a>(app: &'a str, user: &'a str, nonce: &'a str, version: &'a str) -> [Field<'a>; 4] {
        [
            Field { name: "appId", value: app },
            Field { name: "userId", value: user },
            Field { name: "nonce", value: nonce },
            Field { name: "version", value: version },
        ]
    }
}

/// Whether a ticket could still sign a request, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketState {
    Live,
    /// Expired, revoked with its token, or used up; the text says which and when.
    Dead(String),
}

/// A ticket the app has (or had), for verification and diagnosis: borrowed from the config (static
/// tickets) or copied out of the token store (issued ones, which live under a lock).
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub value: Cow<'a, str>,
    pub state: TicketState,
}

/// What a sign check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The sign matches the live ticket at this index of the candidates.
    Valid {
        ticket: usize,
    },
    Refused(Diagnosis),
}

/// Why a sign was refused, in words a partner can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    NotHex,
    LowerCase,
    NoLiveTicket,
    DeadTicket { ticket: String, why: String },
    MissingValue { field: String, ticket: String },
    UnsignedValue { field: String, ticket: String },
    Unsorted { ticket: String },
    TicketLeftOut,
    NoMatch,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::NotHex => write!(f, "the sign is not 40 hex digits"),
            Cause::LowerCase => write!(f, "the sign is lower case and --strict-sign-case requires upper case"),
            Cause::NoLiveTicket => write!(
                f,
                "the app has no live SIGN ticket: fetch one from /api/oauth2/api_ticket or configure a static one"
            ),
            Cause::DeadTicket { ticket, why } => {
                write!(f, "signed with ticket {ticket}, which is dead: {why}; fetch a fresh ticket from /api/oauth2/api_ticket")
            }
            Cause::MissingValue { field, ticket } => {
                write!(f, "wrong value set: {field} is signed but was left out (ticket {ticket})")
            }
            Cause::UnsignedValue { field, ticket } => {
                write!(f, "wrong value set: {field} is not signed but was included (ticket {ticket})")
            }
            Cause::Unsorted { ticket } => {
                write!(f, "the values were not sorted in byte order before joining (ticket {ticket})")
            }
            Cause::TicketLeftOut => write!(f, "the ticket was left out of the signed values"),
            Cause::NoMatch => write!(
                f,
                "no live SIGN ticket of the app gives this sign: wrong ticket, or a value differs from the one sent"
            ),
        }
    }
}

/// The explanation that goes into the `X-Idocr-Mock-Reason` header, the log and the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub cause: Cause,
    /// The sorted values the mock hashed, tickets masked.
    pub sorted: Vec<String>,
    pub received: String,
}

impl std::fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.render(f, &self.cause)
    }
}

impl Diagnosis {
    /// The explanation of a refused SDK-login sign, which is made with one of the user's NONCE
    /// tickets (`POST /__admin/verify-nonce-sign`), not with the app's SIGN tickets.
    pub fn for_nonce(&self) -> String {
        struct Nonce<'a>(&'a Diagnosis);
        impl std::fmt::Display for Nonce<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let cause = match &self.0.cause {
                    Cause::NoLiveTicket => "the user has no live NONCE ticket: fetch one from /api/oauth2/api_ticket?type=NONCE&user_id=… (each is used once)".to_string(),
                    Cause::NoMatch => "no live NONCE ticket of this user gives this sign: wrong ticket, or a value differs from the one sent".to_string(),
                    other => other.to_string(),
                };
                self.0.render(f, &cause)
            }
        }
        Nonce(self).to_string()
    }

    fn render(&self, f: &mut std::fmt::Formatter<'_>, cause: &dyn std::fmt::Display) -> std::fmt::Result {
        write!(
            f,
            "sign refused: {cause}; expected SHA1(upper hex) of the concatenation of sorted [{}]; received {:?}",
            self.sorted.join(", "),
            self.received
        )
    }
}

/// Checks `received` against every candidate ticket and, when it matches none, works out why.
///
/// `signed` are the values the rule signs; `unsigned` are values the request carried that must
/// not be signed (used only to recognise a common mistake).
pub fn verify(
    signed: &[Field<'_>],
    unsigned: &[Field<'_>],
    received: &str,
    candidates: &[Candidate<'_>],
    case: SignCase,
) -> Verdict {
    let values: Vec<&str> = signed.iter().map(|f| f.value).collect();
    let refuse = |cause| Verdict::Refused(diagnosis(cause, &values, candidates, received));
    if !is_well_formed(received) {
        return refuse(Cause::NotHex);
    }
    for (i, c) in candidates.iter().enumerate() {
        if c.state == TicketState::Live && sign(&values, &c.value).eq_ignore_ascii_case(received) {
            let upper = received.bytes().all(|b| !b.is_ascii_lowercase());
            return if case == SignCase::UpperOnly && !upper {
                refuse(Cause::LowerCase)
            } else {
                Verdict::Valid { ticket: i }
            };
        }
    }
    refuse(classify(signed, unsigned, received, candidates))
}

/// How many candidates the value-set, order and ticket mistakes are tried with.
const DIAGNOSED: usize = 16;

fn classify(signed: &[Field<'_>], unsigned: &[Field<'_>], received: &str, candidates: &[Candidate<'_>]) -> Cause {
    let values: Vec<&str> = signed.iter().map(|f| f.value).collect();
    let hit = |vals: &[&str], t: &str| sign(vals, t).eq_ignore_ascii_case(received);
    for c in candidates {
        if let TicketState::Dead(why) = &c.state {
            if hit(&values, &c.value) {
                return Cause::DeadTicket { ticket: mask(&c.value), why: why.clone() };
            }
        }
    }
    // A partner that fetches a ticket per call can hold a thousand; the mistakes below are looked
    // for with the first few (static tickets, then the newest issued), which is where they are.
    for c in candidates.iter().take(DIAGNOSED) {
        let ticket = mask(&c.value);
        for (skip, field) in signed.iter().enumerate() {
            let fewer: Vec<&str> = values.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, v)| *v).collect();
            if hit(&fewer, &c.value) {
                return Cause::MissingValue { field: field.name.to_string(), ticket };
            }
        }
        for extra in unsigned.iter().filter(|f| !f.value.is_empty()) {
            let mut more = values.clone();
            more.push(extra.value);
            if hit(&more, &c.value) {
                return Cause::UnsignedValue { field: extra.name.to_string(), ticket };
            }
        }
        let in_order = |ticket_first: bool| {
            let mut s = String::new();
            if ticket_first {
                s.push_str(&c.value);
            }
            values.iter().for_each(|v| s.push_str(v));
            if !ticket_first {
                s.push_str(&c.value);
            }
            sha1_upper_hex(s.as_bytes())
        };
        if in_order(false).eq_ignore_ascii_case(received) || in_order(true).eq_ignore_ascii_case(received) {
            return Cause::Unsorted { ticket };
        }
    }
    if hit(&values, "") {
        return Cause::TicketLeftOut;
    }
    if !candidates.iter().any(|c| c.state == TicketState::Live) {
        return Cause::NoLiveTicket;
    }
    Cause::NoMatch
}

fn diagnosis(cause: Cause, values: &[&str], candidates: &[Candidate<'_>], received: &str) -> Diagnosis {
    // Show the ticket the sign was made with when it is known (a dead one), else a live one.
    let dead = match &cause {
        Cause::DeadTicket { ticket, .. } => {
            candidates.iter().find(|c| c.state != TicketState::Live && mask(&c.value) == *ticket)
        }
        _ => None,
    };
    let ticket = dead
        .or_else(|| candidates.iter().find(|c| c.state == TicketState::Live))
        .or(candidates.first())
        .map(|c| &*c.value)
        .unwrap_or("");
    let mut sorted: Vec<(&str, bool)> = values.iter().filter(|v| !v.is_empty()).map(|v| (*v, false)).collect();
    if !ticket.is_empty() {
        sorted.push((ticket, true));
    }
    sorted.sort_unstable();
    let sorted = sorted
        .into_iter()
        .map(|(v, is_ticket)| if is_ticket { format!("<ticket {}>", mask(v)) } else { v.to_string() })
        .collect();
    Diagnosis { cause, sorted, received: received.chars().take(64).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_shows_at_most_a_quarter_of_the_value_and_nothing_of_a_short_one() {
        assert_eq!(mask("wrong"), "...(5)");
        assert_eq!(mask("1234567"), "...(7)");
        assert_eq!(mask("12345678"), "12...(8)");
        assert_eq!(mask("idocr-mock-sign-ticket"), "idoc...(22)");
    }

    const NONCE: &str = "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T";
    const TICKET_2: &str = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS";

    #[test]
    fn known_answer_vector_tv1_matches_the_doc() {
        let ticket = "FxlAe3HFtEy73Um0pJNzIUriwtfnS3KRcPXiesd5ulS4XRAIcT0FbfaP52dwZf5S";
        let values = ["appId001", "aabc1457895464", NONCE, "1.0.0"];
        assert_eq!(
            signed_string(&values, ticket),
            "1.0.0FxlAe3HFtEy73Um0pJNzIUriwtfnS3KRcPXiesd5ulS4XRAIcT0FbfaP52dwZf5Saabc1457895464appId001kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"
        );
        assert_eq!(sign(&values, ticket), "993D057C652D97FD90D5D298F2E5DC4B8D893CBC");
    }

    #[test]
    fn known_answer_vector_tv2_matches_the_doc() {
        let values = ["IDAXXXXX", "orderNo596551", NONCE, "1.0.0"];
        assert_eq!(sign(&values, TICKET_2), "6CD5F0DBCFA1155E2A66754B33C2E67DD358393B");
    }

    #[test]
    fn known_answer_vector_tv3_matches_the_doc() {
        let values = ["IDAXXXXX", "userID19959248596551", NONCE, "1.0.0"];
        assert_eq!(sign(&values, TICKET_2), "D7606F1741DDCF90757DA924EDCF152A200AC7F0");
    }

    #[test]
    fn known_answer_vector_tv4_matches_the_doc() {
        let values = ["TIDA0001", "userID19959248596551", NONCE, "1.0.0"];
        assert_eq!(sign(&values, TICKET_2), "4AE72E6FBC2E9E1282922B013D1B4C2CBD38C4BD");
    }

    #[test]
    fn known_answer_vector_tv5_drops_absent_values() {
        let ticket = "duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe";
        assert_eq!(
            sign(&["appId001", "test1480921551481", "", ""], ticket),
            "B02CEBEB07F792B2F085E8CB1E7BA9EC19284F54"
        );
    }

    fn fields<'a>(app: &'a str, order: &'a str) -> [Field<'a>; 4] {
        [
            Field { name: "webankAppId", value: app },
            Field { name: "orderNo", value: order },
            Field { name: "nonce", value: NONCE },
            Field { name: "version", value: "1.0.0" },
        ]
    }

    fn live(value: &str) -> Candidate<'_> {
        Candidate { value: value.into(), state: TicketState::Live }
    }

    #[test]
    fn a_sign_from_any_live_ticket_is_valid_in_either_case() {
        let f = fields("TIDAMOCK", "order1");
        let good = sign(&["TIDAMOCK", "order1", NONCE, "1.0.0"], "second-ticket");
        let cands = [live("first-ticket"), live("second-ticket")];
        assert_eq!(verify(&f, &[], &good, &cands, SignCase::Insensitive), Verdict::Valid { ticket: 1 });
        let lower = good.to_lowercase();
        assert_eq!(verify(&f, &[], &lower, &cands, SignCase::Insensitive), Verdict::Valid { ticket: 1 });
        let Verdict::Refused(d) = verify(&f, &[], &lower, &cands, SignCase::UpperOnly) else { panic!() };
        assert_eq!(d.cause, Cause::LowerCase);
    }

    fn cause_of(received: &str, unsigned: &[Field<'_>], cands: &[Candidate<'_>]) -> Cause {
        match verify(&fields("TIDAMOCK", "order1"), unsigned, received, cands, SignCase::Insensitive) {
            Verdict::Refused(d) => d.cause,
            v => panic!("expected a refusal, got {v:?}"),
        }
    }

    #[test]
    fn a_sign_from_a_dead_ticket_names_the_ticket_and_why() {
        let old = sign(&["TIDAMOCK", "order1", NONCE, "1.0.0"], "old-ticket-value");
        let cands = [
            live("new-ticket"),
            Candidate {
                value: "old-ticket-value".into(),
                state: TicketState::Dead("expired at 2026-01-01 09:00:00".into()),
            },
        ];
        assert_eq!(
            cause_of(&old, &[], &cands),
            Cause::DeadTicket { ticket: mask("old-ticket-value"), why: "expired at 2026-01-01 09:00:00".into() }
        );
    }

    #[test]
    fn a_sign_without_the_version_is_a_missing_value() {
        let s = sign(&["TIDAMOCK", "order1", NONCE], "t1");
        assert_eq!(
            cause_of(&s, &[], &[live("t1")]),
            Cause::MissingValue { field: "version".into(), ticket: mask("t1") }
        );
    }

    #[test]
    fn a_sign_including_user_id_is_an_unsigned_value() {
        let s = sign(&["TIDAMOCK", "order1", NONCE, "1.0.0", "user7"], "t1");
        let unsigned = [Field { name: "userId", value: "user7" }];
        assert_eq!(
            cause_of(&s, &unsigned, &[live("t1")]),
            Cause::UnsignedValue { field: "userId".into(), ticket: mask("t1") }
        );
    }

    #[test]
    fn a_sign_over_unsorted_values_is_recognised() {
        let s = sha1_upper_hex(format!("TIDAMOCKorder1{NONCE}1.0.0t1").as_bytes());
        assert_eq!(cause_of(&s, &[], &[live("t1")]), Cause::Unsorted { ticket: mask("t1") });
    }

    #[test]
    fn a_sign_without_the_ticket_is_recognised() {
        let s = sign(&["TIDAMOCK", "order1", NONCE, "1.0.0"], "");
        assert_eq!(cause_of(&s, &[], &[live("t1")]), Cause::TicketLeftOut);
    }

    #[test]
    fn garbage_and_unknown_tickets_are_told_apart() {
        assert_eq!(cause_of("xyz", &[], &[live("t1")]), Cause::NotHex);
        let other = sign(&["TIDAMOCK", "order1", NONCE, "1.0.0"], "someone-elses");
        assert_eq!(cause_of(&other, &[], &[live("t1")]), Cause::NoMatch);
        assert_eq!(cause_of(&other, &[], &[]), Cause::NoLiveTicket);
    }

    #[test]
    fn the_diagnosis_masks_tickets_and_lists_sorted_values() {
        let Verdict::Refused(d) =
            verify(&fields("TIDAMOCK", "order1"), &[], "00", &[live("idocr-mock-sign-ticket")], SignCase::Insensitive)
        else {
            panic!()
        };
        let text = d.to_string();
        assert!(text.contains("[1.0.0, TIDAMOCK, <ticket idoc...(22)>, kHoS"), "{text}");
        assert!(!text.contains("idocr-mock-sign-ticket"), "{text}");
    }
}
