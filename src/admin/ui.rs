//! The console's files (`GET /__admin/ui`, issue #17), compiled into the binary: no CDN, no build
//! step, nothing read from disk at run time. A leaf: it knows paths and bytes, not hyper; the admin
//! router serves what [`asset`] returns with the headers of docs/console-api.md ([`HEADERS`]).

/// The console's Content-Security-Policy: everything from the mock itself; `data:` and `blob:`
/// images for the order thumbnails and the generated pictures.
pub const CSP: &str =
    "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Headers every console file is served with, besides its `Content-Type`.
pub(crate) const HEADERS: &[(&str, &str)] = &[
    ("cache-control", "no-cache"),
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
];

const INDEX: &str = include_str!("ui/index.html");
const APP_JS: &str = include_str!("ui/app.js");
const STYLE: &str = include_str!("ui/style.css");

/// The content type and body of the console file at `path` (after `/__admin/`), or `None` when
/// the path is not one of them.
pub(crate) fn asset(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "ui" | "ui/" | "ui/index.html" => Some(("text/html; charset=utf-8", INDEX)),
        "ui/app.js" => Some(("text/javascript; charset=utf-8", APP_JS)),
        "ui/style.css" => Some(("text/css; charset=utf-8", STYLE)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_two_files_are_served_with_their_content_types() {
        assert_eq!(asset("ui").map(|a| a.0), Some("text/html; charset=utf-8"));
        assert_eq!(asset("ui/"), asset("ui"));
        assert_eq!(asset("ui/app.js").map(|a| a.0), Some("text/javascript; charset=utf-8"));
        assert_eq!(asset("ui/style.css").map(|a| a.0), Some("text/css; charset=utf-8"));
    }

    #[test]
    fn other_paths_are_not_console_files() {
        for path in ["", "u", "ui/../Cargo.toml", "ui/app.js.map", "ui/APP.JS", "requests", "ui//app.js"] {
            assert_eq!(asset(path), None, "{path}");
        }
    }

    #[test]
    fn the_page_loads_only_files_that_asset_serves() {
        let (_, html) = asset("ui").expect("the page");
        for reference in html.split(['"', '\'']).filter(|s| s.starts_with('/')) {
            let path = reference.strip_prefix("/__admin/").expect("every reference is under /__admin/");
            assert!(asset(path).is_some(), "{reference} is referenced by the page but not served");
        }
    }

    #[test]
    fn nothing_in_the_files_names_another_host() {
        for path in ["ui", "ui/app.js", "ui/style.css"] {
            let (_, body) = asset(path).expect("served");
            for scheme in ["http://", "https://", "//cdn"] {
                assert!(!body.contains(scheme), "{path} contains {scheme}");
            }
        }
        let (_, css) = asset("ui/style.css").expect("served");
        assert!(!css.contains("url(") && !css.contains("@import"), "the style sheet loads another file");
    }

    #[test]
    fn the_page_has_no_inline_script_or_style_that_the_csp_would_block() {
        let (_, html) = asset("ui").expect("the page");
        assert!(!html.contains("<script>") && !html.contains("style="), "inline script or style in the page");
        let handler = html.split_whitespace().find(|w| w.starts_with("on") && w.contains('='));
        assert_eq!(handler, None, "an inline event handler in the page");
        assert!(CSP.starts_with("default-src 'self'"));
    }
}
