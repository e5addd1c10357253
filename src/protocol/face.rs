//! The face-verification vocabulary (PROTOCOL-FACE.md §2–§4, §9): which values each face endpoint
//! signs with which ticket ([`Rule`]), the ids the service mints (`h5faceId`, `faceId`), the
//! lifetimes, and the redirect back to the partner with its `newSignature` (the FV-3 rule).
//! Pure functions; the five FV vectors of §3.2 are the tests.

/// The percent-encoding of the login and redirect URLs: the query module's one encoder.
pub use super::query::encode;
use super::query::{self, Plus};
use super::sign::{self, Field};
use crate::clock::Millis;
use crate::seed::mix;

/// `h5faceId` and `faceId` live 5 minutes from issue (doc Q-H5-ID, Q-SDK-FACEID).
pub const ID_LIFETIME: Millis = 5 * 60 * 1000;
/// A face result, its photo and video are kept 3 days (doc Q-QUERY).
pub const RESULT_LIFETIME: Millis = 3 * 24 * 3600 * 1000;
/// How late the photo and video arrive with the `face-files-late` scenario (doc: "1秒左右的延迟").
pub const FILES_DELAY: Millis = 1000;

/// One sign rule of PROTOCOL-FACE.md §3.1: the reason header and the journal name the rule tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// FV-1: geth5faceid, `wbappid orderNo name idNo userId version` + SIGN ticket.
    H5FaceId,
    /// FV-2: the H5 login, `wbappid userId orderNo version h5faceId nonce` + NONCE ticket of `userId`.
    Login,
    /// FV-2 signed with a SIGN ticket (C11, C13, C14), accepted only with `--face-sign lenient`.
    LoginWithSignTicket,
    /// FV-4: getfaceid/getAdvFaceId, `wbappid userId version nonce` + SIGN ticket.
    FaceId,
    /// The SDK-start sign sent to getfaceid (C1, C21): same values + NONCE ticket of `userId`.
    FaceIdWithNonceTicket,
    /// queryfacerecord, `wbappid orderNo version nonce` + SIGN ticket.
    Query,
    /// sync and queryphotoinfo, `app_id order_no version nonce` + SIGN ticket.
    Sync,
    /// FV-3: the redirect's `newSignature` and the SDK result's `sign`, `wbappid orderNo code` + SIGN ticket.
    Result,
}

impl Rule {
    /// The rule as the reason header and the journal name it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::H5FaceId => "FV-1 (geth5faceid: wbappid, orderNo, name, idNo, userId, version + SIGN ticket)",
            Rule::Login => {
                "FV-2 (login: wbappid, userId, orderNo, version, h5faceId, nonce + NONCE ticket of userId, single use)"
            }
            Rule::LoginWithSignTicket => "FV-2 with a SIGN ticket (lenient: C11, C13, C14)",
            Rule::FaceId => "FV-4 (getfaceid: wbappid, userId, version, nonce + SIGN ticket)",
            Rule::FaceIdWithNonceTicket => "FV-4 with a NONCE ticket of userId (lenient: C1, C21)",
            Rule::Query => "queryfacerecord (wbappid, orderNo, version, nonce + SIGN ticket)",
            Rule::Sync => "sync/queryphotoinfo (app_id, order_no, version, nonce + SIGN ticket)",
            Rule::Result => "FV-3 (newSignature: wbappid, orderNo, code + SIGN ticket)",
        }
    }
}

/// The signed fields of FV-1, with the names the request gave them.
pub fn h5faceid_fields<'a>(
    app: Field<'a>,
    order_no: &'a str,
    name: &'a str,
    id_no: &'a str,
    user_id: &'a str,
    version: &'a str,
) -> [Field<'a>; 6] {
    [
        app,
        Field { name: "orderNo", value: order_no },
        Field { name: "name", value: name },
        Field { name: "idNo", value: id_no },
        Field { name: "userId", value: user_id },
        Field { name: "version", value: version },
    ]
}

/// The signed fields of FV-2 (`h5faceId` or `faceId` under the name the URL used).
pub fn login_fields<'a>(
    app: Field<'a>,
    user_id: &'a str,
    order_no: &'a str,
    version: &'a str,
    face_id: Field<'a>,
    nonce: &'a str,
) -> [Field<'a>; 6] {
    [
        app,
        Field { name: "userId", value: user_id },
        Field { name: "orderNo", value: order_no },
        Field { name: "version", value: version },
        face_id,
        Field { name: "nonce", value: nonce },
    ]
}

/// The signed fields of FV-4 (getfaceid, getAdvFaceId).
pub fn faceid_fields<'a>(app: Field<'a>, user_id: &'a str, version: &'a str, nonce: &'a str) -> [Field<'a>; 4] {
    [
        app,
        Field { name: "userId", value: user_id },
        Field { name: "version", value: version },
        Field { name: "nonce", value: nonce },
    ]
}

/// The signed fields of queryfacerecord, sync and queryphotoinfo (order field named as sent).
pub fn query_fields<'a>(app: Field<'a>, order: Field<'a>, version: &'a str, nonce: &'a str) -> [Field<'a>; 4] {
    [app, order, Field { name: "version", value: version }, Field { name: "nonce", value: nonce }]
}

/// FV-3: `newSignature` (PC: `newSign`) and the SDK result's `sign`.
pub fn result_sign(app: &str, order_no: &str, code: &str, ticket: &str) -> String {
    sign::sign(&[app, order_no, code], ticket)
}

/// The redirect's undocumented `signature` (seen in real redirects, C16, C17): the older rule over
/// `wbappid`, `orderNo` + SIGN ticket, as PROTOCOL.md TV-5 (guess).
pub fn old_result_sign(app: &str, order_no: &str, ticket: &str) -> String {
    sign::sign(&[app, order_no], ticket)
}

/// The ticket the service signs a result with: the app's newest issued live SIGN ticket, else its
/// first live static one (`cands` as `State::sign_candidates` lists them: static ones borrowed,
/// issued ones owned, newest first). Which one WeBank uses is undocumented (guess, §4.4).
pub fn result_ticket(cands: &[sign::Candidate<'_>]) -> Option<String> {
    let live = |c: &&sign::Candidate<'_>| c.state == sign::TicketState::Live;
    let issued = cands.iter().filter(live).find(|c| matches!(c.value, std::borrow::Cow::Owned(_)));
    issued.or_else(|| cands.iter().find(live)).map(|c| c.value.to_string())
}

/// Which kind of id an order was given, and so its prefix (PROTOCOL-FACE.md §2, guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// geth5faceid: `wb` + 30 hex (doc examples).
    H5,
    /// getfaceid: 32 hex (doc example).
    Sdk,
    /// getAdvFaceId: `tx` + 30 hex (seen C11).
    Adv,
}

/// A fresh 32-character id for `flow`, from the seed and a sequence number.
pub fn new_id(flow: Flow, seed: u64, seq: u64) -> String {
    let hex = format!("{:016x}{:016x}", mix(seed ^ seq.rotate_left(17) ^ 0xface), mix(seq ^ seed.rotate_left(29)));
    match flow {
        Flow::H5 => format!("wb{}", &hex[2..]),
        Flow::Sdk => hex,
        Flow::Adv => format!("tx{}", &hex[2..]),
    }
}

/// `orderNo` as the mock accepts it: `[A-Za-z0-9_-]`, 1 to 32 characters (the docs' own examples
/// carry `_`; guess).
pub fn order_no_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `userId`: "不能带有特殊字符", at most 32: letters, digits, `_` and `-` (guess for the set).
pub fn user_id_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The redirect back to the partner (§4.4): `url` as decoded from the login query, then `?` or
/// `&`, then the parameters URL-encoded, in the order given.
pub fn redirect_url(url: &str, params: &[(&str, &str)]) -> String {
    let mut out = url.to_string();
    let sep = if out.contains('?') {
        if out.ends_with('?') || out.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    out.push_str(sep);
    let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", query::encode(v))).collect();
    out.push_str(&pairs.join("&"));
    out
}

/// A partner `url` the mock will redirect to: `http://` or `https://` and no control characters.
/// A url that arrives encoded twice is decoded once more (C14 and the docs encode it once).
pub fn partner_url(raw: &str) -> Option<String> {
    let once = if raw.starts_with("http%3") || raw.starts_with("https%3") || raw.starts_with("HTTP%3") {
        query::decode(raw, Plus::Literal)
    } else {
        raw.to_string()
    };
    let lower = once.to_ascii_lowercase();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && once.len() <= 2048
        && !once.chars().any(|c| c.is_control() || c == ' ' || c == '"' || c == '<' || c == '>');
    ok.then_some(once)
}

/// The seed of the generated photo and video of the verification `id`: the same person for
/// queryfacerecord, sync and the SDK's result.
pub fn media_seed(seed: u64, id: &str) -> u64 {
    mix(seed ^ crate::seed::fnv1a(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sign::signed_string;

    const NONCE: &str = "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T";
    const DUSZ: &str = "duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoe";

    fn values<const N: usize>(fields: [Field<'_>; N]) -> Vec<&str> {
        fields.iter().map(|f| f.value).collect()
    }

    fn app(v: &str) -> Field<'_> {
        Field { name: "webankAppId", value: v }
    }

    #[test]
    fn fv1_the_geth5faceid_vector_matches_the_doc() {
        let f = h5faceid_fields(
            app("appId001"),
            "orderNo19959248596551",
            "testName",
            "4300000000000",
            "userID19959248596551",
            "1.0.0",
        );
        let v = values(f);
        assert_eq!(
            signed_string(&v, DUSZ),
            "1.0.04300000000000appId001duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoeorderNo19959248596551testNameuserID19959248596551"
        );
        assert_eq!(sign::sign(&v, DUSZ), "EE57F7C1EDDE7B6BB0DFB54CD902836B8EB0575B");
    }

    #[test]
    fn fv2_the_login_vector_matches_the_doc() {
        let ticket = "zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS";
        let id = Field { name: "h5faceId", value: "bwiwe1457895464" };
        let v = values(login_fields(app("appId001"), "userID19959248596551", "aabc1457895464", "1.0.0", id, NONCE));
        assert_eq!(
            signed_string(&v, ticket),
            "1.0.0aabc1457895464appId001bwiwe1457895464kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7TuserID19959248596551zxc9Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS"
        );
        assert_eq!(sign::sign(&v, ticket), "4E9DFABF938BF37BDB7A7DC25CCA1233D12D986B");
    }

    #[test]
    fn fv3_the_result_vector_matches_the_doc_and_numeric_codes_sort_first() {
        assert_eq!(
            signed_string(&["appId001", "test1480921551481", "0"], DUSZ),
            "0appId001duSz9ptwyW1Xn7r6gYItxz3feMdJ8Na5x7JZuoxurE7RcI5TdwCE4KT2eEeNNDoetest1480921551481"
        );
        assert_eq!(result_sign("appId001", "test1480921551481", "0", DUSZ), "526365E042766AE27A6E52D2E4829D4C6E156B5D");
        assert_eq!(
            result_sign("appId001", "test1480921551481", "66660004", DUSZ),
            "867A8793910FE12D8CE2F0763440A0AC7C3C86EB"
        );
        assert_eq!(
            result_sign("appId001", "test1480921551481", "1005", DUSZ),
            "614FA37ED472B01F6EBBA4F6510739AB9B38F108"
        );
    }

    #[test]
    fn fv4_the_getfaceid_vector_matches_the_doc() {
        let ticket = "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS";
        let v = values(faceid_fields(app("IDAXXXXX"), "userID19959248596551", "1.0.0", NONCE));
        assert_eq!(sign::sign(&v, ticket), "D7606F1741DDCF90757DA924EDCF152A200AC7F0");
    }

    #[test]
    fn fv5_the_bankcard_vector_matches_the_doc_through_the_query_rule() {
        let ticket = "FxlAe3HFtEy73Um0pJNzIUriwtfnS3KRcPXiesd5ulS4XRAIcT0FbfaP52dwZf5S";
        let order = Field { name: "orderNo", value: "aabc1457895464" };
        let v = values(query_fields(app("appId001"), order, "1.0.0", NONCE));
        assert_eq!(sign::sign(&v, ticket), "993D057C652D97FD90D5D298F2E5DC4B8D893CBC");
    }

    #[test]
    fn ids_are_32_characters_with_the_prefix_of_their_flow() {
        let (h5, sdk, adv) = (new_id(Flow::H5, 1, 2), new_id(Flow::Sdk, 1, 2), new_id(Flow::Adv, 1, 3));
        assert!(h5.starts_with("wb") && adv.starts_with("tx"));
        for id in [&h5, &sdk, &adv] {
            assert_eq!(id.len(), 32);
            assert!(id[2..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{id}");
        }
        assert_ne!(new_id(Flow::H5, 1, 2), new_id(Flow::H5, 1, 3));
    }

    #[test]
    fn the_redirect_appends_to_a_url_with_or_without_its_own_query() {
        assert_eq!(
            redirect_url("https://p.example/cb", &[("code", "0"), ("orderNo", "o1")]),
            "https://p.example/cb?code=0&orderNo=o1"
        );
        assert_eq!(
            redirect_url("https://p.example/cb?token=a b", &[("code", "0")]),
            "https://p.example/cb?token=a b&code=0"
        );
        assert_eq!(query::encode("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn partner_urls_must_be_http_and_free_of_markup() {
        assert_eq!(partner_url("https://cloud.tencent.com").as_deref(), Some("https://cloud.tencent.com"));
        assert_eq!(partner_url("https%3a%2f%2fcloud.tencent.com").as_deref(), Some("https://cloud.tencent.com"));
        assert_eq!(partner_url("javascript:alert(1)"), None);
        assert_eq!(partner_url("https://x/\"><script>"), None);
        assert!(order_no_ok("1617091885609_17432576916585_0") && !order_no_ok(&"a".repeat(33)) && !order_no_ok("a b"));
    }
}
