//! Signed `idcardocrapp` requests with a unique `orderNo` each, signed here (one SHA-1 is ~0.2 µs,
//! negligible next to the request) and written as head + body prefix + shared image + suffix, so
//! a 3 MB image is never copied per request.

use sha1::{Digest, Sha1};
use std::fmt::Write as _;
use std::sync::Arc;

pub const APP_ID: &str = "TIDAMOCK";
pub const VERSION: &str = "1.0.0";
pub const STATIC_TICKET: &str = "idocr-mock-sign-ticket";
pub const OCR_PATH: &str = "/api/paas/idcardocrapp";

/// The upper-hex SHA-1 of the sorted concatenation of the values (docs/protocol.md §3).
pub fn sign(values: &[&str]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for v in &sorted {
        hasher.update(v.as_bytes());
    }
    let mut out = String::with_capacity(40);
    for b in hasher.finalize() {
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Builds the requests of one connection: the image is shared, the rest is rebuilt per request.
pub struct Builder {
    host: String,
    image: Arc<Vec<u8>>,
    /// Distinguishes runs and connections, so `orderNo`s stay unique across them.
    salt: u64,
    count: u64,
    head: Vec<u8>,
    prefix: Vec<u8>,
}

/// Bytes that end every body after the image.
pub const SUFFIX: &[u8] = b"\"}";

impl Builder {
    pub fn new(host: &str, image: Arc<Vec<u8>>, salt: u64) -> Builder {
        Builder { host: host.to_owned(), image, salt, count: 0, head: Vec::new(), prefix: Vec::new() }
    }

    /// Prepares the next request signed with `ticket`; [`Builder::parts`] then gives its bytes.
    pub fn next(&mut self, ticket: &str) {
        self.count += 1;
        let order_no = format!("b{:012x}{:010}", self.salt & 0xffff_ffff_ffff, self.count);
        let nonce = format!("{:016x}{:016x}", self.salt, self.count);
        let sign = sign(&[APP_ID, &order_no, &nonce, VERSION, ticket]);
        self.prefix.clear();
        let _ = write!(
            Adapter(&mut self.prefix),
            "{{\"webankAppId\":\"{APP_ID}\",\"version\":\"{VERSION}\",\"nonce\":\"{nonce}\",\"orderNo\":\"{order_no}\",\
             \"cardType\":\"0\",\"sign\":\"{sign}\",\"idcardStr\":\""
        );
        let len = self.prefix.len() + self.image.len() + SUFFIX.len();
        self.head.clear();
        let _ = write!(
            Adapter(&mut self.head),
            "POST {OCR_PATH} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n",
            self.host
        );
    }

    /// The `Host` header value (the target's address).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The current request as slices to write in order.
    pub fn parts(&self) -> [&[u8]; 4] {
        [&self.head, &self.prefix, &self.image, SUFFIX]
    }

    /// The current request for a small image as one buffer (one write, one TCP segment).
    pub fn joined(&self, out: &mut Vec<u8>) {
        out.clear();
        for p in self.parts() {
            out.extend_from_slice(p);
        }
    }
}

/// `fmt::Write` into a byte vector.
struct Adapter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Adapter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A GET request for `path_and_query`.
pub fn get(host: &str, path_and_query: &str) -> Vec<u8> {
    format!("GET {path_and_query} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_agree_with_the_mocks_sign_subcommand() {
        // `idocr-mock sign --app-id TIDAMOCK --order-no order0001 --nonce kHoS… --sign-only`
        let s = sign(&[APP_ID, "order0001", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T", VERSION, STATIC_TICKET]);
        assert_eq!(s, "FB0A2F89A5E01868FA3E80DF1E1D4E56A388D666");
    }

    #[test]
    fn every_request_has_its_own_order_number_and_a_correct_length() {
        let mut b = Builder::new("127.0.0.1:1", Arc::new(b"iVBORw0KGgo=".to_vec()), 7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3 {
            b.next(STATIC_TICKET);
            let mut req = Vec::new();
            b.joined(&mut req);
            let text = String::from_utf8(req).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(head.contains(&format!("Content-Length: {}", body.len())));
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert!(seen.insert(v["orderNo"].as_str().unwrap().to_owned()));
            assert!(v["orderNo"].as_str().unwrap().len() <= 32);
        }
    }
}
