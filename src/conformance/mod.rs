//! `idocr-mock conformance`: one command that measures how faithful a target is, the mock or the
//! real service. The suite checks its own signer against the doc's vectors, finds out whether the
//! target is idocr-mock, obtains a SIGN ticket, runs the cases group by group printing one line
//! each, and writes the JSON report that corrects the error catalog after a real run.
//!
//! Imports: `protocol` and `client`, plus `image` (the pictures it uploads), `config` (the default
//! app) and `redact` (the ticket it prints).

mod cases;
mod context;
mod report;
pub mod signer;

pub use report::{CaseRecord, Outcome};

use crate::client::{BaseUrl, Call};
use crate::config;
use crate::protocol::Side;
use cases::{Needs, GROUPS};
use clap::Args;
use context::{business_json, Ctx, Stop};
use std::io::Write;
use std::path::PathBuf;

/// `idocr-mock conformance`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConformanceArgs {
    /// Base URL of the target: the mock (http://127.0.0.1:8080) or the real service
    /// (https://kyc1.qcloud.com), or the mock's HTTPS port (https://127.0.0.1:PORT, with --ca-file).
    #[arg(long, env = "IDOCR_MOCK_TARGET", value_name = "URL")]
    pub target: String,
    /// App id to sign with [default: TIDAMOCK, the mock's default app].
    #[arg(long, env = "IDOCR_MOCK_APP_ID", value_name = "ID")]
    pub app_id: Option<String>,
    /// The app's secret: the suite gets an access token and a SIGN ticket with it
    /// [the mock's default secret when the target is idocr-mock].
    #[arg(long, env = "IDOCR_MOCK_SECRET")]
    pub secret: Option<String>,
    /// A static SIGN ticket to sign with instead of the token flow [default for idocr-mock:
    /// idocr-mock-sign-ticket].
    #[arg(long, env = "IDOCR_MOCK_SIGN_TICKET", value_name = "TICKET")]
    pub sign_ticket: Option<String>,
    /// A photo of a real ID card's front (JPG/PNG/BMP), for the recognition cases against the
    /// real service (the mock gets generated pictures).
    #[arg(long, env = "IDOCR_MOCK_FRONT_IMAGE", value_name = "FILE")]
    pub front_image: Option<PathBuf>,
    /// A photo of the same card's back (国徽面).
    #[arg(long, env = "IDOCR_MOCK_BACK_IMAGE", value_name = "FILE")]
    pub back_image: Option<PathBuf>,
    /// A photo of a real bank card's front, for the bankcard group's recognition cases against
    /// the real service (the mock gets a generated picture).
    #[arg(long, env = "IDOCR_MOCK_BANK_IMAGE", value_name = "FILE")]
    pub bank_image: Option<PathBuf>,
    /// Run only these groups or cases (comma-separated: transport, oauth, signing, validation,
    /// recognition, orders, envelope, bankcard, isolation, or group/case).
    #[arg(long, env = "IDOCR_MOCK_ONLY", value_name = "GROUP", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Also trust the certificates of this PEM file for https targets (the mock's CA:
    /// idocr-mock ca --out FILE); the public roots stay trusted.
    #[arg(long, env = "IDOCR_MOCK_CA_FILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Write the JSON report (what the target returned per case, and the ledger of guessed codes).
    #[arg(long, env = "IDOCR_MOCK_REPORT", value_name = "FILE.json")]
    pub report: Option<PathBuf>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Run {
    pub cases: Vec<CaseRecord>,
    pub report: serde_json::Value,
}

impl Run {
    pub fn count(&self, f: fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.outcome)).count()
    }

    /// The names of the failed cases.
    pub fn failed(&self) -> Vec<&str> {
        self.cases.iter().filter(|c| matches!(c.outcome, Outcome::Fail(_))).map(|c| c.name.as_str()).collect()
    }

    /// The line printed last: `N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.count(|o| *o == Outcome::Pass),
            self.count(|o| matches!(o, Outcome::Fail(_))),
            self.count(|o| matches!(o, Outcome::Skip(_)))
        )
    }
}

/// Runs the suite against `args.target`, writing a line per case to `out` as it runs.
///
/// # Errors
/// A message when no case can run: the signer fails the doc's vectors, the target URL is wrong or
/// unreachable, an image cannot be read, `--only` names no group, or no SIGN ticket can be had.
pub async fn run(args: &ConformanceArgs, out: &mut dyn Write) -> Result<Run, String> {
    signer::self_check()?;
    let _ = writeln!(out, "signer: the doc's vectors TV-1…TV-5 match");
    let selected = select(&args.only)?;
    let base = BaseUrl::parse(&args.target).map_err(|e| format!("--target: {e}"))?;
    let is_mock = detect_mock(&base).await?;
    let _ = writeln!(
        out,
        "target: {base} ({})",
        if is_mock { "idocr-mock" } else { "not idocr-mock: admin cases are skipped" }
    );
    let ctx = setup(args, base, is_mock, out).await?;
    let mut records = Vec::new();
    for (group, case) in selected {
        let name = format!("{group}/{}", case.name);
        let outcome = if case.needs == Needs::MockAdmin && !ctx.is_mock {
            Outcome::Skip(
                "needs idocr-mock's admin API (the target did not answer GET /__admin/health as idocr-mock)".into(),
            )
        } else {
            match (case.run)(&ctx).await {
                Ok(()) => Outcome::Pass,
                Err(Stop::Fail(why)) => Outcome::Fail(why),
                Err(Stop::Skip(why)) => Outcome::Skip(why),
            }
        };
        let record = CaseRecord {
            name,
            outcome,
            exchanges: std::mem::take(&mut *ctx.exchanges.lock().expect("recorder lock")),
            exercised: std::mem::take(&mut *ctx.exercised.lock().expect("recorder lock")),
        };
        let _ = writeln!(out, "{}", record.line());
        records.push(record);
    }
    let report = report::render(&ctx.base.to_string(), ctx.is_mock, &records);
    let run = Run { cases: records, report };
    let _ = writeln!(out, "{}", run.summary());
    Ok(run)
}

/// The cases `--only` selects, in running order.
fn select(only: &[String]) -> Result<Vec<(&'static str, cases::Case)>, String> {
    let all: Vec<(&str, cases::Case)> =
        GROUPS.iter().flat_map(|g| (g.cases)().into_iter().map(move |c| (g.name, c))).collect();
    let wanted = |g: &str, c: &str| only.is_empty() || only.iter().any(|o| o == g || *o == format!("{g}/{c}"));
    for o in only {
        if !all.iter().any(|(g, c)| o == g || *o == format!("{g}/{}", c.name)) {
            let groups: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
            return Err(format!("--only {o:?} names no group or case; groups: {}", groups.join(", ")));
        }
    }
    Ok(all.into_iter().filter(|(g, c)| wanted(g, c.name)).collect())
}

/// `GET /__admin/health` answering `{"status":"ok","version":…}` means idocr-mock.
async fn detect_mock(base: &BaseUrl) -> Result<bool, String> {
    let answer =
        Call::get("/__admin/health").send_to(base).await.map_err(|e| format!("cannot reach the target {base}: {e}"))?;
    Ok(answer.status == 200 && answer.json().is_ok_and(|v| v["status"] == "ok" && v["version"].is_string()))
}

/// The context: credentials, the SIGN ticket (static, or from the token flow) and the images.
async fn setup(args: &ConformanceArgs, base: BaseUrl, is_mock: bool, out: &mut dyn Write) -> Result<Ctx, String> {
    let app_id = args.app_id.clone().unwrap_or_else(|| config::DEFAULT_APP_ID.to_string());
    let default_creds = is_mock && args.secret.is_none();
    let secret = args.secret.clone().or_else(|| default_creds.then(|| config::DEFAULT_SECRET.to_string()));
    let mut ctx = Ctx::new(base, app_id, secret, String::new(), is_mock);
    ctx.front = image(args.front_image.as_ref())?;
    ctx.back = image(args.back_image.as_ref())?;
    ctx.bank = image(args.bank_image.as_ref())?;
    if is_mock {
        ctx.front = ctx.front.or_else(|| Some(generated(Side::Front)));
        ctx.back = ctx.back.or_else(|| Some(generated(Side::Back)));
        ctx.bank = ctx.bank.or_else(|| Some(generated(Side::Bank)));
    }
    ctx.ticket = match &args.sign_ticket {
        Some(t) => t.clone(),
        None if default_creds => config::DEFAULT_SIGN_TICKET.to_string(),
        None if ctx.secret.is_none() => {
            return Err("the target is not idocr-mock: give --secret (the suite gets a SIGN ticket with the token flow) or --sign-ticket".into())
        }
        None => ticket_from_token_flow(&ctx).await?,
    };
    let how = if args.sign_ticket.is_some() || default_creds { "static" } else { "from the token flow" };
    let _ = writeln!(out, "app: {} (SIGN ticket {}, {how})", ctx.app_id, crate::redact::mask(&ctx.ticket));
    ctx.exchanges.lock().expect("recorder lock").clear();
    Ok(ctx)
}

async fn ticket_from_token_flow(ctx: &Ctx) -> Result<String, String> {
    let why = |s: Stop| match s {
        Stop::Fail(w) | Stop::Skip(w) => format!("cannot get a SIGN ticket with the token flow: {w}"),
    };
    let answer = ctx.ticket_answer("SIGN", None).await.map_err(why)?;
    let v = business_json(&answer).map_err(why)?;
    v["tickets"][0]["value"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("cannot get a SIGN ticket with the token flow: the target answered {v}"))
}

fn image(path: Option<&PathBuf>) -> Result<Option<String>, String> {
    use base64::Engine;
    let Some(path) = path else { return Ok(None) };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the image {}: {e}", path.display()))?;
    Ok(Some(base64::engine::general_purpose::STANDARD.encode(bytes)))
}

fn generated(side: Side) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crate::image::picture::card_png(side, None))
}

/// The subcommand: runs the suite, writes the report, exits 1 on any failure and 2 when no case
/// could run.
pub fn main(args: &ConformanceArgs) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("idocr-mock conformance: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(file) = &args.ca_file {
        if let Err(why) = crate::client::trust_ca_file(file) {
            eprintln!("idocr-mock conformance: {why}");
            return std::process::ExitCode::from(2);
        }
    }
    let mut stdout = LineOut;
    match runtime.block_on(run(args, &mut stdout)) {
        Err(why) => {
            eprintln!("idocr-mock conformance: {why}");
            std::process::ExitCode::from(2)
        }
        Ok(run) => {
            if let Some(path) = &args.report {
                let text = serde_json::to_string_pretty(&run.report).expect("the report serialises");
                if let Err(e) = std::fs::write(path, text + "\n") {
                    eprintln!("idocr-mock conformance: cannot write the report {}: {e}", path.display());
                    return std::process::ExitCode::from(2);
                }
                println!("report: {}", path.display());
            }
            if run.failed().is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}

/// Stdout, flushed after every line so each case shows as it ends.
struct LineOut;

impl Write for LineOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = std::io::stdout().lock();
        out.write_all(buf)?;
        out.flush()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}
