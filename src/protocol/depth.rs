//! The JSON nesting cap of every vendor body, which holds for fields the parser skips as well as
//! for the ones it reads. Pure byte scanning.

/// The deepest JSON nesting accepted: serde_json's own limit for the fields it reads; Jackson's
/// default is 1000, but no request the service takes is deeper than 2.
pub const MAX_JSON_DEPTH: usize = 128;

/// The first nesting depth past `max` that `body` reaches, if any. A linear scan, so a body that
/// skips its deep part through an unknown field is refused too (serde_json skips iteratively).
pub fn json_too_deep(body: &[u8], max: usize) -> Option<usize> {
    json_too_deep_except(body, max, None)
}

/// [`json_too_deep`], told where one string's contents are (`known`: from after its opening quote
/// to its closing quote), so it jumps over them without searching: the image of a parsed body,
/// 3 MB that serde_json has just scanned.
pub fn json_too_deep_except(body: &[u8], max: usize, known: Option<std::ops::Range<usize>>) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' if known.as_ref().is_some_and(|k| k.start == i + 1 && body.get(k.end) == Some(&b'"')) => {
                i = known.as_ref().map_or(i, |k| k.end);
            }
            // Jump over a string with a SIMD search for its end: a 3 MB image is one string, and
            // a byte-by-byte walk over it cost as much as parsing the body.
            b'"' => i = string_end(body, i + 1),
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(depth);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote that closes the string starting at `from` (or the end of `body`).
fn string_end(body: &[u8], mut from: usize) -> usize {
    while let Some(k) = memchr::memchr2(b'"', b'\\', &body[from.min(body.len())..]) {
        let at = from + k;
        if body[at] == b'"' {
            return at;
        }
        from = at + 2; // a backslash escapes the next byte
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nesting_guard_jumps_over_a_known_string_and_still_sees_the_rest() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let body = format!(r#"{{"idcardStr":"{}","x":{deep}}}"#, "[{".repeat(300));
        let start = body.find("[{").unwrap();
        let known = start..start + 600;
        assert_eq!(&body[known.end..known.end + 1], "\"");
        for k in [None, Some(known.clone())] {
            assert_eq!(json_too_deep_except(body.as_bytes(), 128, k), Some(129));
        }
        let shallow = format!(r#"{{"idcardStr":"{}","x":[[1]]}}"#, "[{".repeat(300));
        for k in [None, Some(known.clone())] {
            assert_eq!(json_too_deep_except(shallow.as_bytes(), 128, k.clone()), None, "{k:?}");
        }
        // A span that is not a string's contents is ignored, not trusted.
        assert_eq!(json_too_deep_except(shallow.as_bytes(), 128, Some(3..9)), None);
        assert_eq!(json_too_deep_except(body.as_bytes(), 128, Some(known.start + 2..known.end)), Some(129));
    }

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert_eq!(json_too_deep(br#"{"a":[[1]]}"#, 3), None);
        assert_eq!(json_too_deep(br#"{"a":[[[1]]]}"#, 3), Some(4));
        assert_eq!(json_too_deep(br#"{"a":"[[[[[\"[[[["}"#, 1), None);
        assert_eq!(json_too_deep(&[b'['; 200], MAX_JSON_DEPTH), Some(129));
        // An escaped backslash ends right before the closing quote; what follows is counted.
        assert_eq!(json_too_deep(br#"{"a":"x\\","b":[[1]]}"#, 2), Some(3));
        assert_eq!(json_too_deep(br#"{"a":"\"[[[["}"#, 1), None);
        assert_eq!(json_too_deep(br#"{"a":"unterminated [[[["#, 1), None);
    }
}
