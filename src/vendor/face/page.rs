//! The mock's H5 pages: the face page (one button per face scenario, since the mock has no camera
//! to read), the result page that leads to the partner's `url`, and the error page of a refused
//! login (“签名不合法”, doc; its markup and HTTP status are guesses). Self-contained HTML, no
//! script from elsewhere; every value placed in them is escaped.

use crate::reply::{MockBody, Reply};
use crate::scenarios::face::ALL;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use hyper::{Response, StatusCode};

/// An HTML answer that no cache keeps (each page belongs to one login).
pub(crate) fn html(status: StatusCode, body: String) -> Reply {
    let mut r = Response::new(MockBody::Full(Some(Bytes::from(body))));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `302 Found` to `to` (the partner's url, checked to be a plain http(s) URL), with a link for
/// clients that do not follow redirects.
pub(crate) fn redirect(to: &str) -> Reply {
    let body = frame("跳转中", &format!("<p><a id=\"back\" href=\"{0}\">{0}</a></p>", escape(to)));
    let mut r = html(StatusCode::FOUND, body);
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// The page of a refused login: the text alone, as the service shows it.
pub(crate) fn error(text: &str) -> String {
    frame(text, &format!("<p id=\"error\" class=\"error\">{}</p>", escape(text)))
}

/// The face page: who is verified, and one button per face scenario.
pub(crate) fn buttons(id: &str, session: &str, finish: &str) -> String {
    let mut list = String::new();
    for s in ALL {
        let href = format!(
            "{finish}?id={}&session={}&scenario={}",
            crate::protocol::query::encode(id),
            crate::protocol::query::encode(session),
            s.name
        );
        list.push_str(&format!(
            "<li><a class=\"outcome\" data-scenario=\"{0}\" href=\"{1}\">{0}</a> <span>{2}</span></li>\n",
            escape(s.name),
            escape(&href),
            escape(s.description)
        ));
    }
    let body = format!(
        "<p>idocr-mock 人脸核身 (mock): no camera is used. Choose how this verification ends.</p>\n<ul>\n{list}</ul>"
    );
    frame("人脸核身", &body)
}

/// The result page (`resultType` ≠ 1): the outcome, then on to the partner's `url` (with
/// `location.replace` when `redirectType=1`), by a link or by itself after 2 s.
pub(crate) fn result(text: &str, passed: bool, to: &str, replace: bool) -> String {
    let title = if passed { "人脸核身成功" } else { "人脸核身失败" };
    let js_url = serde_json::to_string(to).unwrap_or_default().replace('<', "\\u003c");
    let go = if replace { format!("location.replace({js_url})") } else { format!("location.assign({js_url})") };
    let body = format!(
        "<p id=\"result\">{}</p>\n<p><a id=\"back\" href=\"{}\">完成</a></p>\n<script>setTimeout(function(){{{go}}}, 2000);</script>",
        escape(text),
        escape(to)
    );
    frame(title, &body)
}

fn frame(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>body{{font-family:sans-serif;margin:2em}}.error{{color:#b00}}li{{margin:.4em 0}}</style></head>\n\
         <body><h1>{}</h1>\n{body}\n</body></html>\n",
        escape(title),
        escape(title)
    )
}

/// Escapes text for HTML content and double-quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_face_page_has_one_escaped_button_per_scenario() {
        let p = buttons("wb1", "s&1", "/__face/finish");
        assert_eq!(p.matches("class=\"outcome\"").count(), ALL.len());
        assert!(p.contains("session=s%261&amp;scenario=face-pass"), "{p}");
        assert_eq!(escape("<a href=\"x\">'&"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
    }
}
