//! The one table of `/__admin/` routes ([`ROUTES`]): the router parses a request's method and path
//! against it once ([`find`]), and the 404 lists it, so a route cannot be served and missing from
//! the listing. A route marked `per_app` is also served under `/__admin/apps/{id}/…`, on that
//! app's own state (see `admin::apps`).
//!
//! Imports: nothing of the crate.

/// Which handler a route goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    Ui,
    Health,
    Codes,
    Events,
    Image,
    Tokens,
    Orders,
    Order,
    Requests,
    RequestsCount,
    ClearRequests,
    Reset,
    Metrics,
    Catalog,
    Scenario,
    SetScenario,
    Queue,
    Enqueue,
    ClearQueue,
    Clock,
    MoveClock,
    VerifyNonceSign,
    Secret,
    Apps,
    CreateApp,
    App,
    DeleteApp,
    FaceScenarios,
    SetFaceScenario,
    FaceQueue,
    FaceComplete,
}

/// One admin route: method, path after `/__admin/` (`{…}` is one path segment), what it does.
pub(crate) struct Row {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) what: &'static str,
    /// Also served under `/__admin/apps/{id}/`, for that app alone.
    pub(crate) per_app: bool,
    pub(crate) name: Name,
}

const fn row(method: &'static str, path: &'static str, name: Name, per_app: bool, what: &'static str) -> Row {
    Row { method, path, what, per_app, name }
}

/// Every admin route, in the order the 404 lists them.
pub(crate) const ROUTES: &[Row] = &[
    row("GET", "health", Name::Health, false, "the version; with the admin token also the seed, apps and store sizes"),
    row("GET", "ui", Name::Ui, false, "the browser console (no token needed: the page holds no data)"),
    row("GET", "codes", Name::Codes, false, "the vendor error catalog, as `idocr-mock codes --json`"),
    row("GET", "events", Name::Events, false, "the journal as server-sent events (the requests filters, since=)"),
    row("GET", "image", Name::Image, false, "a marked card picture: ?scenario=&side=&format=&name=&idcard="),
    row(
        "GET",
        "requests",
        Name::Requests,
        true,
        "the journal: ?path=&method=&code=&scenario=&order_no=&app_id=&since=&limit=",
    ),
    row(
        "GET",
        "requests/count",
        Name::RequestsCount,
        true,
        "how many journal entries match the same filters (plain text)",
    ),
    row("DELETE", "requests", Name::ClearRequests, true, "empty the journal"),
    row("GET", "orders", Name::Orders, true, "stored orders, newest first, without images: ?limit=&app_id="),
    row("GET", "orders/{orderNo}", Name::Order, true, "one stored order: ?images=1&app_id="),
    row("GET", "tokens", Name::Tokens, true, "usable access tokens and tickets, masked, with time left"),
    row("GET", "metrics", Name::Metrics, true, "Prometheus counters and store sizes"),
    row("GET", "scenarios", Name::Catalog, true, "the scenario catalog, the default and the queue"),
    row("GET", "scenario", Name::Scenario, true, "the default scenario and the queue"),
    row("PUT", "scenario", Name::SetScenario, true, "set the default scenario: {\"name\": \"server-busy\"}"),
    row("GET", "scenario/queue", Name::Queue, true, "the queued script"),
    row(
        "POST",
        "scenario/queue",
        Name::Enqueue,
        true,
        "queue scenarios for the next calls: {\"scenarios\": [\"blurry\", …]}",
    ),
    row("DELETE", "scenario/queue", Name::ClearQueue, true, "empty the queue"),
    row("GET", "clock", Name::Clock, true, "the mock's clock and its offset from real time"),
    row(
        "POST",
        "clock",
        Name::MoveClock,
        true,
        "{\"advance_seconds\": N} | {\"set\": \"2026-01-01T08:00:00+08:00\"} | {\"reset\": true}",
    ),
    row("POST", "reset", Name::Reset, true, "back to startup state (under apps/{id}/: that app alone)"),
    row(
        "POST",
        "verify-nonce-sign",
        Name::VerifyNonceSign,
        false,
        "check an SDK-login sign: {\"appId\",\"userId\",\"nonce\",\"version\",\"sign\"}",
    ),
    row("GET", "apps", Name::Apps, false, "every app (configured and made at run time) with its state sizes"),
    row(
        "POST",
        "apps",
        Name::CreateApp,
        false,
        "make an app: {\"id\",\"secret\",\"sign_tickets\",\"scenario\",\"face_scenario\",\"ttl_seconds\"}, all optional",
    ),
    row("GET", "apps/{id}", Name::App, false, "one app, its settings and state sizes"),
    row("DELETE", "apps/{id}", Name::DeleteApp, false, "remove an app made at run time and everything it owns"),
    row(
        "PUT",
        "apps/{id}/secret",
        Name::Secret,
        false,
        "change an app's secret (revokes its tokens): {\"secret\": \"…\"}",
    ),
    row("GET", "face/scenarios", Name::FaceScenarios, true, "the face scenarios, the face default and the face queue"),
    row(
        "PUT",
        "face/scenario",
        Name::SetFaceScenario,
        true,
        "the outcome of every face login: {\"name\": \"face-pass\"}; {\"name\": null}: the buttons (an app's: the mock's)",
    ),
    row(
        "POST",
        "face/queue",
        Name::FaceQueue,
        true,
        "outcomes for the next face logins: {\"scenarios\": [\"face-pass\", …]}",
    ),
    row(
        "POST",
        "face/complete",
        Name::FaceComplete,
        false,
        "end an App SDK verification: {\"faceId\", \"scenario\"}; answers the SDK's result and sign",
    ),
];

/// What a method and path (after `/__admin/`) are.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// A route; `app` when it came under `/__admin/apps/{app}/`, `param` the `{…}` segment.
    Route {
        name: Name,
        app: Option<&'a str>,
        param: Option<&'a str>,
    },
    /// The path is a route, but not for this method.
    WrongMethod {
        allow: Vec<&'static str>,
    },
    Missing,
}

/// Parses `method` and `path` (after `/__admin/`, without the query) against [`ROUTES`].
pub(crate) fn find<'a>(method: &str, path: &'a str) -> Found<'a> {
    let path = path.trim_end_matches('/');
    let (scoped, app, rest) = match per_app(path) {
        Some((app, rest)) => (true, Some(app), rest),
        None => (false, None, path),
    };
    let mut allow = Vec::new();
    for r in ROUTES.iter().filter(|r| !scoped || r.per_app) {
        if let Some(param) = matches(r.path, rest) {
            if r.method == method || (method == "HEAD" && r.method == "GET" && r.name == Name::Ui) {
                return Found::Route { name: r.name, app, param };
            }
            allow.push(r.method);
        }
    }
    if allow.is_empty() {
        Found::Missing
    } else {
        Found::WrongMethod { allow }
    }
}

/// `apps/{id}/REST` with REST a per-app route: `(id, REST)`.
fn per_app(path: &str) -> Option<(&str, &str)> {
    let (id, rest) = path.strip_prefix("apps/")?.split_once('/')?;
    let first = rest.split('/').next().unwrap_or("");
    let is_per_app = ROUTES.iter().any(|r| r.per_app && r.path.split('/').next() == Some(first));
    (!id.is_empty() && is_per_app).then_some((id, rest))
}

/// `Some(param)` when `path` fits `pattern` (`Some(None)` for a pattern without a `{…}` segment).
fn matches<'a>(pattern: &str, path: &'a str) -> Option<Option<&'a str>> {
    let (mut want, mut got) = (pattern.split('/'), path.split('/'));
    let mut param = None;
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(param),
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => param = Some(g),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// Every route as `METHOD /__admin/PATH — what it does`, per-app routes also under `apps/{id}/`.
pub(crate) fn listing() -> Vec<String> {
    let global = ROUTES.iter().map(|r| format!("{} /__admin/{} — {}", r.method, r.path, r.what));
    let scoped = ROUTES
        .iter()
        .filter(|r| r.per_app)
        .map(|r| format!("{} /__admin/apps/{{id}}/{} — for that app alone: {}", r.method, r.path, r.what));
    global.chain(scoped).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_parsed_once_into_its_route_scope_and_parameter() {
        let route = |app, param| move |name| Found::Route { name, app, param };
        assert_eq!(find("GET", "requests"), route(None, None)(Name::Requests));
        assert_eq!(find("GET", "orders/abc"), route(None, Some("abc"))(Name::Order));
        assert_eq!(find("GET", "apps/JOB1/orders/abc"), route(Some("JOB1"), Some("abc"))(Name::Order));
        assert_eq!(find("POST", "apps/JOB1/reset"), route(Some("JOB1"), None)(Name::Reset));
        assert_eq!(find("DELETE", "apps/JOB1"), route(None, Some("JOB1"))(Name::DeleteApp));
        assert_eq!(find("PUT", "apps/JOB1/secret"), route(None, Some("JOB1"))(Name::Secret));
        assert_eq!(find("GET", "scenario/queue/"), route(None, None)(Name::Queue));
        assert_eq!(find("PUT", "apps/JOB1/face/scenario"), route(Some("JOB1"), None)(Name::SetFaceScenario));
        assert_eq!(find("POST", "apps/JOB1/face/complete"), Found::Missing, "a faceId names its app");
    }

    #[test]
    fn a_known_path_with_another_method_is_told_the_methods_and_others_are_missing() {
        assert_eq!(find("PATCH", "scenario/queue"), Found::WrongMethod { allow: vec!["GET", "POST", "DELETE"] });
        assert_eq!(find("GET", "nope"), Found::Missing);
        assert_eq!(find("GET", "apps/JOB1/codes"), Found::Missing, "codes is not per app");
        assert_eq!(find("GET", "orders/"), Found::Route { name: Name::Orders, app: None, param: None });
    }

    #[test]
    fn the_listing_names_every_route_and_every_per_app_route_under_apps() {
        let all = listing();
        for r in ROUTES {
            assert!(all.iter().any(|l| l.starts_with(&format!("{} /__admin/{} — ", r.method, r.path))), "{}", r.path);
        }
        assert!(all.iter().any(|l| l.starts_with("POST /__admin/apps/{id}/reset — for that app alone")));
    }
}
