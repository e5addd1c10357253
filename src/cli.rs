//! The command line, as documented data: every flag has a doc comment and an `IDOCR_MOCK_*`
//! environment twin (a test checks both), and converts into a [`Config`].
//!
//! Imports: `config`, `error`, `image`, `protocol`, `scenarios` (the default name), `http::tls` (where certificates come from), and the argument types of `conformance` and `health`; never `commands`.

use crate::config::{self, App, Config, DuplicateOrders, SignCheck, Texts};
use crate::config::{ExpireIn, Expiry};
use crate::error::StartupError;
use crate::image::LineBreaks;
use crate::protocol::sign::SignCase;
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A faithful, signed test double of WeBank's ID-card OCR service (POST /api/paas/idcardocrapp)
/// and its token flow. Run it with no arguments to serve on http://127.0.0.1:8080.
#[derive(Debug, Parser)]
#[command(
    name = "idocr-mock",
    version,
    args_conflicts_with_subcommands = true,
    max_term_width = 100,
    after_help = "Every flag can be set by its IDOCR_MOCK_* variable; on/off flags take 1/0, yes/no, true/false or on/off."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the sign of a request and the string that was hashed, to build a request by hand.
    Sign(SignArgs),
    /// Print the error catalog: every code and msg, with the evidence behind it.
    Codes(CodesArgs),
    /// Print the scenarios (built in, plus --fixtures DIR) with what the client sees.
    Scenarios(ScenariosArgs),
    /// Write a card picture (PNG or JPEG) whose marker picks a scenario, or mark an existing one;
    /// with --face, the generated face photo or video of a face-verification result.
    Image(ImageArgs),
    /// Print the local CA certificate (PEM) that signs the HTTPS leaves, or write it with --out;
    /// says on stderr how to trust it in Java, Python, Node, Go, PHP/curl and system-wide.
    Ca(CaArgs),
    /// Run the conformance suite against a target (the mock or the real service) and report
    /// where it differs from docs/protocol.md.
    Conformance(crate::conformance::ConformanceArgs),
    /// Ask a running mock whether it is healthy (GET /__admin/health on the server's --bind and
    /// --port): exit 0 when it is, 1 with the reason otherwise. For container health checks.
    Health(crate::health::HealthArgs),
}

/// Serving (the default command).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on: an IP address or a host name (localhost). Use 0.0.0.0 to accept
    /// connections from other machines.
    #[arg(long, env = "IDOCR_MOCK_BIND", default_value = "127.0.0.1", value_parser = bind_address)]
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free port, printed on the first line of stdout.
    #[arg(long, env = "IDOCR_MOCK_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Also serve HTTPS (the same routes, one state) on this port; 0 picks a free port, printed
    /// as `listening on https://…` after the HTTP line.
    #[arg(long, env = "IDOCR_MOCK_HTTPS_PORT", value_name = "PORT")]
    pub https_port: Option<u16>,
    /// Directory of the local CA that signs the HTTPS and proxy certificates; created on first
    /// use [default: $XDG_DATA_HOME/idocr-mock/ca or ~/.local/share/idocr-mock/ca].
    #[arg(long, env = "IDOCR_MOCK_CA_DIR", value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,
    /// Another host name for the certificate and the CONNECT proxy (besides the vendor hosts,
    /// localhost, 127.0.0.1 and ::1); repeat the flag or separate with commas.
    #[arg(long, env = "IDOCR_MOCK_TLS_NAME", value_name = "NAME", value_delimiter = ',')]
    pub tls_name: Vec<String>,
    /// Serve this certificate chain (PEM) instead of one signed by the local CA; needs --tls-key.
    #[arg(long, env = "IDOCR_MOCK_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "IDOCR_MOCK_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// TOML file declaring apps ([[app]] tables with id, secret, sign_tickets).
    #[arg(long, env = "IDOCR_MOCK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// App id of the app given on the command line [default app: TIDAMOCK].
    #[arg(long, env = "IDOCR_MOCK_APP_ID", value_name = "ID")]
    pub app_id: Option<String>,
    /// Secret of that app, for /api/oauth2/access_token [default: idocr-mock-secret].
    #[arg(long, env = "IDOCR_MOCK_SECRET")]
    pub secret: Option<String>,
    /// Static SIGN ticket of that app; repeat the flag (or separate with commas) for several
    /// [default: idocr-mock-sign-ticket].
    #[arg(long, env = "IDOCR_MOCK_SIGN_TICKET", value_name = "TICKET", value_delimiter = ',')]
    pub sign_ticket: Vec<String>,
    /// Seed of every random choice (identities, ids); the same seed gives the same answers.
    /// Without it a seed is drawn and logged at startup.
    #[arg(long, env = "IDOCR_MOCK_SEED")]
    pub seed: Option<u64>,
    /// Largest accepted idcardStr, in bytes of Base64 (the doc's field length; newer docs: 20971520).
    #[arg(long, env = "IDOCR_MOCK_IMAGE_CAP", value_name = "BYTES", default_value_t = config::DEFAULT_IMAGE_CAP)]
    pub image_cap: usize,
    /// Hard limit of a request body; larger bodies get HTTP 413 and the connection is closed.
    #[arg(long, env = "IDOCR_MOCK_MAX_BODY", value_name = "BYTES", default_value_t = config::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Bytes of request bodies held at once by all connections together; a body that would pass it
    /// gets HTTP 503 at once (each body reserves its Content-Length, or --max-body when chunked).
    #[arg(long, env = "IDOCR_MOCK_BODY_BUDGET", value_name = "BYTES", default_value_t = config::DEFAULT_BODY_BUDGET)]
    pub body_budget: usize,
    /// Accept any sign (loud warning at startup). For clients whose signing is not written yet.
    #[arg(long, env = "IDOCR_MOCK_NO_SIGN_CHECK", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub no_sign_check: bool,
    /// Refuse lower-case signs (the docs say the sign is case-insensitive, so this is off by default).
    #[arg(long, env = "IDOCR_MOCK_STRICT_SIGN_CASE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub strict_sign_case: bool,
    /// Refuse Base64 that contains CR or LF (by default line breaks are stripped, as 76-column
    /// Java encoders need).
    #[arg(long, env = "IDOCR_MOCK_STRICT_BASE64", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub strict_base64: bool,
    /// Send the older doc's texts for 66661001, 66661004 and 66661010.
    #[arg(long, env = "IDOCR_MOCK_LEGACY_TEXTS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub legacy_texts: bool,
    /// Issued access tokens and tickets never expire or retire (for soak runs and clients that
    /// never refresh); a secret change, NONCE single use and the store's caps still apply.
    #[arg(long, env = "IDOCR_MOCK_TICKETS_NEVER_EXPIRE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub tickets_never_expire: bool,
    /// Write expire_in as a JSON string ("7200"), as the docs' example does, instead of the
    /// number real responses carry: tests a client's robustness.
    #[arg(long, env = "IDOCR_MOCK_EXPIRE_IN_AS_STRING", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub expire_in_as_string: bool,
    /// Most connections served at once; more wait in the listen backlog.
    #[arg(long, env = "IDOCR_MOCK_MAX_CONNECTIONS", value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client may take to send its request headers (slow-loris protection); also how long
    /// an idle keep-alive connection is kept open.
    #[arg(long, env = "IDOCR_MOCK_HEADER_TIMEOUT", value_name = "SECS", default_value_t = 30)]
    pub header_timeout: u64,
    /// Requests one keep-alive connection may carry; the last one is answered with
    /// `Connection: close`.
    #[arg(long, env = "IDOCR_MOCK_MAX_REQUESTS_PER_CONNECTION", value_name = "N", default_value_t = 1000)]
    pub max_requests_per_connection: usize,
    /// Seconds a client may take to send its request body, on every route (vendor and /__admin/);
    /// past it the connection is dropped without an answer.
    #[arg(long, env = "IDOCR_MOCK_BODY_TIMEOUT", value_name = "SECS", default_value_t = 60)]
    pub body_timeout: u64,
    /// Largest body of an /__admin/ call (HTTP 413 past it); every admin call takes a small JSON object.
    #[arg(long, env = "IDOCR_MOCK_MAX_ADMIN_BODY", value_name = "BYTES", default_value_t = config::DEFAULT_MAX_ADMIN_BODY)]
    pub max_admin_body: usize,
    /// Held faults (hang, slow, dribble) in progress at once; past it a held fault is answered at
    /// once with HTTP 503 and code 999999. Default: a quarter of --max-connections, at most 64.
    /// Must be below --max-connections, so held connections never stop the mock answering others.
    #[arg(long, env = "IDOCR_MOCK_MAX_HELD", value_name = "N")]
    pub max_held: Option<usize>,
    /// Requests the journal (GET /__admin/requests) keeps; the oldest are dropped first. 0 turns
    /// the journal off (for load tests: no per-request summary, no SHA-256 of images).
    #[arg(long, env = "IDOCR_MOCK_JOURNAL_LIMIT", value_name = "N", default_value_t = config::DEFAULT_JOURNAL_LIMIT)]
    pub journal_limit: usize,
    /// Bytes the journal's entries may hold in all (each kept request value is cut to 256
    /// characters first); past it the oldest entries are dropped, counted in the metrics as
    /// `idocr_mock_journal_dropped_total{reason="bytes"}`.
    #[arg(long, env = "IDOCR_MOCK_JOURNAL_MAX_BYTES", value_name = "BYTES", default_value_t = config::DEFAULT_JOURNAL_MAX_BYTES)]
    pub journal_max_bytes: usize,
    /// Orders kept for getOcrResult; the oldest are evicted first. 0 turns the store off.
    #[arg(long, env = "IDOCR_MOCK_MAX_ORDERS", value_name = "N", default_value_t = config::DEFAULT_MAX_ORDERS)]
    pub max_orders: usize,
    /// Bytes of uploaded images kept for getOcrResult; the oldest orders are evicted first.
    #[arg(long, env = "IDOCR_MOCK_MAX_ORDER_BYTES", value_name = "BYTES", default_value_t = config::DEFAULT_MAX_ORDER_BYTES)]
    pub max_order_bytes: usize,
    /// Refuse a second OCR call for the same orderNo and side (the doc's "每次唯一", enforced).
    #[arg(long, env = "IDOCR_MOCK_REJECT_DUPLICATE_ORDERS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub reject_duplicate_orders: bool,
    /// Directory where every OCR result and image is written, and reloaded at startup.
    #[arg(long, env = "IDOCR_MOCK_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Apps made at run time (POST /__admin/apps) that may exist at once; past it a new one is
    /// refused with HTTP 429 (no app in use is evicted). 0 turns run-time apps off.
    #[arg(long, env = "IDOCR_MOCK_MAX_APPS", value_name = "N", default_value_t = config::DEFAULT_MAX_APPS)]
    pub max_apps: usize,
    /// An app made at run time without its own ttl_seconds is removed, with all it owns, after this
    /// many seconds on the mock's clock without a call naming it.
    #[arg(long, env = "IDOCR_MOCK_APP_IDLE_SECONDS", value_name = "SECS", default_value_t = config::DEFAULT_APP_IDLE_SECONDS)]
    pub app_idle_seconds: u64,
    /// Require `Authorization: Bearer TOKEN` on every /__admin/ call.
    #[arg(long, env = "IDOCR_MOCK_ADMIN_TOKEN", value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Scenario served when a request asks for none (idocr-mock scenarios lists them).
    #[arg(long, env = "IDOCR_MOCK_SCENARIO", value_name = "NAME", default_value = crate::scenarios::DEFAULT)]
    pub scenario: String,
    /// Folder of scenario files (*.json) that add to or replace the built-in scenarios.
    #[arg(long, env = "IDOCR_MOCK_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Milliseconds the `slow` scenario waits before answering.
    #[arg(long, env = "IDOCR_MOCK_SLOW_MS", value_name = "MS", default_value_t = config::DEFAULT_SLOW_MS)]
    pub slow_ms: u64,
    /// Milliseconds the `hang` scenario holds a connection before closing it without an answer.
    #[arg(long, env = "IDOCR_MOCK_HANG_MS", value_name = "MS", default_value_t = config::DEFAULT_HANG_MS)]
    pub hang_ms: u64,
    /// Host (and port) that geth5faceid and getAdvFaceId answer as `optimalDomain`, where
    /// partners send the browser (`https://{optimalDomain}/api/web/login`). Default: the Host the
    /// request came to, i.e. the mock itself as the partner reached it.
    #[arg(long, env = "IDOCR_MOCK_FACE_DOMAIN", value_name = "HOST[:PORT]")]
    pub face_domain: Option<String>,
    /// How the face endpoints check signs: documented (getfaceid/getAdvFaceId also take the
    /// NONCE-ticket and no-nonce variants real clients send), strict (the documented rules
    /// only), lenient (also a login URL signed with a SIGN ticket).
    #[arg(long, env = "IDOCR_MOCK_FACE_SIGN", value_enum, default_value_t = config::FaceSign::Documented)]
    pub face_sign: config::FaceSign,
    /// Log level on stderr: error, warn, info, debug or trace.
    #[arg(long, env = "IDOCR_MOCK_LOG_LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
}

/// `idocr-mock ca`.
#[derive(Debug, Args)]
pub struct CaArgs {
    /// Directory of the local CA (created if it holds none)
    /// [default: $XDG_DATA_HOME/idocr-mock/ca or ~/.local/share/idocr-mock/ca].
    #[arg(long, env = "IDOCR_MOCK_CA_DIR", value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,
    /// Write the certificate to FILE instead of stdout.
    #[arg(long, env = "IDOCR_MOCK_CA_OUT", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl ServeArgs {
    /// Where the certificates come from.
    pub fn cert_source(&self) -> crate::http::tls::serve::CertSource {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => {
                crate::http::tls::serve::CertSource::Own { cert: cert.clone(), key: key.clone() }
            }
            _ => crate::http::tls::serve::CertSource::LocalCa(
                self.ca_dir.clone().unwrap_or_else(crate::http::tls::default_ca_dir),
            ),
        }
    }
}

/// `idocr-mock sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// App id (webankAppId).
    #[arg(long, env = "IDOCR_MOCK_APP_ID", default_value = config::DEFAULT_APP_ID)]
    pub app_id: String,
    /// Order number of the OCR request (or order_no of getOcrResult).
    #[arg(long, env = "IDOCR_MOCK_ORDER_NO", required_unless_present = "user_id")]
    pub order_no: Option<String>,
    /// User id, for an SDK-login sign (signed with a NONCE ticket) instead of an order number.
    #[arg(long, env = "IDOCR_MOCK_USER_ID", conflicts_with = "order_no")]
    pub user_id: Option<String>,
    /// The 32-character nonce; one is drawn and printed when absent.
    #[arg(long, env = "IDOCR_MOCK_NONCE")]
    pub nonce: Option<String>,
    /// The version value.
    #[arg(long, env = "IDOCR_MOCK_VERSION", default_value = "1.0.0")]
    pub version: String,
    /// The ticket to sign with; reads the server's IDOCR_MOCK_SIGN_TICKET (its first ticket when
    /// that lists several), so a shell that configured the mock signs with the same ticket.
    #[arg(long, visible_alias = "sign-ticket", env = "IDOCR_MOCK_SIGN_TICKET", default_value = config::DEFAULT_SIGN_TICKET, value_parser = first_ticket)]
    pub ticket: String,
    /// Print only the sign, for scripts: SIGN=$(idocr-mock sign --sign-only …).
    #[arg(long, env = "IDOCR_MOCK_SIGN_ONLY", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub sign_only: bool,
}

/// `idocr-mock codes`.
#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Print the catalog as JSON instead of a table.
    #[arg(long, env = "IDOCR_MOCK_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

/// `idocr-mock scenarios`.
#[derive(Debug, Args)]
pub struct ScenariosArgs {
    /// Print the scenarios as JSON instead of a table.
    #[arg(long, env = "IDOCR_MOCK_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
    /// Folder of scenario files to list with the built-in ones (and to validate).
    #[arg(long, env = "IDOCR_MOCK_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
}

/// `idocr-mock image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The scenario the marker picks when the image is uploaded.
    #[arg(long, env = "IDOCR_MOCK_IMAGE_SCENARIO", value_name = "NAME", required_unless_present = "face")]
    pub scenario: Option<String>,
    /// Write the generated face of a face-verification result instead of a card: `photo` (JPEG,
    /// 480×640) or `video` (MP4, H.264, a two-second blink), a drawn person, never a real face.
    #[arg(long, env = "IDOCR_MOCK_IMAGE_FACE", value_name = "KIND", value_parser = ["photo", "video"],
          conflicts_with_all = ["scenario", "tag", "side", "format", "name", "idcard"])]
    pub face: Option<String>,
    /// Which generated person `--face` draws, 1 when not given (the same number gives the same bytes).
    #[arg(long, env = "IDOCR_MOCK_IMAGE_FACE_SEED", value_name = "N", requires = "face")]
    pub face_seed: Option<u64>,
    /// Card to draw: an ID card's front (人像面) or back (国徽面), or a bank card's front (bank,
    /// for POST /api/paas/bankcardocrapp).
    #[arg(long, env = "IDOCR_MOCK_IMAGE_SIDE", default_value = "front", value_parser = ["front", "back", "bank"], conflicts_with = "tag")]
    pub side: String,
    /// Image format to write: png or jpeg.
    #[arg(long, env = "IDOCR_MOCK_IMAGE_FORMAT", default_value = "png", value_parser = ["png", "jpeg"], conflicts_with = "tag")]
    pub format: String,
    /// Name the recognition returns for this image (pinned).
    #[arg(long, env = "IDOCR_MOCK_IMAGE_NAME")]
    pub name: Option<String>,
    /// 18-character ID number the recognition returns (pinned; must be valid, of a known region).
    #[arg(long, env = "IDOCR_MOCK_IMAGE_IDCARD", value_name = "ID")]
    pub idcard: Option<String>,
    /// Mark this existing PNG or JPEG instead of drawing a new picture.
    #[arg(long, env = "IDOCR_MOCK_IMAGE_TAG", value_name = "IN")]
    pub tag: Option<PathBuf>,
    /// File to write.
    #[arg(short, long, env = "IDOCR_MOCK_IMAGE_OUTPUT", value_name = "FILE")]
    pub output: PathBuf,
    /// Folder of extra scenario files, so their names are accepted too.
    #[arg(long, env = "IDOCR_MOCK_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
}

/// `--bind`: an IP address as it is, or a host name resolved to one of its addresses (IPv4 first),
/// so that `--bind localhost` listens on loopback.
fn bind_address(value: &str) -> Result<IpAddr, String> {
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Ok(ip);
    }
    let unresolved = || {
        format!(
            "{value:?} is not an IP address nor a host name this machine resolves; \
             use 127.0.0.1 (this machine only), 0.0.0.0 (every interface), ::1 or localhost"
        )
    };
    let addrs: Vec<IpAddr> =
        std::net::ToSocketAddrs::to_socket_addrs(&(value, 0)).map_err(|_| unresolved())?.map(|a| a.ip()).collect();
    addrs.iter().find(|ip| ip.is_ipv4()).or(addrs.first()).copied().ok_or_else(unresolved)
}

/// `sign --ticket`: the first ticket of a comma-separated list, as `IDOCR_MOCK_SIGN_TICKET` may hold
/// several for the server.
fn first_ticket(value: &str) -> Result<String, String> {
    match value.split(',').map(str::trim).find(|t| !t.is_empty()) {
        Some(ticket) => Ok(ticket.to_string()),
        None => Err("the ticket is empty".to_string()),
    }
}

impl ServeArgs {
    /// The configuration these flags describe, reading `--config` if given.
    ///
    /// # Errors
    /// A [`StartupError`] naming the config file and the fix, or the flag that is wrong.
    pub fn to_config(&self) -> Result<Config, StartupError> {
        let mut apps = match &self.config {
            Some(path) => config::load_apps(path)?,
            None => Vec::new(),
        };
        let cli_app_given = self.app_id.is_some() || self.secret.is_some() || !self.sign_ticket.is_empty();
        if apps.is_empty() || cli_app_given {
            let default = App::default_app();
            let app = App {
                id: self.app_id.clone().unwrap_or(default.id),
                secret: self.secret.clone().unwrap_or(default.secret),
                sign_tickets: if self.sign_ticket.is_empty() { default.sign_tickets } else { self.sign_ticket.clone() },
            };
            apps.retain(|a| a.id != app.id);
            apps.push(app);
        }
        if self.image_cap > self.max_body {
            return Err(StartupError::Usage(format!(
                "--image-cap {} is larger than --max-body {}: raise --max-body so an over-cap image still gets the vendor's answer",
                self.image_cap, self.max_body
            )));
        }
        if self.max_held.is_some_and(|n| n >= self.max_connections) {
            return Err(StartupError::Usage(format!(
                "--max-held {} must be below --max-connections {}: held faults would leave no connection for other clients",
                self.max_held.unwrap_or(0),
                self.max_connections
            )));
        }
        if self.max_connections == 0 || self.max_requests_per_connection == 0 {
            return Err(StartupError::Usage(
                "--max-connections and --max-requests-per-connection must be at least 1".into(),
            ));
        }
        if let Some(dir) = &self.data_dir {
            std::fs::create_dir_all(dir).map_err(|e| {
                StartupError::Usage(format!(
                    "--data-dir {}: cannot create it: {e} (pick a writable directory)",
                    dir.display()
                ))
            })?;
        }
        let (catalog, scenarios) = crate::scenarios::Catalog::load_files(self.fixtures.as_deref())?;
        if catalog.get(&self.scenario).is_none() {
            return Err(StartupError::Usage(format!(
                "--scenario {:?} is not a scenario; choose one of: {}",
                self.scenario,
                catalog.names().join(", ")
            )));
        }
        Ok(Config {
            apps,
            seed: self.seed.unwrap_or_else(rand::random),
            image_cap: self.image_cap,
            max_body: self.max_body,
            max_admin_body: self.max_admin_body,
            body_budget: self.body_budget,
            sign_check: if self.no_sign_check { SignCheck::Off } else { SignCheck::Verify },
            sign_case: if self.strict_sign_case { SignCase::UpperOnly } else { SignCase::Insensitive },
            line_breaks: if self.strict_base64 { LineBreaks::Reject } else { LineBreaks::Strip },
            texts: if self.legacy_texts { Texts::Legacy } else { Texts::Current },
            duplicate_orders: if self.reject_duplicate_orders {
                DuplicateOrders::Reject
            } else {
                DuplicateOrders::Allow
            },
            expiry: if self.tickets_never_expire { Expiry::Never } else { Expiry::Documented },
            expire_in: if self.expire_in_as_string { ExpireIn::String } else { ExpireIn::Number },
            max_connections: self.max_connections,
            max_requests_per_connection: self.max_requests_per_connection,
            header_timeout: Duration::from_secs(self.header_timeout.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout.max(1)),
            journal_limit: self.journal_limit,
            journal_max_bytes: self.journal_max_bytes,
            max_orders: self.max_orders,
            max_order_bytes: self.max_order_bytes,
            data_dir: self.data_dir.clone(),
            max_apps: self.max_apps,
            app_idle_seconds: self.app_idle_seconds.clamp(1, crate::apps::MAX_TTL_SECONDS),
            admin_token: self.admin_token.clone().filter(|t| !t.is_empty()),
            scenarios,
            scenario: self.scenario.clone(),
            slow_delay: Duration::from_millis(self.slow_ms),
            hang_for: Duration::from_millis(self.hang_ms),
            max_held: self.max_held,
            face_domain: self.face_domain.clone().filter(|d| !d.is_empty()),
            face_sign: self.face_sign,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_flag_has_a_doc_line_and_an_idocr_mock_env_twin() {
        fn walk(cmd: &clap::Command) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                let env = arg.get_env().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
                assert!(env.starts_with("IDOCR_MOCK_"), "{} --{id} has no IDOCR_MOCK_* twin", cmd.get_name());
                assert!(arg.get_help().is_some(), "{} --{id} has no doc comment", cmd.get_name());
            }
            cmd.get_subcommands().for_each(walk);
        }
        walk(&Cli::command());
    }

    #[test]
    fn the_readme_documents_every_serving_flag() {
        let readme = include_str!("../README.md");
        for arg in Cli::command().get_arguments() {
            if let Some(long) = arg.get_long().filter(|l| *l != "help" && *l != "version") {
                assert!(readme.contains(&format!("`--{long}")), "README.md does not document --{long}");
            }
        }
    }

    #[test]
    fn no_arguments_serve_the_default_app_on_loopback_8080() {
        let cli = Cli::try_parse_from(["idocr-mock"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!((cli.serve.bind.to_string().as_str(), cli.serve.port), ("127.0.0.1", 8080));
        assert_eq!(cli.serve.to_config().unwrap().apps, vec![App::default_app()]);
    }

    #[test]
    fn every_boolean_flag_takes_1_0_yes_no_true_false_on_off_in_any_case_from_its_variable() {
        fn walk(cmd: &clap::Command, seen: &mut usize) {
            for arg in cmd.get_arguments().filter(|a| matches!(a.get_action(), ArgAction::SetTrue)) {
                *seen += 1;
                // The same arg, its value parser kept, taking the value on the command line as the
                // environment variable hands it over.
                let id = arg.get_id().as_str();
                let probe =
                    clap::Command::new("probe").arg(arg.clone().action(ArgAction::Set).num_args(1).env(None::<&str>));
                for (value, expected) in [("1", true), ("0", false), ("YES", true), ("no", false), ("True", true)]
                    .into_iter()
                    .chain([("false", false), ("on", true), ("Off", false)])
                {
                    let m = probe
                        .clone()
                        .try_get_matches_from(["probe".to_string(), format!("--{}={value}", arg.get_long().unwrap())])
                        .unwrap_or_else(|e| panic!("{} --{id}: {value:?} refused: {e}", cmd.get_name()));
                    assert_eq!(m.get_one::<bool>(id), Some(&expected), "--{id} {value:?}");
                }
            }
            cmd.get_subcommands().for_each(|c| walk(c, seen));
        }
        let mut seen = 0;
        walk(&Cli::command(), &mut seen);
        assert_eq!(seen, 10, "the serving flags, sign --sign-only, codes --json and scenarios --json");
    }

    #[test]
    fn bind_takes_localhost_and_an_ip_and_names_the_address_when_neither() {
        assert_eq!(bind_address("localhost").unwrap(), IpAddr::from([127, 0, 0, 1]));
        assert_eq!(bind_address("0.0.0.0").unwrap(), IpAddr::from([0, 0, 0, 0]));
        let err = bind_address("no-such-host.invalid").unwrap_err();
        assert!(err.contains("\"no-such-host.invalid\" is not an IP address") && err.contains("localhost"), "{err}");
    }

    #[test]
    fn app_flags_replace_the_default_app() {
        let cli = Cli::try_parse_from(["idocr-mock", "--app-id", "TIDA0001", "--sign-ticket", "a,b"]).unwrap();
        let apps = cli.serve.to_config().unwrap().apps;
        assert_eq!(apps.len(), 1);
        assert_eq!((apps[0].id.as_str(), apps[0].secret.as_str()), ("TIDA0001", config::DEFAULT_SECRET));
        assert_eq!(apps[0].sign_tickets, ["a", "b"]);
    }
}
