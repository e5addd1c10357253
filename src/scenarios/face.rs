//! The face-verification scenarios of PROTOCOL-FACE.md §12, as data: what the browser brings back
//! on the redirect, what queryfacerecord/sync answer afterwards, and what the SDK hands the app.
//! Their names start with `face-`, so they sit beside the OCR scenarios without a clash;
//! `idocr-mock scenarios` lists them after those.

use crate::protocol::catalog::{self, Code};
use crate::protocol::face_codes as face;

/// What a face verification ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FaceScenario {
    pub(crate) name: &'static str,
    /// One line: what the partner sees.
    pub(crate) description: &'static str,
    /// The redirect's `code` (and the SDK's error code when `sdk` is `None`).
    pub(crate) code: &'static Code,
    /// Text shown on the mock's result page (the catalog msg unless the redirect doc says otherwise).
    pub(crate) page_text: &'static str,
    /// `liveRate` on the redirect and in the record: only when liveness passed (doc).
    pub(crate) live_rate: Option<&'static str>,
    pub(crate) similarity: Option<&'static str>,
    /// Whether queryfacerecord finds a record (`false`: 66660011, doc Q-QUERY reasons 1–5).
    pub(crate) record: bool,
    /// Whether the record carries a photo and a video (doc: "code 非 0 时，有时不返回图片和视频").
    pub(crate) files: bool,
    /// The photo and video arrive 1 s of mock time after completion.
    pub(crate) files_late: bool,
    /// The redirect carries no `newSignature` (the partner holds no live SIGN ticket, doc Q-FRONT).
    pub(crate) unsigned: bool,
    /// The SDK-side code when it differs from `code` (41000 用户取消, …), with its domain.
    pub(crate) sdk: Option<(&'static Code, &'static str)>,
    pub(crate) evidence: &'static str,
}

const fn s(name: &'static str, description: &'static str, code: &'static Code, evidence: &'static str) -> FaceScenario {
    FaceScenario {
        name,
        description,
        code,
        page_text: code.msg,
        live_rate: None,
        similarity: None,
        record: true,
        files: false,
        files_late: false,
        unsigned: false,
        sdk: None,
        evidence,
    }
}

const COMPARE: &str = "WBFaceErrorDomainCompareServer";
const NATIVE: &str = "WBFaceErrorDomainNativeProcess";

/// The name of the scenario a verification passes with.
pub(crate) const PASS: &str = "face-pass";

/// Every face scenario, in the order the page's buttons and the listings show them.
pub(crate) const ALL: &[FaceScenario] = &[
    FaceScenario {
        live_rate: Some("99"),
        similarity: Some("88.01"),
        files: true,
        ..s(
            PASS,
            "verified: code 0, liveRate 99, similarity 88.01, photo and video",
            &catalog::SUCCESS,
            "doc examples; seen C16, C17",
        )
    },
    FaceScenario {
        live_rate: Some("99"),
        similarity: Some("38.12"),
        ..s(
            "face-low-similarity",
            "not the same person: 66660004, liveRate present, low similarity, no files",
            &face::NOT_SAME_PERSON,
            "client C19 (code family a guess, §7.4)",
        )
    },
    FaceScenario {
        sdk: Some((&face::LIVENESS_FAILED, COMPARE)),
        ..s("face-liveness-fail", "liveness failed: 1005, no liveRate", &face::LIVENESS_FAILED, "client C19")
    },
    s("face-spoof", "suspected recording: 1002, no liveRate", &face::SPOOF, "client C19"),
    FaceScenario {
        live_rate: Some("99"),
        ..s("face-name-id-mismatch", "name and id number disagree: 66660010", &face::NAME_ID_MISMATCH, "client C19")
    },
    FaceScenario {
        live_rate: Some("99"),
        ..s("face-id-not-found", "no such id number: 66660024", &face::NO_SUCH_ID, "client C19")
    },
    FaceScenario {
        live_rate: Some("99"),
        ..s("face-no-source-photo", "no photo to compare with: 66660005", &face::NO_PHOTO, "client C19")
    },
    FaceScenario {
        record: false,
        sdk: Some((&face::SDK_CANCELLED, NATIVE)),
        ..s(
            "face-user-cancelled",
            "the user quit: 3003 on the redirect, 66660011 afterwards, SDK 41000",
            &face::INTERRUPTED,
            "doc U-114178, Q-QUERY reason 2, Q-SDK-ERR",
        )
    },
    FaceScenario {
        record: false,
        sdk: Some((&face::SDK_RISK, COMPARE)),
        ..s(
            "face-over-limit",
            "risk control: 66660017, 66660011 afterwards, SDK 41010",
            &face::OVER_LIMIT,
            "doc Q-QUERY reason 1",
        )
    },
    FaceScenario {
        record: false,
        sdk: Some((&face::SDK_VIDEO_SIZE, NATIVE)),
        ..s(
            "face-video-invalid",
            "bad video: 66660016, 66660011 afterwards",
            &face::VIDEO_INVALID,
            "doc Q-QUERY reason 4",
        )
    },
    FaceScenario {
        record: false,
        ..s(
            "face-not-live-video",
            "video not recorded live: 400604, 66660011 afterwards",
            &face::NOT_LIVE_VIDEO,
            "doc Q-QUERY reason 5",
        )
    },
    FaceScenario {
        record: false,
        sdk: Some((&face::SDK_NO_PERMISSION, NATIVE)),
        ..s(
            "face-no-video-support",
            "browser cannot record video: 3001, 66660011 afterwards (guess)",
            &face::NO_VIDEO_SUPPORT,
            "doc Q-H5-LOGIN",
        )
    },
    FaceScenario {
        record: false,
        ..s(
            "face-cookie-lost",
            "login state lost: 3002, 66660011 afterwards (guess)",
            &face::COOKIE_LOST,
            "doc Q-H5-LOGIN",
        )
    },
    FaceScenario {
        record: false,
        sdk: Some((&face::SDK_NO_PERMISSION, NATIVE)),
        ..s(
            "face-no-camera",
            "no camera permission: 3004, 66660011 afterwards (guess)",
            &face::NO_CAMERA,
            "doc U-114178",
        )
    },
    FaceScenario {
        record: false,
        ..s(
            "face-no-live-mode",
            "no live detection mode: 3005, 66660011 afterwards (guess)",
            &face::NO_LIVE_MODE,
            "doc U-114178",
        )
    },
    FaceScenario {
        record: false,
        page_text: "报文包体问题",
        ..s(
            "face-bad-packet",
            "bad packet: 300101 报文包体问题, 66660011 afterwards (guess)",
            &catalog::CRYPTO_FAILED,
            "doc Q-H5-BACK",
        )
    },
    FaceScenario {
        files_late: true,
        ..FaceScenario {
            name: "face-files-late",
            description: "verified, but photo and video arrive 1 s (mock time) after completion",
            ..ALL_PASS
        }
    },
    FaceScenario {
        unsigned: true,
        ..FaceScenario {
            name: "face-no-sign-ticket",
            description: "verified, but the redirect carries no newSignature (guess)",
            evidence: "doc Q-FRONT; what is sent is a guess",
            ..ALL_PASS
        }
    },
    s("face-digit-expired", "dynamic digits expired: 66660022", &face::DIGIT_EXPIRED, "client C19"),
    s("face-not-framed", "face not in frame: 66660023", &face::FACE_NOT_FRAMED, "client C19"),
    s("face-multiple-faces", "several faces: 66660037", &face::MULTIPLE_FACES, "client C19"),
    s("face-covered", "face covered: 66660041", &face::FACE_COVERED, "client C19"),
    s("face-blurry", "photo blurry: 66660042", &face::FACE_BLURRY, "client C19"),
    FaceScenario {
        record: false,
        ..s("face-busy", "service busy: 66660021, 66660011 afterwards (guess)", &face::BUSY, "client C19")
    },
];

const ALL_PASS: FaceScenario = FaceScenario {
    live_rate: Some("99"),
    similarity: Some("88.01"),
    files: true,
    ..s(PASS, "", &catalog::SUCCESS, "doc Q-QUERY")
};

/// The face scenario called `name`.
pub(crate) fn find(name: &str) -> Option<&'static FaceScenario> {
    ALL.iter().find(|s| s.name == name)
}

/// How a face outcome is chosen in advance, as `idocr-mock scenarios` says it (`faces::choose`).
pub(crate) const CHOSEN: &str = "chosen, first match wins: X-Idocr-Scenario on geth5faceid/getfaceid/getAdvFaceId, \
the app's face queue, the app's face default (/__admin/apps/{id}/face/queue, /face/scenario), \
the mock's face queue, the mock's face default (/__admin/face/queue, /face/scenario), \
else the face page's buttons (SDK: the scenario sent to /__admin/face/complete comes first, face-pass last)\n\n";

/// The face scenarios as the text `idocr-mock scenarios` prints after the OCR ones.
pub(crate) fn render_table() -> String {
    let width = ALL.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::from("\nface verification (H5 redirect, queryfacerecord/sync, SDK completion):\n");
    out.push_str(CHOSEN);
    for s in ALL {
        out.push_str(&format!("{:<width$}  {}\n{:<width$}  evidence: {}\n", s.name, s.description, "", s.evidence));
    }
    out
}

/// One face scenario as JSON, for `GET /__admin/face/scenarios` and `idocr-mock scenarios --json`.
pub(crate) fn to_json(s: &FaceScenario) -> serde_json::Value {
    serde_json::json!({
        "name": s.name, "description": s.description, "kind": "face", "code": s.code.code,
        "msg": s.page_text, "liveRate": s.live_rate, "record": s.record, "files": s.files,
        "evidence": s.evidence,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_listing_says_how_a_face_outcome_is_chosen_in_advance() {
        let t = super::render_table();
        let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} missing from {t}"));
        assert!(at("X-Idocr-Scenario") < at("the app's face queue"));
        assert!(at("the app's face default") < at("the mock's face queue"));
        assert!(at("the mock's face default") < at("buttons"));
    }

    use super::*;

    #[test]
    fn face_scenario_names_are_unique_and_prefixed() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.name.starts_with("face-"), "{}", a.name);
            assert!(ALL[i + 1..].iter().all(|b| b.name != a.name), "duplicate {}", a.name);
        }
    }

    #[test]
    fn only_a_passed_liveness_carries_a_live_rate() {
        for s in ALL {
            if s.code.code == "1005" || s.code.code == "1002" || !s.record {
                assert!(s.live_rate.is_none(), "{}", s.name);
            }
        }
        assert_eq!(find(PASS).unwrap().live_rate, Some("99"));
    }
}
