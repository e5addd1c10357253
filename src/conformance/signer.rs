//! The suite's own signer, written apart from `protocol::sign` on purpose: a bug shared by the
//! mock's verifier and the suite's signer would pass every case, so this one is checked against
//! the doc's known-answer vectors (docs/protocol.md §3, TV-1…TV-5) before any case runs.

use sha1::{Digest, Sha1};

/// (id, values, ticket, expected sign) of docs/protocol.md §3.
const VECTORS: &[(&str, &[&str], &str, &str)] = &[
    (
        "TV-1",
        &["appId001", "aabc1457895464", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"],
        "FxlAe3HFtEy73Um0pJNzIUriwtfnS3KRcPXiesd5ulS4XRAIcT0FbfaP52dwZf5S",
        "993D057C652D97FD90D5D298F2E5DC4B8D893CBC",
    ),
    (
        "TV-2",
        &["IDAXXXXX", "orderNo596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"],
        "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
        "6CD5F0DBCFA1155E2A66754B33C2E67DD358393B",
    ),
    (
        "TV-3",
        &["IDAXXXXX", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"],
        "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
        "D7606F1741DDCF90757DA924EDCF152A200AC7F0",
    ),
    (
        "TV-4",
        &["TIDA0001", "userID19959248596551", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", "1.0.0"],
        "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
        "4AE72E6FBC2E9E1282922B013D1B4C2CBD38C4BD",
    ),
    (
        "TV-5",
        &["appId001", "test1480921551481"],
        "duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe",
        "B02CEBEB07F792B2F085E8CB1E7BA9EC19284F54",
    ),
];

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// SHA-1 of the non-empty values and the ticket, sorted by their bytes and joined, in upper-case hex.
pub fn sign(values: &[&str], ticket: &str) -> String {
    let mut parts: Vec<&[u8]> =
        values.iter().chain([&ticket]).map(|v| v.as_bytes()).filter(|v| !v.is_empty()).collect();
    parts.sort();
    let mut hasher = Sha1::new();
    for p in parts {
        hasher.update(p);
    }
    hasher
        .finalize()
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char])
        .collect()
}

/// Checks the signer against TV-1…TV-5.
///
/// # Errors
/// The first vector that does not match, with what was computed.
pub fn self_check() -> Result<(), String> {
    check_with(sign)
}

fn check_with(signer: fn(&[&str], &str) -> String) -> Result<(), String> {
    for (id, values, ticket, expected) in VECTORS {
        let got = signer(values, ticket);
        if got != *expected {
            return Err(format!(
                "the suite's signer fails the doc's known-answer vector {id} (docs/protocol.md §3): expected {expected}, got {got}; no case was run"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signer_passes_the_five_doc_vectors() {
        assert_eq!(self_check(), Ok(()));
    }

    #[test]
    fn a_broken_signer_is_caught_by_the_vectors() {
        fn lower(values: &[&str], ticket: &str) -> String {
            sign(values, ticket).to_lowercase()
        }
        let err = check_with(lower).unwrap_err();
        assert!(err.starts_with("the suite's signer fails the doc's known-answer vector TV-1"), "{err}");
    }
}
