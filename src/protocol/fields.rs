//! The field checks every vendor endpoint shares, each written once: `version` (checked before the
//! app is looked up), the unknown-app refusal, and the `nonce` rule (docs/protocol.md §2, §5).

use super::catalog;
use super::Refusal;

/// The only `version` the service takes.
pub const VERSION: &str = "1.0.0";

/// `version`, checked before the app is looked up.
///
/// # Errors
/// `400502` for any other version (the detail goes to the log and the reason header only).
pub fn check_version(version: &str) -> Result<(), Refusal> {
    if version == VERSION {
        Ok(())
    } else {
        let detail = format!("version must be {VERSION}, not {version:?}: the only version is \"{VERSION}\"");
        Err(Refusal { code: &catalog::BAD_VERSION, detail })
    }
}

/// The refusal of an app id the mock is not configured with; `configured` lists the ones it is.
pub fn unknown_app<'a>(app: &str, configured: impl IntoIterator<Item = &'a str>) -> Refusal {
    let known: Vec<&str> = configured.into_iter().collect();
    Refusal {
        code: &catalog::NO_PERMISSION,
        detail: format!("unknown app id {app:?} (configured: {})", known.join(", ")),
    }
}

/// `nonce`: exactly 32 ASCII letters or digits.
///
/// # Errors
/// `400101`, whose detail the service puts in the wire `msg`.
pub fn check_nonce(nonce: &str) -> Result<(), Refusal> {
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Refusal::bad_request(format!(
            "nonce must be exactly 32 letters or digits (got {} characters)",
            nonce.chars().count()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_version_one_nonce_shape_and_an_unknown_app_named_with_the_configured_ones() {
        assert!(check_version("1.0.0").is_ok());
        let r = check_version("2.0.0").unwrap_err();
        assert_eq!(r.code.code, "400502");
        assert!(r.detail.contains("version must be 1.0.0") && r.detail.contains("only version"), "{}", r.detail);
        assert!(check_nonce(&"a1".repeat(16)).is_ok());
        for bad in ["short", &"a".repeat(33), &format!("{}-", "a".repeat(31))] {
            assert_eq!(check_nonce(bad).unwrap_err().code.code, "400101", "{bad}");
        }
        let r = unknown_app("NOPE", ["TIDAMOCK", "OTHER"]);
        assert_eq!(
            (r.code.code, r.detail.as_str()),
            ("400104", "unknown app id \"NOPE\" (configured: TIDAMOCK, OTHER)")
        );
    }
}
