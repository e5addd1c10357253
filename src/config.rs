//! What the server is told at startup: the apps it knows (id, secret, static tickets), the limits
//! it enforces and the switches that pick between documented and lenient behaviour. Built from
//! flags, `IDOCR_MOCK_*` variables and an optional TOML file.
//!
//! Imports: `error`, `image`, `protocol` (the bottom layer). The scenario files are kept as read
//! ([`Fixtures`]); the scenario store builds its catalog from them.

use crate::error::StartupError;
use crate::image::LineBreaks;
use crate::protocol::sign::SignCase;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The scenario served when nothing else is asked for.
pub const DEFAULT_SCENARIO: &str = "success";
pub const DEFAULT_APP_ID: &str = "TIDAMOCK";
pub const DEFAULT_SECRET: &str = "idocr-mock-secret";
pub const DEFAULT_SIGN_TICKET: &str = "idocr-mock-sign-ticket";
/// The documented length of `idcardStr` (docs/protocol.md §5).
pub const DEFAULT_IMAGE_CAP: usize = 3_145_728;
/// Well above the newer doc's 20 MB images, so an over-cap image still gets a business code.
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;
/// Request bodies held at once, all connections together: 64 concurrent 3 MB uploads fit many times.
pub const DEFAULT_BODY_BUDGET: usize = 512 * 1024 * 1024;
/// `--max-admin-body`: every admin call takes a small JSON object.
pub const DEFAULT_MAX_ADMIN_BODY: usize = 64 * 1024;
/// `--max-held`, at most: held faults never take more than a quarter of `--max-connections`.
pub const DEFAULT_MAX_HELD: usize = 64;
pub const DEFAULT_JOURNAL_LIMIT: usize = 1000;
/// `--journal-max-bytes`: 64 MiB.
pub const DEFAULT_JOURNAL_MAX_BYTES: usize = 64 << 20;
pub const DEFAULT_MAX_ORDERS: usize = 10_000;
/// 256 MiB of stored images.
pub const DEFAULT_MAX_ORDER_BYTES: usize = 256 * 1024 * 1024;
/// `--max-apps`: apps made at run time (`POST /__admin/apps`) at once.
pub const DEFAULT_MAX_APPS: usize = 1000;
/// `--app-idle-seconds`: an app made at run time without its own `ttl_seconds` goes after an hour
/// without a call naming it.
pub const DEFAULT_APP_IDLE_SECONDS: u64 = 3600;
/// How long the `slow` scenario waits.
pub const DEFAULT_SLOW_MS: u64 = 3_000;
/// How long the `hang` scenario holds a connection: longer than any sane client timeout.
pub const DEFAULT_HANG_MS: u64 = 120_000;

/// One partner app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    pub id: String,
    pub secret: String,
    /// Static SIGN tickets: valid forever, besides the ones the token flow issues.
    #[serde(default)]
    pub sign_tickets: Vec<String>,
}

impl App {
    pub fn default_app() -> Self {
        App { id: DEFAULT_APP_ID.into(), secret: DEFAULT_SECRET.into(), sign_tickets: vec![DEFAULT_SIGN_TICKET.into()] }
    }
}

/// Whether signs are verified at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignCheck {
    #[default]
    Verify,
    /// `--no-sign-check`: any sign is accepted.
    Off,
}

/// Which texts of the three codes whose `msg` changed between doc versions are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Texts {
    #[default]
    Current,
    Legacy,
}

/// What a repeated `orderNo` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicateOrders {
    /// Front and back of one card share an order; some clients collide under load.
    #[default]
    Allow,
    /// `--reject-duplicate-orders`: the doc's "每次唯一", enforced.
    Reject,
}

/// Everything the server needs to know, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub apps: Vec<App>,
    /// Drives every random choice; logged at startup so a run can be reproduced.
    pub seed: u64,
    pub image_cap: usize,
    pub max_body: usize,
    /// The largest body of an `/__admin/` call (`--max-admin-body`).
    pub max_admin_body: usize,
    /// Bytes of request bodies held at once by all connections (`--body-budget`).
    pub body_budget: usize,
    pub sign_check: SignCheck,
    pub sign_case: SignCase,
    pub line_breaks: LineBreaks,
    pub texts: Texts,
    pub duplicate_orders: DuplicateOrders,
    /// Whether issued tokens and tickets expire (`--tickets-never-expire`).
    pub expiry: Expiry,
    /// How `expire_in` is written (`--expire-in-as-string`).
    pub expire_in: ExpireIn,
    pub max_connections: usize,
    /// Requests one keep-alive connection may carry before the mock closes it.
    pub max_requests_per_connection: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// Requests the journal keeps (`--journal-limit`); the oldest go first.
    pub journal_limit: usize,
    /// Bytes the journal's entries may hold (`--journal-max-bytes`); the oldest go first.
    pub journal_max_bytes: usize,
    /// Orders the store keeps (`--max-orders`).
    pub max_orders: usize,
    /// Image bytes the store keeps (`--max-order-bytes`).
    pub max_order_bytes: usize,
    /// Where orders survive a restart (`--data-dir`).
    pub data_dir: Option<std::path::PathBuf>,
    /// Apps made at run time at once (`--max-apps`); past it `POST /__admin/apps` answers 429.
    pub max_apps: usize,
    /// Idle life of an app made at run time without its own `ttl_seconds` (`--app-idle-seconds`).
    pub app_idle_seconds: u64,
    /// Bearer token every admin call must carry (`--admin-token`).
    pub admin_token: Option<String>,
    /// The scenario files of `--fixtures DIR`, as read and checked at startup; they add to or
    /// replace the built-in scenarios.
    pub scenarios: Fixtures,
    /// The scenario served when nothing else is asked for (`--scenario`).
    pub scenario: String,
    /// How long `slow` waits before answering.
    pub slow_delay: Duration,
    /// How long `hang` holds a connection before closing it.
    pub hang_for: Duration,
    /// Held faults (`hang`, `slow`, `dribble`) at once (`--max-held`); `None`: a quarter of
    /// `--max-connections`, at most [`DEFAULT_MAX_HELD`] (see [`Config::max_held`]).
    pub max_held: Option<usize>,
    /// The host (and port) geth5faceid and getAdvFaceId answer as `optimalDomain`
    /// (`--face-domain`); `None`: the `Host` the request came to, i.e. the mock itself.
    pub face_domain: Option<String>,
    /// How the face endpoints check their signs (`--face-sign`).
    pub face_sign: FaceSign,
}

/// How strictly the face endpoints check their signs (PROTOCOL-FACE.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FaceSign {
    /// The documented rules, except that getfaceid/getAdvFaceId also take the variants real
    /// clients send (a NONCE ticket of the user, no `nonce`), as the real service seems to.
    #[default]
    Documented,
    /// The documented rules everywhere.
    Strict,
    /// Also a login URL signed with a SIGN ticket (C11, C13, C14).
    Lenient,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            apps: vec![App::default_app()],
            seed: 0,
            image_cap: DEFAULT_IMAGE_CAP,
            max_body: DEFAULT_MAX_BODY,
            max_admin_body: DEFAULT_MAX_ADMIN_BODY,
            body_budget: DEFAULT_BODY_BUDGET,
            sign_check: SignCheck::Verify,
            sign_case: SignCase::Insensitive,
            line_breaks: LineBreaks::Strip,
            texts: Texts::Current,
            duplicate_orders: DuplicateOrders::Allow,
            expiry: Expiry::Documented,
            expire_in: ExpireIn::Number,
            max_connections: 1024,
            max_requests_per_connection: 1000,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            journal_limit: DEFAULT_JOURNAL_LIMIT,
            journal_max_bytes: DEFAULT_JOURNAL_MAX_BYTES,
            max_orders: DEFAULT_MAX_ORDERS,
            max_order_bytes: DEFAULT_MAX_ORDER_BYTES,
            data_dir: None,
            max_apps: DEFAULT_MAX_APPS,
            app_idle_seconds: DEFAULT_APP_IDLE_SECONDS,
            admin_token: None,
            scenarios: Fixtures::default(),
            scenario: DEFAULT_SCENARIO.into(),
            slow_delay: Duration::from_millis(DEFAULT_SLOW_MS),
            hang_for: Duration::from_millis(DEFAULT_HANG_MS),
            max_held: None,
            face_domain: None,
            face_sign: FaceSign::Documented,
        }
    }
}

impl Config {
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    /// How many held faults may be in progress at once: `--max-held`, or a quarter of
    /// `--max-connections` (at most [`DEFAULT_MAX_HELD`]), so held connections never take every slot.
    pub fn max_held(&self) -> usize {
        self.max_held.unwrap_or_else(|| (self.max_connections / 4).min(DEFAULT_MAX_HELD))
    }

    pub fn legacy_texts(&self) -> bool {
        self.texts == Texts::Legacy
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default, rename = "app")]
    apps: Vec<App>,
}

/// Reads the apps a TOML file declares:
///
/// ```toml
/// [[app]]
/// id = "TIDA0001"
/// secret = "my-secret"
/// sign_tickets = ["static-ticket-1"]
/// ```
///
/// # Errors
/// [`StartupError::ConfigRead`] when the file cannot be read, [`StartupError::ConfigParse`] with
/// the line and column when it is not valid, [`StartupError::ConfigInvalid`] when it declares no
/// app or the same app twice.
pub fn load_apps(path: &Path) -> Result<Vec<App>, StartupError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| StartupError::ConfigRead { path: path.to_path_buf(), source })?;
    parse_apps(&text).map_err(|e| e.at(path))
}

/// The apps of a config file's text; errors carry no path yet.
pub fn parse_apps(text: &str) -> Result<Vec<App>, ParseProblem> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ParseProblem::Syntax { line, column, message: e.message().to_string() }
    })?;
    if file.apps.is_empty() {
        return Err(ParseProblem::Invalid("it declares no app: add an [[app]] table with id and secret".into()));
    }
    for (i, app) in file.apps.iter().enumerate() {
        if app.id.is_empty() || app.secret.is_empty() {
            return Err(ParseProblem::Invalid(format!("app #{} has an empty id or secret", i + 1)));
        }
        if file.apps[..i].iter().any(|a| a.id == app.id) {
            return Err(ParseProblem::Invalid(format!(
                "app {:?} is declared twice: keep one [[app]] table per id",
                app.id
            )));
        }
    }
    Ok(file.apps)
}

/// A config text that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblem {
    Syntax { line: usize, column: usize, message: String },
    Invalid(String),
}

impl ParseProblem {
    fn at(self, path: &Path) -> StartupError {
        let path = path.to_path_buf();
        match self {
            ParseProblem::Syntax { line, column, message } => StartupError::ConfigParse { path, line, column, message },
            ParseProblem::Invalid(why) => StartupError::ConfigInvalid { path, why },
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_declares_several_apps_with_their_tickets() {
        let apps = parse_apps("[[app]]\nid = \"A1\"\nsecret = \"s1\"\nsign_tickets = [\"t1\", \"t2\"]\n\n[[app]]\nid = \"A2\"\nsecret = \"s2\"\n").unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].sign_tickets, ["t1", "t2"]);
        assert!(apps[1].sign_tickets.is_empty());
    }

    #[test]
    fn a_syntax_error_names_the_line_and_column() {
        let err = parse_apps("[[app]]\nid = \"A1\"\nsecret = s1\n").unwrap_err();
        assert!(matches!(err, ParseProblem::Syntax { line: 3, column: 10, .. }), "{err:?}");
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_line() {
        let err = parse_apps("[[app]]\nid = \"A1\"\nsecret = \"s\"\nsign_ticket = [\"t\"]\n").unwrap_err();
        let ParseProblem::Syntax { line, message, .. } = err else { panic!("{err:?}") };
        assert_eq!(line, 4);
        assert!(message.contains("sign_ticket"), "{message}");
    }

    #[test]
    fn duplicate_and_missing_apps_are_refused() {
        assert!(matches!(parse_apps(""), Err(ParseProblem::Invalid(_))));
        let twice = "[[app]]\nid = \"A\"\nsecret = \"s\"\n[[app]]\nid = \"A\"\nsecret = \"t\"\n";
        assert!(matches!(parse_apps(twice), Err(ParseProblem::Invalid(w)) if w.contains("twice")));
    }
}

/// Whether tokens and tickets expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    /// The documented lifetimes: 7200 s, 3600 s, 120 s, a 60 s overlap.
    #[default]
    Documented,
    /// `--tickets-never-expire`: no lifetime ends (revocation, single use and eviction still apply).
    Never,
}

/// How `expire_in` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpireIn {
    /// A JSON number, as real responses show (seen).
    #[default]
    Number,
    /// `--expire-in-as-string`: a JSON string, as the docs' example shows.
    String,
}

/// The `*.json` files of `--fixtures`, path and text, in name order: plain data, made only by
/// `scenarios::Catalog::load`, which has checked that they parse (so building the catalog from
/// them again cannot fail). Empty by default: the built-in scenarios only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixtures {
    pub(crate) files: Vec<(std::path::PathBuf, String)>,
}
