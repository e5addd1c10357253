//! The face-verification codes of PROTOCOL-FACE.md §7 as catalog entries (appended to
//! [`super::catalog::ALL`]): the server codes the queries answer, the codes a browser brings back
//! on the H5 redirect, and the SDK-side codes the admin completion call hands the app. Most texts
//! are `client` (one partner's table, C19) or `guess`: the vendor's own list (1007/47912) was not
//! found.

use super::catalog::{Code, Evidence, Shape};

const fn face(
    code: &'static str,
    msg: &'static str,
    evidence: Evidence,
    source: &'static str,
    when: &'static str,
) -> Code {
    Code { code, msg, legacy_msg: None, shape: Shape::Business, evidence, source, when }
}

use Evidence::*;

pub const NO_RESULT: Code = face(
    "66660011",
    "无此查询结果",
    Doc,
    "Q-QUERY, Q-SYNC (phrase) + C19 (text)",
    "queryfacerecord/sync/queryphotoinfo: unknown order, a flow that left no result (cancelled, risk, timeout, invalid video), or older than 3 days",
);
pub const NOT_SAME_PERSON: Code =
    face("66660004", "无法确认为同一人", Client, "C19", "face scenario face-low-similarity (redirect and query)");
pub const NO_PHOTO: Code =
    face("66660005", "无照片信息，无法比对", Client, "C19", "face scenario face-no-source-photo");
pub const NAME_ID_MISMATCH: Code =
    face("66660010", "姓名和身份证不一致，请确认", Client, "C19", "face scenario face-name-id-mismatch");
pub const VIDEO_INVALID: Code = face(
    "66660016",
    "视频格式或大小不合法",
    Doc,
    "Q-QUERY reason 4 (C19 writes video for 视频)",
    "face scenario face-video-invalid (redirect; the query then answers 66660011)",
);
pub const OVER_LIMIT: Code = face(
    "66660017",
    "验证次数超限",
    Doc,
    "Q-QUERY reason 1, C19",
    "face scenario face-over-limit (redirect; the query then answers 66660011)",
);
pub const TIMED_OUT: Code = face(
    "66660018",
    "操作超时，请退出重试",
    Doc,
    "Q-QUERY reason 3, C19; its use on the login page is a guess",
    "login with an h5faceId older than 5 minutes (page text; redirect code when resultType=1)",
);
pub const BUSY: Code =
    face("66660021", "网络不给力，Please wait for a moment", Client, "C19 (sic)", "face scenario face-busy");
pub const DIGIT_EXPIRED: Code =
    face("66660022", "动态数字失效，请重新验证", Client, "C19", "face scenario face-digit-expired");
pub const FACE_NOT_FRAMED: Code =
    face("66660023", "请确保本人操作且正脸对框", Client, "C19", "face scenario face-not-framed");
pub const NO_SUCH_ID: Code = face("66660024", "无此证件号码", Client, "C19", "face scenario face-id-not-found");
pub const MULTIPLE_FACES: Code = face("66660037", "照片出现多张脸", Client, "C19", "face scenario face-multiple-faces");
pub const FACE_COVERED: Code =
    face("66660041", "脸部有遮挡，请保持人脸清晰无遮挡", Client, "C19", "face scenario face-covered");
pub const FACE_BLURRY: Code =
    face("66660042", "照片模糊，请保持人脸清晰勿晃动", Client, "C19", "face scenario face-blurry");
pub const NOT_LIVE_VIDEO: Code = face(
    "400604",
    "上传的视频非实时录制",
    Doc,
    "Q-QUERY reason 5 (C19: 上送video非实时录制)",
    "face scenario face-not-live-video (redirect; the query then answers 66660011)",
);
pub const SPOOF: Code = face("1002", "疑似非真人录制", Client, "C19", "face scenario face-spoof");
pub const LIVENESS_FAILED: Code = face("1005", "活体检测未通过", Client, "C19", "face scenario face-liveness-fail");
pub const NO_VIDEO_SUPPORT: Code =
    face("3001", "该浏览器不支持视频录制", Doc, "Q-H5-LOGIN", "face scenario face-no-video-support (browser only)");
pub const COOKIE_LOST: Code =
    face("3002", "登录态异常，cookie 参数缺失", Doc, "Q-H5-LOGIN", "face scenario face-cookie-lost (browser only)");
pub const INTERRUPTED: Code =
    face("3003", "人脸核身中途中断", Doc, "U-114178", "face scenario face-user-cancelled (browser only)");
pub const NO_CAMERA: Code =
    face("3004", "无摄像头权限", Doc, "U-114178", "face scenario face-no-camera (browser only)");
pub const NO_LIVE_MODE: Code =
    face("3005", "该浏览器不支持实时检测模式", Doc, "U-114178", "face scenario face-no-live-mode (browser only)");
pub const SDK_CANCELLED: Code = face(
    "41000",
    "用户取消",
    Doc,
    "Q-SDK-ERR-A (iOS 42000)",
    "SDK side only: the admin completion of face-user-cancelled (domain WBFaceErrorDomainNativeProcess)",
);
pub const SDK_NO_PERMISSION: Code = face(
    "41002",
    "权限异常，未获取权限",
    Doc,
    "Q-SDK-ERR-A",
    "SDK side only: face-no-camera and the other browser-only failures",
);
pub const SDK_VIDEO_SIZE: Code =
    face("41006", "视频大小不满足要求", Doc, "Q-SDK-ERR-A", "SDK side only: face-video-invalid");
pub const SDK_TIMEOUT: Code =
    face("41007", "超时", Doc, "Q-SDK-ERR-A (iOS 42007)", "SDK side only: a faceId completed after 5 minutes");
pub const SDK_RISK: Code =
    face("41010", "风险控制超出次数", Doc, "Q-SDK-ERR-A (iOS 42010)", "SDK side only: face-over-limit");
