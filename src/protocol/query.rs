//! Query strings, parsed leniently as partners send them: split on `&` and `=`, any order, extra
//! parameters kept, percent-decoded when that gives UTF-8 and kept raw otherwise (clients paste
//! values into URLs unencoded). One parser for every endpoint; only the meaning of `+` differs.

/// What a `+` in a query means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plus {
    /// Form encoding's space (the getOcrResult query and the admin filters).
    Space,
    /// A literal `+` (the token flow: tokens never contain one, and a secret sent unencoded may).
    Literal,
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query's pairs, in order; a parameter without `=` has the empty value.
pub fn parse(query: &str, plus: Plus) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k, plus), decode(v, plus))
        })
        .collect()
}

/// Percent-decodes `s`; invalid escapes stay as they are, and undecodable UTF-8 gives `s` raw.
pub fn decode(s: &str, plus: Plus) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) if plus == Plus::Space => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_percent_decoded_and_plus_means_what_the_endpoint_says() {
        let q = "a=1%2B1&b=x+y&c&bad=%zz%E4&cn=%E8%AF%B7";
        let space = parse(q, Plus::Space);
        assert_eq!(space[0], ("a".into(), "1+1".into()));
        assert_eq!(space[1], ("b".into(), "x y".into()));
        assert_eq!(space[2], ("c".into(), String::new()));
        assert_eq!(space[3], ("bad".into(), "%zz%E4".into()), "undecodable values stay raw");
        assert_eq!(space[4], ("cn".into(), "请".into()));
        assert_eq!(parse(q, Plus::Literal)[1], ("b".into(), "x+y".into()));
        assert!(parse("", Plus::Space).is_empty());
    }
}
