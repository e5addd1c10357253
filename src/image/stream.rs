//! A large upload's image taken out of its body as the body arrives: the image's text is decoded
//! chunk by chunk while the chunk is still in the cache, and dropped; only the rest of the body
//! (the image replaced by one letter) is copied, for the JSON parse. The body is never copied into
//! one buffer, nor its image read a second time to prove it UTF-8, nor kept beside its decoded
//! image while it arrives: for a 3 MB upload the two passes cost a fifth of the request, and the
//! text kept in hyper's read buffers more memory than the decoded image.
//!
//! The split is only a proposal: `vendor::ocr::request::parse_upload` uses it when the JSON parse
//! of the rest reads the letter as the body's image field, and parses the whole body otherwise, so
//! an answer never depends on how the body was read. The whole body is then rebuilt, byte for
//! byte: the text the split decoded is canonical Base64, which encodes back to itself.
//!
//! Imports: nothing of the crate outside `image`.

use bytes::{Bytes, BytesMut};
use std::sync::OnceLock;

/// Bodies from this size on are split (smaller ones are parsed whole: splitting them saves nothing).
pub(crate) const SPLIT_FROM: usize = 64 * 1024;

/// How far into the body the image's field may start; past it the body is parsed whole. Bounds
/// the copy of a body that has no such field (a bank card sent to the ID-card endpoint).
const HEAD_LIMIT: usize = 256 * 1024;

/// The longest `data:<type>;base64,` prefix the split reads; a longer one is left to the whole parse.
const PREFIX_LIMIT: usize = 256;

/// A request body as it arrived: whole, or split.
#[derive(Debug)]
pub(crate) enum Received {
    Whole(Bytes),
    Split {
        split: Split,
        /// The body's length in bytes.
        len: usize,
        /// The body in one piece, rebuilt once when asked for ([`Received::rebuilt`]).
        rebuilt: OnceLock<Bytes>,
    },
}

/// A body with its image taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// The body with the image's text (between its quotes) replaced by the letter `A`.
    pub(crate) rest: Vec<u8>,
    /// Where the `A` is in `rest`.
    pub(crate) at: usize,
    /// How many characters the image's text had, its `data:` prefix included.
    pub(crate) text_len: usize,
    /// The text's `data:` prefix, if it had one.
    prefix: Vec<u8>,
    /// The text's last group of (up to) four characters, as sent, and how many bytes of the decoded
    /// image come before it.
    last: ([u8; 4], usize),
    groups: usize,
}

impl Received {
    /// `body`, read whole, split as [`Splitter`] splits a body arriving in one chunk: the decoded
    /// image comes with it when it was split.
    pub(crate) fn of(body: Bytes, field: &str, cap: usize) -> (Received, Option<Vec<u8>>) {
        let mut s = Splitter::new(field, cap, Some(body.len() as u64));
        s.push(body);
        s.finish()
    }

    /// The body's length in bytes.
    pub(crate) fn len(&self) -> usize {
        match self {
            Received::Whole(body) => body.len(),
            Received::Split { len, .. } => *len,
        }
    }

    /// The split of the body's image, if the body was split.
    pub(crate) fn split(&self) -> Option<&Split> {
        match self {
            Received::Whole(_) => None,
            Received::Split { split, .. } => Some(split),
        }
    }

    /// The body in one piece, unless it was split (and not rebuilt yet: see [`Received::rebuilt`]).
    pub(crate) fn whole(&self) -> Option<&[u8]> {
        match self {
            Received::Whole(body) => Some(body),
            Received::Split { rebuilt, .. } => rebuilt.get().map(|b| &b[..]),
        }
    }

    /// The body in one piece, rebuilt byte for byte when it was split (`decoded`: the image the
    /// split decoded).
    pub(crate) fn rebuilt(&self, decoded: &[u8]) -> &[u8] {
        let Received::Split { split, len, rebuilt } = self else { return self.whole().unwrap_or_default() };
        rebuilt.get_or_init(|| {
            let (last, n) = split.last;
            let mut all = Vec::with_capacity(*len);
            all.extend_from_slice(&split.rest[..split.at]);
            all.extend_from_slice(&split.prefix);
            base64_simd::STANDARD.encode_append(&decoded[..split.groups.min(decoded.len())], &mut all);
            all.extend_from_slice(&last[..n]);
            all.extend_from_slice(&split.rest[split.at + 1..]);
            Bytes::from(all)
        })
    }
}

/// Where the splitter is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the image's text: looking for `"<field>"`, a colon and a quote.
    Head,
    /// The image's first characters, until it is known whether they are a `data:` prefix.
    Lead,
    /// In the Base64 of the image.
    Text,
    /// After the image's closing quote.
    Tail,
    /// Not splitting: the body is kept as it arrives, in its chunks.
    Off,
}

/// What a chunk may change, as it was before the chunk (to undo a chunk the split cannot take).
struct Before {
    stage: Stage,
    rest: usize,
    decoded: usize,
    lead: Vec<u8>,
    carry: ([u8; 4], usize),
    text_len: usize,
}

/// Takes the image out of a body pushed to it chunk by chunk.
///
/// The body is split where a parse of it would find the image by the first occurrence of its field
/// name in quotes, white space, a colon, white space and a quote; the image's text ends at the next
/// quote and must be canonical Base64 (standard alphabet, padded, no white space) after an
/// optional `data:` prefix of printable ASCII without a quote or a backslash, no longer than the
/// cap. Such text is exactly a JSON string's contents as sent. Any other body is not split.
#[derive(Debug)]
pub(crate) struct Splitter {
    key: Vec<u8>,
    cap: usize,
    declared: Option<u64>,
    len: usize,
    stage: Stage,
    /// [`Stage::Off`]: the body so far, as it arrived.
    chunks: Vec<Bytes>,
    /// The body before the image's text (opening quote included): before [`Stage::Lead`], all of
    /// the body so far; after the text, the `A`, the closing quote and what follows.
    rest: Vec<u8>,
    at: usize,
    /// The image's first characters (at most [`PREFIX_LIMIT`]) while in [`Stage::Lead`].
    lead: Vec<u8>,
    prefix: Vec<u8>,
    /// The last characters of the text read, up to one group of four, not yet decoded: they may be
    /// the last group, the only one that may be padded.
    carry: [u8; 4],
    carried: usize,
    text_len: usize,
    decoded: Blocks,
    last: ([u8; 4], usize),
    groups: usize,
}

impl Splitter {
    /// A splitter for the image in `field` no longer than `cap` characters, of a body declared
    /// `declared` bytes long (a body declared shorter than [`SPLIT_FROM`] is not split).
    pub(crate) fn new(field: &str, cap: usize, declared: Option<u64>) -> Self {
        let small = declared.is_some_and(|n| n < SPLIT_FROM as u64);
        Splitter {
            key: if small { Vec::new() } else { format!("\"{field}\"").into_bytes() },
            cap,
            declared,
            len: 0,
            stage: if small { Stage::Off } else { Stage::Head },
            chunks: Vec::new(),
            rest: Vec::new(),
            at: 0,
            lead: Vec::new(),
            prefix: Vec::new(),
            carry: [0; 4],
            carried: 0,
            text_len: 0,
            decoded: Blocks::default(),
            last: ([0; 4], 0),
            groups: 0,
        }
    }

    /// The next chunk of the body.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        self.len += chunk.len();
        if self.stage == Stage::Off {
            self.chunks.push(chunk);
            return;
        }
        let before = Before {
            stage: self.stage,
            rest: self.rest.len(),
            decoded: self.decoded.len(),
            lead: if self.stage == Stage::Lead { self.lead.clone() } else { Vec::new() },
            carry: (self.carry, self.carried),
            text_len: self.text_len,
        };
        if self.take(&chunk).is_err() {
            // Undone, and the body so far rebuilt: from here it is kept as it arrives.
            self.stage = before.stage;
            self.rest.truncate(before.rest);
            self.decoded.truncate(before.decoded);
            self.lead = before.lead;
            (self.carry, self.carried) = before.carry;
            self.text_len = before.text_len;
            self.off();
            self.chunks.push(chunk);
        }
    }

    /// The body as it arrived, and its image decoded when it was split.
    pub(crate) fn finish(mut self) -> (Received, Option<Vec<u8>>) {
        if self.stage != Stage::Tail {
            self.off();
            return (Received::Whole(join(self.chunks, self.len)), None);
        }
        let split = Split {
            rest: self.rest,
            at: self.at,
            text_len: self.text_len,
            prefix: self.prefix,
            last: self.last,
            groups: self.groups,
        };
        let decoded = std::mem::take(&mut self.decoded).join();
        (Received::Split { split, len: self.len, rebuilt: OnceLock::new() }, Some(decoded))
    }

    /// Stops splitting: the body so far (rebuilt from what the split kept of it) becomes its first
    /// chunk.
    fn off(&mut self) {
        let so_far = match self.stage {
            Stage::Head => std::mem::take(&mut self.rest),
            Stage::Lead => [&self.rest[..], &self.lead].concat(),
            Stage::Text => {
                let mut all = std::mem::take(&mut self.rest);
                all.extend_from_slice(&self.prefix);
                self.decoded.encode_onto(&mut all);
                all.extend_from_slice(&self.carry[..self.carried]);
                all
            }
            Stage::Tail | Stage::Off => Vec::new(),
        };
        if !so_far.is_empty() {
            self.chunks.push(Bytes::from(so_far));
        }
        self.stage = Stage::Off;
        (self.rest, self.lead, self.prefix, self.decoded) = Default::default();
    }

    /// Reads `data`; `Err` when the body cannot be split.
    fn take(&mut self, data: &[u8]) -> Result<(), ()> {
        match self.stage {
            Stage::Head => self.head(data),
            Stage::Lead | Stage::Text => self.text(data),
            Stage::Tail => {
                self.rest.extend_from_slice(data);
                Ok(())
            }
            Stage::Off => Ok(()),
        }
    }

    fn head(&mut self, data: &[u8]) -> Result<(), ()> {
        // Most bodies name the image in their first chunk: it is searched in place, and only the
        // part before the image copied. A head spread over chunks is gathered in `rest`.
        if self.rest.is_empty() {
            let Some(start) = locate(data, &self.key)? else {
                self.rest.extend_from_slice(data);
                return self.bounded();
            };
            self.rest.extend_from_slice(&data[..start]);
            self.begin(start);
            return self.text(&data[start..]);
        }
        self.rest.extend_from_slice(data);
        let Some(start) = locate(&self.rest, &self.key)? else { return self.bounded() };
        let text = self.rest.split_off(start);
        self.begin(start);
        self.text(&text)
    }

    /// `Err` once the head has grown past [`HEAD_LIMIT`] without naming the image.
    fn bounded(&self) -> Result<(), ()> {
        if self.rest.len() > HEAD_LIMIT {
            Err(())
        } else {
            Ok(())
        }
    }

    /// The image's text starts at `at` of the body.
    fn begin(&mut self, at: usize) {
        self.at = at;
        self.stage = Stage::Lead;
        // A small image's one block is no larger than it.
        let left = self.declared.map_or(usize::MAX, |n| (n as usize).saturating_sub(at)).min(self.cap);
        self.decoded.first = (left / 4 * 3).min(BLOCK);
    }

    /// Reads image text from `data` up to its closing quote, and what follows it.
    fn text(&mut self, data: &[u8]) -> Result<(), ()> {
        let (text, after) = match memchr::memchr(b'"', data) {
            Some(q) => (&data[..q], Some(&data[q + 1..])),
            None => (data, None),
        };
        self.text_len += text.len();
        if self.text_len > self.cap {
            return Err(());
        }
        let text = if self.stage == Stage::Lead { self.lead(text)? } else { text };
        self.feed(text)?;
        if let Some(after) = after {
            if self.stage == Stage::Lead {
                // A text too short to tell: all of it is Base64 (a "data:" without ";base64," is not).
                self.stage = Stage::Text;
                let lead = std::mem::take(&mut self.lead);
                self.feed(&lead)?;
            }
            // The last group, padded or not (kept as sent, to rebuild the body), and the rest.
            (self.last, self.groups) = ((self.carry, self.carried), self.decoded.len());
            self.decoded.append(&self.carry[..self.carried])?;
            self.stage = Stage::Tail;
            self.rest.extend_from_slice(b"A\"");
            self.rest.extend_from_slice(after);
        }
        Ok(())
    }

    /// Reads the image's first characters into `lead` until it is known whether they start with a
    /// `data:` prefix; then feeds what of `lead` is Base64 and returns what of `text` is left.
    fn lead<'t>(&mut self, text: &'t [u8]) -> Result<&'t [u8], ()> {
        let take = PREFIX_LIMIT.saturating_sub(self.lead.len()).min(text.len());
        self.lead.extend_from_slice(&text[..take]);
        let left = &text[take..];
        let lead = &self.lead;
        let prefix = if lead.len() < 5 && b"data:".starts_with(lead) {
            None // too short to tell
        } else if !lead.starts_with(b"data:") {
            Some(0)
        } else {
            match memchr::memmem::find(&lead[5..], b";base64,") {
                Some(i) => Some(5 + i + ";base64,".len()),
                None if lead.len() >= PREFIX_LIMIT => return Err(()),
                None => None,
            }
        };
        let Some(prefix) = prefix else {
            // Undecided (all of `text` is in `lead`): more text, or the closing quote, will tell.
            return Ok(left);
        };
        if !self.lead[..prefix].iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'\\' && b != b'"') {
            return Err(());
        }
        self.stage = Stage::Text;
        let lead = std::mem::take(&mut self.lead);
        self.prefix = lead[..prefix].to_vec();
        self.feed(&lead[prefix..])?;
        Ok(left)
    }

    /// Decodes Base64 text, all but its last (up to four) characters, which wait in `carry`.
    fn feed(&mut self, mut t: &[u8]) -> Result<(), ()> {
        if self.stage == Stage::Lead || t.is_empty() {
            return Ok(());
        }
        if self.carried > 0 {
            let n = (4 - self.carried).min(t.len());
            self.carry[self.carried..self.carried + n].copy_from_slice(&t[..n]);
            self.carried += n;
            t = &t[n..];
            if t.is_empty() {
                return Ok(());
            }
            // More text follows: the group is not the last one, and may not be padded.
            if self.carry[3] == b'=' {
                return Err(());
            }
            self.decoded.groups(&self.carry)?;
            self.carried = 0;
        }
        let keep = match t.len() % 4 {
            0 => 4,
            r => r,
        };
        let (groups, last) = t.split_at(t.len() - keep);
        if let Some(&b) = groups.last() {
            if b == b'=' {
                return Err(());
            }
            self.decoded.groups(groups)?;
        }
        self.carry[..keep].copy_from_slice(last);
        self.carried = keep;
        Ok(())
    }
}

/// `chunks` (`len` bytes in all) in one piece: the chunk itself when there is one.
fn join(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() <= 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut all = BytesMut::with_capacity(len);
    chunks.iter().for_each(|c| all.extend_from_slice(c));
    all.freeze()
}

/// Bytes of the decoded image per block: a multiple of 3 (whole groups), about 256 KiB.
const BLOCK: usize = 3 * 87_381;

/// The image decoded so far, in blocks of [`BLOCK`] bytes: a connection holds about what it has
/// received, whatever the image's size, and a block, once written, is never moved until the image
/// is complete and joined. (A buffer of the whole image reserved up front would be memory the
/// allocator hands back already in use, so 64 uploads in flight would hold 64 whole images.)
#[derive(Debug, Default)]
struct Blocks {
    full: Vec<Vec<u8>>,
    open: Vec<u8>,
    len: usize,
    /// The first block's size (the image's, when it is smaller than a block).
    first: usize,
}

impl Blocks {
    fn len(&self) -> usize {
        self.len
    }

    /// Decodes whole groups of four characters (none of them the text's last group) onto the end.
    fn groups(&mut self, mut text: &[u8]) -> Result<(), ()> {
        while !text.is_empty() {
            let size = if self.full.is_empty() { self.first.max(3) } else { BLOCK };
            if self.open.len() >= size {
                let next = Vec::with_capacity(BLOCK + 3);
                self.full.push(std::mem::replace(&mut self.open, next));
                continue;
            }
            if self.open.capacity() == 0 {
                self.open.reserve_exact(size + 3);
            }
            let (now, later) = text.split_at(((size - self.open.len()) / 3 * 4).min(text.len()));
            self.append(now)?;
            text = later;
        }
        Ok(())
    }

    /// Decodes `text` onto the end of the open block (the text's last group may be padded).
    fn append(&mut self, text: &[u8]) -> Result<(), ()> {
        let before = self.open.len();
        base64_simd::STANDARD.decode_append(text, &mut self.open).map_err(|_| ())?;
        self.len += self.open.len() - before;
        Ok(())
    }

    /// Drops what was decoded after the first `len` bytes.
    fn truncate(&mut self, len: usize) {
        while self.len > len {
            let excess = self.len - len;
            if excess <= self.open.len() {
                self.open.truncate(self.open.len() - excess);
                self.len = len;
            } else {
                self.len -= self.open.len();
                self.open = self.full.pop().unwrap_or_default();
            }
        }
    }

    /// Appends the Base64 of what was decoded (whole groups only) to `out`.
    fn encode_onto(&self, out: &mut Vec<u8>) {
        // Every block but the open one holds whole groups, so their encodings join up.
        for block in self.full.iter().chain([&self.open]) {
            base64_simd::STANDARD.encode_append(block, out);
        }
    }

    /// The image in one piece (moved, not copied, when it fits in one block).
    fn join(mut self) -> Vec<u8> {
        if self.full.is_empty() {
            return self.open;
        }
        let mut all = Vec::with_capacity(self.len);
        self.full.push(self.open);
        self.full.iter().for_each(|b| all.extend_from_slice(b));
        all
    }
}

/// Where the image's text starts in `head` (after its opening quote), as parse_upload finds it: the
/// first `key`, white space, a colon, white space, a quote. `Ok(None)` when `head` ends first;
/// `Err` when what follows the first `key` is something else.
fn locate(head: &[u8], key: &[u8]) -> Result<Option<usize>, ()> {
    let Some(k) = memchr::memmem::find(head, key) else { return Ok(None) };
    let ws = |i: usize| i + head[i..].iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).count();
    let i = ws(k + key.len());
    match head.get(i) {
        None => return Ok(None),
        Some(b':') => {}
        Some(_) => return Err(()),
    }
    let i = ws(i + 1);
    match head.get(i) {
        None => Ok(None),
        Some(b'"') => Ok(Some(i + 1)),
        Some(_) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `body` pushed in chunks of `size` bytes.
    fn pushed(body: &[u8], size: usize, cap: usize) -> (Received, Option<Vec<u8>>) {
        let mut s = Splitter::new("idcardStr", cap, None);
        body.chunks(size).for_each(|c| s.push(Bytes::copy_from_slice(c)));
        s.finish()
    }

    /// The split (rest, where the letter is, the text's length, the image) a reader of the whole
    /// body makes, by the rules in [`Splitter`]'s documentation.
    fn expected(body: &[u8], cap: usize) -> Option<(Vec<u8>, usize, usize, Vec<u8>)> {
        let start = locate(body, b"\"idcardStr\"").ok()??;
        let end = start + memchr::memchr(b'"', &body[start..])?;
        let text = &body[start..end];
        if text.len() > cap {
            return None;
        }
        let (prefix, b64) = super::super::split_data_url(text);
        if prefix.len() > PREFIX_LIMIT || !prefix.iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'\\') {
            return None;
        }
        let decoded = base64_simd::STANDARD.decode_to_vec(b64).ok()?;
        let rest = [&body[..start], b"A", &body[end..]].concat();
        Some((rest, start, text.len(), decoded))
    }

    fn image(n: usize) -> String {
        let bytes: Vec<u8> = (0..n as u32).map(|i| (i * 7 % 251) as u8).collect();
        base64_simd::STANDARD.encode_to_string(bytes)
    }

    #[test]
    fn a_body_splits_the_same_whatever_its_chunks_and_rebuilds_byte_for_byte() {
        let b64 = image(1000);
        let bodies = [
            format!(r#"{{"a":"b","idcardStr":"{b64}","z":1}}"#),
            format!("{{\"idcardStr\" :\r\n \"{b64}\" }}"),
            format!(r#"{{"idcardStr":"data:image/png;base64,{b64}"}}"#),
            format!(r#"{{"idcardStr":"{}"}}"#, image(1001)),
            format!(r#"{{"idcardStr":"{}"}}"#, image(1002)),
            r#"{"idcardStr":""}"#.into(),
            r#"{"idcardStr":"dat"}"#.into(),
            r#"{"idcardStr":"data:;base64,"}"#.into(),
            // trailing bits that are not zero: the last group is rebuilt as sent, whatever it decodes to
            r#"{"idcardStr":"AAAAAB=="}"#.into(),
            r#"{"idcardStr":"AAAAABC="}"#.into(),
            // not splittable: the rules refuse each
            format!(r#"{{"idcardStr":"{}"}}"#, image(1000).trim_end_matches('=')),
            format!(r#"{{"idcardStr":"{}\/"}}"#, b64),
            format!(r#"{{"idcardStr":"AA==AAAA{b64}"}}"#),
            r#"{"idcardStr":"AAA=AAAA"}"#.into(),
            "{\"idcardStr\":\"AAAA\nAAAA\"}".into(),
            format!(r#"{{"idcardStr":"data:a\\b;base64,{b64}"}}"#),
            format!(r#"{{"idcardStr":"data:{};base64,{b64}"}}"#, "x".repeat(300)),
            format!(r#"{{"idcardStr" 1, "idcardStr":"{b64}"}}"#),
            format!(r#"{{"bankcardStr":"{b64}"}}"#),
            format!(r#"{{"idcardStr":"{b64}"#),
            format!(r#"{{"idcardStr":"data:image/png;base64,{b64}"#),
            format!(r#"{{"idcardStr":"{b64}*"}}"#),
        ];
        for body in &bodies {
            let want = expected(body.as_bytes(), usize::MAX);
            for size in [1, 2, 3, 4, 5, 7, 13, 64, 1000, body.len()] {
                let (received, decoded) = pushed(body.as_bytes(), size, usize::MAX);
                let got = received.split().map(|s| (s.rest.clone(), s.at, s.text_len)).zip(decoded.clone());
                let got = got.map(|((rest, at, len), d)| (rest, at, len, d));
                assert_eq!(got, want, "{body:.80} in chunks of {size}");
                match &decoded {
                    Some(d) => assert_eq!(received.rebuilt(d), body.as_bytes(), "{body:.80} / {size}"),
                    None => assert_eq!(received.whole(), Some(body.as_bytes()), "{body:.80} / {size}"),
                }
                assert_eq!(received.len(), body.len());
            }
        }
    }

    #[test]
    fn an_image_over_the_cap_is_not_split_and_the_body_is_kept_whole() {
        let b64 = image(300);
        let body = format!(r#"{{"idcardStr":"{b64}"}}"#);
        for size in [1, 7, 100, body.len()] {
            let (over, _) = pushed(body.as_bytes(), size, b64.len() - 1);
            assert!(over.split().is_none());
            assert_eq!(over.whole(), Some(body.as_bytes()));
            assert!(pushed(body.as_bytes(), size, b64.len()).0.split().is_some());
        }
    }

    #[test]
    fn a_body_declared_small_or_without_its_field_early_is_read_whole() {
        let body = format!(r#"{{"idcardStr":"{}"}}"#, image(300));
        let (received, decoded) = Received::of(Bytes::from(body.clone()), "idcardStr", usize::MAX);
        assert!(received.split().is_none() && decoded.is_none());
        assert_eq!(received.whole(), Some(body.as_bytes()));
        let late = format!(r#"{{"x":"{}","idcardStr":"{}"}}"#, "y".repeat(2 * HEAD_LIMIT), image(300));
        let (received, _) = pushed(late.as_bytes(), 4096, usize::MAX);
        assert!(received.split().is_none());
        assert_eq!(received.whole(), Some(late.as_bytes()));
    }

    #[test]
    fn an_image_is_decoded_in_blocks_and_joined_whatever_its_size_and_chunks() {
        for n in [3 * 87_381 - 3, 3 * 87_381, 3 * 87_381 + 1, 700_000] {
            let b64 = image(n);
            let body = format!(r#"{{"idcardStr":"{b64}","x":1}}"#);
            let want = base64_simd::STANDARD.decode_to_vec(&b64).unwrap();
            for (size, declared) in [(8192, None), (65_536, Some(body.len() as u64)), (body.len(), None)] {
                let mut s = Splitter::new("idcardStr", usize::MAX, declared);
                body.as_bytes().chunks(size).for_each(|c| s.push(Bytes::copy_from_slice(c)));
                let (received, decoded) = s.finish();
                let decoded = decoded.expect("split");
                assert!(decoded == want, "{n} bytes in chunks of {size}");
                assert_eq!(received.rebuilt(&decoded), body.as_bytes(), "{n} / {size}");
            }
            // Undone past a block's end: a bad character far into a large image.
            let bad = format!(r#"{{"idcardStr":"{}*{}"}}"#, &b64[..b64.len() - 8], &b64[b64.len() - 7..]);
            for size in [100_000, bad.len()] {
                let (received, decoded) = pushed(bad.as_bytes(), size, usize::MAX);
                assert!(decoded.is_none());
                assert_eq!(received.whole(), Some(bad.as_bytes()));
            }
        }
    }
}
