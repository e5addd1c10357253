//! The bank-card OCR codes (docs/protocol.md §13.3, doc Q-BANK-ERR, texts verbatim): the
//! recognition errors `bankcardocrapp` answers instead of a result, and the warning codes a
//! result carries in `warningCode`/`multiWarningCode` with `code` "0". Listed in
//! [`super::catalog::ALL`] with the rest of the catalog.

use super::catalog::{code, Code, Evidence::*, Shape::*};

const SOURCE: &str = "Q-BANK-ERR (银行卡OCR错误码.md)";

pub const BANK_PREPROCESS: Code =
    code("-9010", "银行卡 OCR 预处理错误", Business, Doc, SOURCE, "bankcardocrapp: scenario bank-preprocess");
pub const BANK_FAILED: Code =
    code("-9011", "银行卡 OCR 识别失败", Business, Doc, SOURCE, "bankcardocrapp: scenario bank-fail");
pub const BANK_BLURRY: Code = code("-9012", "图片模糊", Business, Doc, SOURCE, "bankcardocrapp: scenario bank-blurry");
pub const BANK_NOT_FOUND: Code =
    code("-9013", "未找到银行卡", Business, Doc, SOURCE, "bankcardocrapp: scenario bank-not-found");
pub const BANK_BAD_NUMBER: Code =
    code("-9014", "卡号不合法", Business, Doc, SOURCE, "bankcardocrapp: scenario bank-bad-number");
pub const BANK_TOO_LONG_ALT: Code = code(
    "-1304",
    "参数过长",
    Business,
    Doc,
    "Q-BANK-ERR writes `66660000/-1304`",
    "not used: the mock answers 66660000 (which of the two the wire carries is not documented)",
);

/// The warning codes: never an answer's `code`, only its `warningCode`/`multiWarningCode`.
pub const WARN_INVALID_DATE: Code = code(
    "-9110",
    "无效的日期信息",
    Business,
    Doc,
    SOURCE,
    "bank-card warning (code stays 0): scenario bank-invalid-date; bankcardValidDate is then \"\" (guess)",
);
pub const WARN_BORDER: Code = code(
    "-9111",
    "边框不完整",
    Business,
    Doc,
    SOURCE,
    "bank-card warning (code stays 0): scenario bank-border-incomplete",
);
pub const WARN_REFLECTION: Code =
    code("-9112", "银行卡反光", Business, Doc, SOURCE, "bank-card warning (code stays 0): scenario bank-reflection");
pub const WARN_PHOTOCOPY: Code =
    code("-9113", "银行卡复印件", Business, Doc, SOURCE, "bank-card warning (code stays 0): scenario bank-photocopy");
pub const WARN_RECAPTURED: Code =
    code("-9114", "银行卡翻拍件", Business, Doc, SOURCE, "bank-card warning (code stays 0): scenario bank-recaptured");
pub const WARN_EXPIRED: Code = code(
    "66661009",
    "银行卡已过期",
    Business,
    Doc,
    SOURCE,
    "bank-card warning (code stays 0): scenario bank-expired; bankcardValidDate is then in the past",
);

/// The warning codes, in the doc's order.
pub const WARNINGS: &[Code] =
    &[WARN_INVALID_DATE, WARN_BORDER, WARN_REFLECTION, WARN_PHOTOCOPY, WARN_RECAPTURED, WARN_EXPIRED];

/// `true` for a bank-card warning code (which a scenario may not answer as an error).
pub fn is_warning(code: &str) -> bool {
    WARNINGS.iter().any(|w| w.code == code)
}

/// `warningCode` and `multiWarningCode` of a result with `warnings`: `"0"` and `"0"` when clean
/// (doc); else the first code, and every code joined by commas (`-9110,-9111`; the doc writes
/// “以 [-9110,-9111,-9114] 方式显示”, whether the brackets are on the wire is a guess: they are not).
pub fn warning_fields(warnings: &[&Code]) -> (String, String) {
    match warnings.first() {
        None => ("0".into(), "0".into()),
        Some(first) => (first.code.to_string(), warnings.iter().map(|w| w.code).collect::<Vec<_>>().join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_result_says_0_and_a_warned_one_lists_its_codes() {
        assert_eq!(warning_fields(&[]), ("0".into(), "0".into()));
        assert_eq!(warning_fields(&[&WARN_BORDER, &WARN_EXPIRED]), ("-9111".into(), "-9111,66661009".into()));
        assert!(is_warning("-9114") && is_warning("66661009") && !is_warning("-9014"));
    }

    #[test]
    fn every_code_of_the_bank_card_doc_is_in_the_catalog_with_its_text_and_level() {
        let doc = [
            ("66660000", "参数过长"),
            ("-1304", "参数过长"),
            ("-9010", "银行卡 OCR 预处理错误"),
            ("-9011", "银行卡 OCR 识别失败"),
            ("-9012", "图片模糊"),
            ("-9013", "未找到银行卡"),
            ("-9014", "卡号不合法"),
            ("-9110", "无效的日期信息"),
            ("-9111", "边框不完整"),
            ("-9112", "银行卡反光"),
            ("-9113", "银行卡复印件"),
            ("-9114", "银行卡翻拍件"),
            ("66661009", "银行卡已过期"),
        ];
        for (code, msg) in doc {
            let entry = crate::protocol::catalog::find(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(entry.msg, msg, "{code}");
            // 66660000 is documented here but a guess for the ID card, which shares the entry.
            let level = if code == "66660000" { "guess" } else { "doc" };
            assert_eq!(entry.evidence.as_str(), level, "{code}");
        }
    }
}
