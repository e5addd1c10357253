//! The one rule for every value the mock keeps or logs from a request (journal, log lines, the
//! `X-Idocr-Mock-Reason` header): secrets, tickets and tokens masked ([`mask`]), a value shaped
//! like an ID number masked to its region and last four ([`mask_id`]), and anything else cut to
//! [`MAX_CHARS`] characters with its full length noted ([`clip`]). Log lines also escape control
//! characters ([`escaped`]), so a value can never start a line of its own.
//!
//! Imports: `identity` only.

use crate::identity;
use std::borrow::Cow;

/// Characters of one request value kept whole; past that, [`clip`] cuts it.
pub const MAX_CHARS: usize = 256;
/// Characters of a whole free-text reason (which quotes request values) kept whole.
pub const MAX_REASON_CHARS: usize = 1024;

/// Masks a secret to its first 4 characters: `idoc...(22)` (ASCII, so it fits in a header).
pub fn mask(secret: &str) -> String {
    // At most a quarter of the value, at most 4 characters, nothing under 8: `wron...(5)` showed
    // four of a five-letter secret.
    let n = secret.chars().count();
    let shown = if n < 8 { 0 } else { (n / 4).min(4) };
    let head: String = secret.chars().take(shown).collect();
    format!("{head}...({n})")
}

/// The longest SNI name or CONNECT target kept in the journal and the log (DNS names are ≤ 253).
pub const MAX_NAME: usize = 255;

/// `text` cut to [`MAX_NAME`] bytes (at a char boundary) with control characters escaped: SNI
/// names and CONNECT targets come from the client.
pub fn bounded(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.len() >= MAX_NAME {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` when it has at most `max` characters; otherwise its first `max` characters followed by
/// `...(N bytes)`, N being the full length in bytes: `"AAAA...(10485760 bytes)"`.
pub fn clip_to(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}...({} bytes)", &s[..cut], s.len())),
    }
}

/// [`clip_to`] at [`MAX_CHARS`]: the form of one request value kept by the mock.
pub fn clip(s: &str) -> Cow<'_, str> {
    clip_to(s, MAX_CHARS)
}

/// [`clip`], as an owned string.
pub fn clipped(s: &str) -> String {
    clip(s).into_owned()
}

/// A reason as it is kept and logged: cut to [`MAX_REASON_CHARS`] characters.
pub fn reason(s: &str) -> String {
    clip_to(s, MAX_REASON_CHARS).into_owned()
}

/// A request value as a log line shows it: cut, and control characters escaped (`\n`, `\u{1b}`),
/// so that no value forges a log line or a terminal sequence.
pub fn escaped(s: &str) -> String {
    escaped_to(s, MAX_CHARS)
}

/// [`escaped`], cut at `max` characters (a reason: [`MAX_REASON_CHARS`]).
pub fn escaped_to(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    for c in clip_to(s, max).chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `true` for a parameter name whose value must never be shown.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.as_bytes();
    ["secret", "ticket", "token", "password"]
        .iter()
        .any(|s| n.windows(s.len()).any(|w| w.eq_ignore_ascii_case(s.as_bytes())))
}

/// `true` when `s` is a valid ID number (a lower-case check letter too).
pub fn looks_like_id_number(s: &str) -> bool {
    identity::is_valid_number(s) || (s.ends_with('x') && identity::is_valid_number(&s.to_ascii_uppercase()))
}

/// `110101********1234`: region and last four only (for a value [`looks_like_id_number`]).
pub fn mask_id(s: &str) -> String {
    let (head, tail) = (&s[..6], &s[s.len() - 4..]);
    format!("{head}{}{tail}", "*".repeat(s.len() - 10))
}

/// The one rule for a named request value (body field, query parameter): a secret name masks it,
/// an ID number is masked, anything else is cut to [`MAX_CHARS`].
pub fn value<'a>(name: &str, v: &'a str) -> Cow<'a, str> {
    if is_secret_name(name) {
        Cow::Owned(mask(v))
    } else if looks_like_id_number(v) {
        Cow::Owned(mask_id(v))
    } else {
        clip(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_with_its_full_length_noted() {
        let long = "A".repeat(10_000);
        let cut = clip(&long);
        assert_eq!(cut, format!("{}...(10000 bytes)", "A".repeat(MAX_CHARS)));
        assert_eq!(clip("short"), "short");
        let wide = "身".repeat(300);
        assert!(clip(&wide).starts_with(&"身".repeat(MAX_CHARS)) && clip(&wide).ends_with("...(900 bytes)"));
    }

    #[test]
    fn control_characters_are_escaped_for_the_log() {
        assert_eq!(escaped("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(escaped("plain 身份"), "plain 身份");
    }

    #[test]
    fn secret_names_are_found_in_any_case_and_anywhere_in_the_name() {
        for name in ["secret", "appSecret", "SIGN_TICKET", "accessToken", "Password", "x-tOkEn-y"] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["sign", "nonce", "orderNo", "toke", "tick", ""] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn one_rule_masks_secrets_and_id_numbers_whatever_the_name() {
        assert_eq!(value("user_id", "11010519491231002X"), "110105********002X");
        assert_eq!(value("userId", "11010519491231002x"), "110105********002x");
        assert_eq!(value("access_token", "abcdefghijkl"), "abc...(12)");
        assert_eq!(value("orderNo", "o1"), "o1");
    }
}
