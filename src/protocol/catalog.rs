//! The vendor's codes as data: every `code`/`msg` pair the mock can answer with, its envelope
//! shape and the evidence behind it (docs/protocol.md §4.3, §7, §9). Handlers and tests use these
//! constants; `idocr-mock codes` and the admin API list them.

use super::face_codes as face;
use serde::Serialize;

/// How sure we are that the real service answers this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Official documentation says so.
    Doc,
    /// A real response logged by partner code shows it.
    Seen,
    /// Real clients rely on it.
    Client,
    /// Nothing found: the mock's default is a choice.
    Guess,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Doc => "doc",
            Evidence::Seen => "seen",
            Evidence::Client => "client",
            Evidence::Guess => "guess",
        }
    }
}

/// Which envelope an error is rendered in (docs/protocol.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// `{"code","msg","transactionTime","success":false}`: API gateway refusals (4001xx, 4005xx).
    Gateway,
    /// `{"code","msg","bizSeqNo","transactionTime"}`: errors from the service behind the gateway.
    Business,
}

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Code {
    pub code: &'static str,
    pub msg: &'static str,
    /// Older doc versions' text, served with `--legacy-texts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_msg: Option<&'static str>,
    pub shape: Shape,
    pub evidence: Evidence,
    /// Where the evidence is (docs/protocol.md source names).
    pub source: &'static str,
    /// When the mock answers with it.
    pub when: &'static str,
}

impl Code {
    /// The text to send: the current doc's, or the older doc's with `legacy`.
    pub fn msg(&self, legacy: bool) -> &'static str {
        match (legacy, self.legacy_msg) {
            (true, Some(old)) => old,
            _ => self.msg,
        }
    }
}

pub(crate) const fn code(
    code: &'static str,
    msg: &'static str,
    shape: Shape,
    evidence: Evidence,
    source: &'static str,
    when: &'static str,
) -> Code {
    Code { code, msg, legacy_msg: None, shape, evidence, source, when }
}

use super::bank_codes as bank;
use Evidence::*;
use Shape::*;

pub const SUCCESS: Code = code("0", "请求成功", Business, Seen, "U-47902, seen responses", "success");

// Gateway codes (doc: SDK error pages; the wire form of 400101 is seen).
pub const BAD_REQUEST: Code = code(
    "400101",
    "不合法的请求",
    Gateway,
    Seen,
    "seen body `不合法的请求:Missing cookie …`; SDK error pages",
    "body not JSON, a required field missing or not a string, a malformed parameter; the wire msg is `不合法的请求:<detail>`",
);
pub const BAD_REQUEST_2: Code = code("400102", "不合法请求", Gateway, Doc, "SDK error pages", "not used by default");
pub const FORBIDDEN: Code =
    code("400103", "服务器拒绝访问此接口", Gateway, Doc, "SDK error pages", "not used by default");
pub const NO_PERMISSION: Code = code(
    "400104",
    "无权限访问此请求",
    Gateway,
    Guess,
    "SDK error pages (text); mapping to unknown app / wrong secret is a guess",
    "unknown app id, wrong secret",
);
pub const AUTH_FAILED: Code = code(
    "400105",
    "身份验证不通过",
    Gateway,
    Guess,
    "SDK error pages (text); mapping to a bad sign is a guess",
    "the sign matches no live SIGN ticket of the app",
);
pub const TOO_LARGE: Code = code(
    "400501",
    "请求超过最大限制",
    Gateway,
    Doc,
    "SDK error pages",
    "a body over --max-body (HTTP 413); scenario tps-exceeded",
);
pub const BAD_VERSION: Code =
    code("400502", "请求上送版本参数错误", Gateway, Doc, "SDK error pages", "version is not 1.0.0");
pub const BAD_FILE_CHECKSUM: Code =
    code("400503", "文件校验值错误", Gateway, Doc, "SDK error pages", "not used by default");
pub const RATE_LIMITED: Code =
    code("400504", "请求访问频率过高", Gateway, Doc, "SDK error pages; FAQ names 20 QPS", "scenario rate-limited");
pub const TOKEN_EXPIRED: Code = code(
    "15",
    "Token 过期，请重试",
    Business,
    Guess,
    "clients treat 15 as `refresh the token`; the text is the face flow's token pages' wording (1007/31082), a family analogue",
    "unknown, expired or revoked access_token",
);

// Network codes (doc, SDK error pages).
pub const NETWORK_999999: Code =
    code("999999", "网络不给力，请稍后再试", Business, Doc, "SDK error pages", "scenario server-busy");
pub const NETWORK_999998: Code =
    code("999998", "网络不给力，请稍后再试", Business, Doc, "SDK error pages", "not used by default");
pub const NETWORK_999997: Code =
    code("999997", "网络不给力，请稍后再试", Business, Doc, "SDK error pages", "scenario service-timeout");

// Recognition codes (doc, U-47902 "身份证 OCR 错误码").
pub const PARAM_TOO_LONG: Code = code(
    "66660000",
    "参数过长",
    Business,
    Guess,
    "doc for bankcardocrapp (Q-BANK-ERR, written 66660000/-1304); for idcardocrapp the same answer is a guess",
    "orderNo longer than 32 characters; an image over --image-cap; scenario bank-long-order",
);
pub const IMAGE_ABNORMAL: Code =
    code("66660015", "视频或图片异常", Business, Doc, "U-47902", "scenario image-abnormal");
pub const ORDER_NOT_FOUND: Code = code(
    "66660020",
    "OCR 结果查询不到",
    Business,
    Doc,
    "U-47902 (getOcrResult); for getBankCardOcrResult a guess",
    "getOcrResult or getBankCardOcrResult for an order with no result of that card",
);
pub const DUPLICATE_ORDER: Code = code(
    "66660030",
    "订单号重复",
    Business,
    Guess,
    "none: the doc only says orderNo is 每次唯一; code and text are the mock's guess",
    "a repeated orderNo and side with --reject-duplicate-orders",
);
pub const BLURRY: Code = Code {
    legacy_msg: Some("识别错误，非身份证件或图像质量问题"),
    ..code("66661001", "请调整角度，保持清晰", Business, Doc, "U-47902", "scenario blurry")
};
pub const CARD_EXPIRED: Code = code("66661003", "身份证已失效", Business, Doc, "U-47902", "scenario expired");
pub const BAD_DATE: Code = Code {
    legacy_msg: Some("非法的日期"),
    ..code("66661004", "身份证日期不正确", Business, Doc, "U-47902", "scenario bad-date")
};
pub const DECODE_FAILED: Code = code(
    "66661005",
    "图像解码异常",
    Business,
    Doc,
    "U-47902",
    "idcardStr (or bankcardStr: a guess there) is not valid Base64 or decodes to nothing; scenario decode-error",
);
pub const NOT_FRONT: Code = code("66661006", "非身份证人像面", Business, Doc, "U-47902", "scenario not-front");
pub const NOT_BACK: Code = code("66661007", "非身份证国徽面", Business, Doc, "U-47902", "scenario not-back");
pub const UNREADABLE: Code =
    code("66661008", "姓名或身份证号未能识别", Business, Doc, "U-47902", "scenario unreadable");
pub const BAD_FORMAT: Code = Code {
    legacy_msg: Some("请保持证件与边框对齐"),
    ..code(
        "66661010",
        "格式有误",
        Business,
        Doc,
        "U-47902",
        "decoded bytes are not a JPG/PNG/BMP image (bankcardocrapp too: a guess there); scenario bad-format",
    )
};
pub const AUTHORITY_UNREADABLE: Code =
    code("66661012", "签发机关未能识别", Business, Doc, "U-47902", "scenario authority-unreadable");
pub const FAILED: Code = code("66661099", "处理失败", Business, Doc, "U-47902", "scenario failed");
pub const CRYPTO_FAILED: Code = code("300101", "加解密失败", Business, Doc, "U-47902", "scenario crypto-failed");

/// Every entry, in the order `idocr-mock codes` prints them.
/// The whole catalog as pretty JSON, as `idocr-mock codes --json` prints it and
/// `GET /__admin/codes` answers it.
pub fn to_json() -> String {
    serde_json::to_string_pretty(ALL).expect("the catalog serialises") + "\n"
}

pub const ALL: &[Code] = &[
    SUCCESS,
    BAD_REQUEST,
    BAD_REQUEST_2,
    FORBIDDEN,
    NO_PERMISSION,
    AUTH_FAILED,
    TOO_LARGE,
    BAD_VERSION,
    BAD_FILE_CHECKSUM,
    RATE_LIMITED,
    TOKEN_EXPIRED,
    NETWORK_999999,
    NETWORK_999998,
    NETWORK_999997,
    PARAM_TOO_LONG,
    IMAGE_ABNORMAL,
    ORDER_NOT_FOUND,
    DUPLICATE_ORDER,
    BLURRY,
    CARD_EXPIRED,
    BAD_DATE,
    DECODE_FAILED,
    NOT_FRONT,
    NOT_BACK,
    UNREADABLE,
    BAD_FORMAT,
    AUTHORITY_UNREADABLE,
    FAILED,
    CRYPTO_FAILED,
    bank::BANK_PREPROCESS,
    bank::BANK_FAILED,
    bank::BANK_BLURRY,
    bank::BANK_NOT_FOUND,
    bank::BANK_BAD_NUMBER,
    bank::BANK_TOO_LONG_ALT,
    bank::WARN_INVALID_DATE,
    bank::WARN_BORDER,
    bank::WARN_REFLECTION,
    bank::WARN_PHOTOCOPY,
    bank::WARN_RECAPTURED,
    bank::WARN_EXPIRED,
    // Face verification (PROTOCOL-FACE.md §7), in protocol/face_codes.rs.
    face::NO_RESULT,
    face::NOT_SAME_PERSON,
    face::NO_PHOTO,
    face::NAME_ID_MISMATCH,
    face::VIDEO_INVALID,
    face::OVER_LIMIT,
    face::TIMED_OUT,
    face::BUSY,
    face::DIGIT_EXPIRED,
    face::FACE_NOT_FRAMED,
    face::NO_SUCH_ID,
    face::MULTIPLE_FACES,
    face::FACE_COVERED,
    face::FACE_BLURRY,
    face::NOT_LIVE_VIDEO,
    face::SPOOF,
    face::LIVENESS_FAILED,
    face::NO_VIDEO_SUPPORT,
    face::COOKIE_LOST,
    face::INTERRUPTED,
    face::NO_CAMERA,
    face::NO_LIVE_MODE,
    face::SDK_CANCELLED,
    face::SDK_NO_PERMISSION,
    face::SDK_VIDEO_SIZE,
    face::SDK_TIMEOUT,
    face::SDK_RISK,
];

/// Looks a code up by its wire value.
pub fn find(code: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == code)
}

/// The catalog as the aligned text table `idocr-mock codes` prints.
pub fn render_table() -> String {
    let mut out = String::from("code      evidence  msg\n");
    for c in ALL {
        out.push_str(&format!("{:<9} {:<9} {}", c.code, c.evidence.as_str(), c.msg));
        if let Some(old) = c.legacy_msg {
            out.push_str(&format!("  (legacy: {old})"));
        }
        out.push_str(&format!("\n          when: {}\n          source: {}\n", c.when, c.source));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|b| b.code != a.code), "duplicate {}", a.code);
        }
    }

    #[test]
    fn gateway_shape_is_used_exactly_by_the_4001xx_and_4005xx_codes() {
        for c in ALL {
            let gateway = c.code.len() == 6 && (c.code.starts_with("4001") || c.code.starts_with("4005"));
            assert_eq!(c.shape == Shape::Gateway, gateway, "{}", c.code);
        }
    }

    #[test]
    fn legacy_texts_are_served_only_when_asked_for() {
        assert_eq!(BLURRY.msg(false), "请调整角度，保持清晰");
        assert_eq!(BLURRY.msg(true), "识别错误，非身份证件或图像质量问题");
        assert_eq!(CARD_EXPIRED.msg(true), "身份证已失效");
    }

    #[test]
    fn find_returns_the_entry_for_a_wire_code() {
        assert_eq!(find("66660020"), Some(&ORDER_NOT_FOUND));
        assert_eq!(find("nope"), None);
    }
}
