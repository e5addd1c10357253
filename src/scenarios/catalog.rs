//! The scenario catalog: the files of `fixtures/scenarios/` embedded in the binary, plus the
//! user's `--fixtures DIR`, each validated at startup with the file and the reason on error.

use super::{Fault, Look, Outcome, Scenario, Weighted};
use crate::config::Fixtures;
use crate::error::StartupError;
use crate::identity::{self, Pin, Profile};
use crate::protocol::catalog as codes;
use crate::protocol::{bank_codes, Side};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../fixtures/scenarios/", $name, ".json")))),*]
    };
}

/// Every built-in scenario file, in listing order (a unit test checks the folder matches).
pub(crate) const EMBEDDED: &[(&str, &str)] = embedded![
    "success",
    "blurry",
    "expired",
    "bad-date",
    "decode-error",
    "not-front",
    "not-back",
    "unreadable",
    "bad-format",
    "authority-unreadable",
    "failed",
    "image-abnormal",
    "crypto-failed",
    "server-busy",
    "service-timeout",
    "rate-limited",
    "tps-exceeded",
    "border-incomplete",
    "photocopy",
    "invalid-date-warning",
    "recaptured",
    "temporary",
    "occluded",
    "multi-warning",
    "low-clarity",
    "long-term",
    "x-check-digit",
    "dotted-name",
    "long-address",
    "elderly",
    "minor",
    "slow",
    "hang",
    "reset",
    "empty-reply",
    "truncated-json",
    "http-500",
    "http-502",
    "http-503",
    "dribble",
    "flaky",
    "tls-handshake-failure",
    "cert-expired",
    "bank-pass",
    "bank-blurry",
    "bank-not-found",
    "bank-bad-number",
    "bank-fail",
    "bank-preprocess",
    "bank-long-order",
    "bank-invalid-date",
    "bank-border-incomplete",
    "bank-reflection",
    "bank-photocopy",
    "bank-recaptured",
    "bank-expired",
    "bank-multi-warning",
];

/// Longest latency a file may ask for.
const MAX_LATENCY_MS: u64 = 600_000;

/// A scenario file that cannot be used: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogProblem {
    pub(crate) file: String,
    pub(crate) reason: String,
}

impl std::fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "scenario file {}: {}", self.file, self.reason)
    }
}

/// All scenarios, in listing order. Cloning shares them.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Arc<Vec<Arc<Scenario>>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Catalog {
    /// The embedded scenarios (a unit test proves they load).
    pub fn builtin() -> Self {
        Self::load(None).expect("the embedded scenarios are valid")
    }

    /// The embedded scenarios, then every `*.json` of `dir`, which add or replace by name.
    ///
    /// # Errors
    /// A [`CatalogProblem`] naming the file and the reason: unreadable, not JSON, a field missing
    /// or wrong, a mix naming an unknown scenario.
    pub(crate) fn load(dir: Option<&Path>) -> Result<Self, CatalogProblem> {
        Ok(Self::load_files(dir)?.0)
    }

    /// [`Catalog::load`], and the files of `dir` as read, from which the catalog is built again
    /// (without reading the folder twice) where the server's state is.
    ///
    /// # Errors
    /// As [`Catalog::load`].
    pub(crate) fn load_files(dir: Option<&Path>) -> Result<(Self, Fixtures), CatalogProblem> {
        let fixtures = Fixtures { files: dir.map(read_dir).transpose()?.unwrap_or_default() };
        Ok((Self::build(&fixtures)?, fixtures))
    }

    /// The embedded scenarios, then the files of `fixtures`, which add or replace by name.
    fn build(fixtures: &Fixtures) -> Result<Self, CatalogProblem> {
        let mut entries = Vec::new();
        for (stem, text) in EMBEDDED {
            let file = format!("fixtures/scenarios/{stem}.json (built in)");
            entries.push(parse(text, stem).map_err(|reason| CatalogProblem { file, reason })?);
        }
        for (path, text) in &fixtures.files {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let scenario =
                parse(text, stem).map_err(|reason| CatalogProblem { file: path.display().to_string(), reason })?;
            match entries.iter_mut().find(|s| s.name == scenario.name) {
                Some(slot) => *slot = scenario,
                None => entries.push(scenario),
            }
        }
        check_mixes(&entries)?;
        Ok(Catalog { entries: Arc::new(entries.into_iter().map(Arc::new).collect()) })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.entries.iter().find(|s| s.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Scenario>> {
        self.entries.iter()
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|s| s.name.as_str()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A scenario file that cannot be used stops the startup, naming the file.
impl From<CatalogProblem> for StartupError {
    fn from(problem: CatalogProblem) -> Self {
        StartupError::Usage(problem.to_string())
    }
}

/// The catalog of `fixtures`, checked when they were read ([`Catalog::load_files`]).
impl From<Fixtures> for Catalog {
    fn from(fixtures: Fixtures) -> Self {
        Self::build(&fixtures).expect("the --fixtures files were checked when they were read")
    }
}

fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>, CatalogProblem> {
    let problem = |file: &Path, reason: String| CatalogProblem { file: file.display().to_string(), reason };
    let listing =
        std::fs::read_dir(dir).map_err(|e| problem(dir, format!("cannot read the --fixtures folder: {e}")))?;
    let mut paths: Vec<_> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.retain(|p| p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| problem(&path, format!("cannot read it: {e}")))?;
        out.push((path, text));
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    description: String,
    outcome: String,
    code: Option<String>,
    warning: Option<String>,
    clarity: Option<u8>,
    profile: Option<String>,
    fault: Option<Fault>,
    latency_ms: Option<u64>,
    identity: Option<PinFile>,
    side: Option<String>,
    mix: Option<Vec<Weighted>>,
    /// `idcard`, `bankcard` or `any`; derived from the outcome when absent.
    document: Option<String>,
    /// A bank card's warning codes, for outcome "success".
    warnings: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinFile {
    name: Option<String>,
    idcard: Option<String>,
}

/// Parses one scenario file whose name (without `.json`) is `stem`.
///
/// # Errors
/// The reason, in words that say how to fix the file.
pub(crate) fn parse(text: &str, stem: &str) -> Result<Scenario, String> {
    let f: File = serde_json::from_str(text).map_err(|e| format!("not a valid scenario: {e}"))?;
    check_name(&f.name)?;
    if f.name != stem {
        return Err(format!("its name {:?} differs from the file name {stem:?}.json: make them equal", f.name));
    }
    if f.description.trim().is_empty() || f.description.contains('\n') {
        return Err("description must be one non-empty line".into());
    }
    let outcome = outcome(&f)?;
    let latency_ms = f.latency_ms.unwrap_or(0);
    if latency_ms > MAX_LATENCY_MS {
        return Err(format!("latency_ms {latency_ms} is over the {MAX_LATENCY_MS} ms limit"));
    }
    let side = match f.side.as_deref() {
        None => None,
        Some("front") => Some(Side::Front),
        Some("back") => Some(Side::Back),
        Some(other) => return Err(format!("side must be \"front\" or \"back\", not {other:?}")),
    };
    let pin = match f.identity {
        None => Pin::default(),
        Some(p) => pin(p.name, p.idcard)?,
    };
    let document = super::document::document(f.document.as_deref(), &outcome, side.is_some() || pin != Pin::default())?;
    Ok(Scenario {
        name: f.name,
        description: f.description,
        outcome,
        latency: Duration::from_millis(latency_ms),
        pin,
        side,
        document,
    })
}

/// A pinned identity, checked: a short name, a valid number of a known region.
///
/// # Errors
/// Why the name or the number cannot be used.
pub(crate) fn pin(name: Option<String>, idcard: Option<String>) -> Result<Pin, String> {
    if let Some(n) = &name {
        if n.trim().is_empty() || n.chars().count() > 30 {
            return Err(format!("identity name {n:?} must be 1 to 30 characters"));
        }
    }
    if let Some(id) = &idcard {
        if identity::parse_number(id).is_none() {
            return Err(format!(
                "identity idcard {:?} is not a valid 18-character number (GB 11643 check digit) of a known region (data/regions.tsv)",
                crate::redact::mask(id)
            ));
        }
    }
    Ok(Pin { name, idcard })
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("name {name:?} must be 1 to 64 lower-case letters, digits or '-'"))
    }
}

fn outcome(f: &File) -> Result<Outcome, String> {
    let only = |field: &str, present: bool, kind: &str| {
        if present && f.outcome != kind {
            Err(format!("{field} is only for outcome \"{kind}\", and this one is {:?}", f.outcome))
        } else {
            Ok(())
        }
    };
    only("code", f.code.is_some(), "error")?;
    only("warning", f.warning.is_some(), "success")?;
    only("clarity", f.clarity.is_some(), "success")?;
    only("profile", f.profile.is_some(), "success")?;
    only("fault", f.fault.is_some(), "fault")?;
    only("mix", f.mix.is_some(), "mix")?;
    only("warnings", f.warnings.is_some(), "success")?;
    match f.outcome.as_str() {
        "success" => success(f),
        "error" => {
            let code = f.code.as_deref().ok_or("outcome \"error\" needs a code, e.g. \"66661001\"")?;
            let entry = codes::find(code)
                .filter(|c| c.code != codes::SUCCESS.code && !bank_codes::is_warning(c.code))
                .ok_or_else(|| {
                    format!("code {code:?} is not an error of the catalog (idocr-mock codes lists them; a bank-card warning goes in \"warnings\" of a success)")
                })?;
            Ok(Outcome::Error(entry))
        }
        "fault" => f.fault.map(Outcome::Fault).ok_or_else(|| "outcome \"fault\" needs a fault".into()),
        "mix" => match &f.mix {
            Some(m) if !m.is_empty() && m.iter().any(|w| w.weight > 0) => Ok(Outcome::Mix(m.clone())),
            _ => Err("outcome \"mix\" needs a non-empty mix with a weight above 0".into()),
        },
        other => Err(format!("outcome must be \"success\", \"error\", \"fault\" or \"mix\", not {other:?}")),
    }
}

fn success(f: &File) -> Result<Outcome, String> {
    let warning = f.warning.clone().unwrap_or_else(|| "00000000".into());
    if warning.len() != 8 || !warning.bytes().all(|b| b == b'0' || b == b'1') {
        return Err(format!("warning {warning:?} must be 8 characters of 0 and 1"));
    }
    if f.clarity.is_some_and(|c| c > 100) {
        return Err("clarity must be 0 to 100".into());
    }
    let profile = match f.profile.as_deref() {
        None => Profile::Typical,
        Some(p) => profile_of(p).ok_or_else(|| {
            format!(
                "profile {p:?} is unknown; use one of {}",
                PROFILES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )
        })?,
    };
    let bank_warnings = super::document::bank_warnings(f.warnings.as_deref().unwrap_or_default())?;
    Ok(Outcome::Success(Look { warning: warning.into(), clarity: f.clarity, profile, bank_warnings }))
}

const PROFILES: &[(&str, Profile)] = &[
    ("typical", Profile::Typical),
    ("long-term", Profile::LongTerm),
    ("x-check-digit", Profile::XCheckDigit),
    ("dotted-name", Profile::DottedName),
    ("long-address", Profile::LongAddress),
    ("elderly", Profile::Elderly),
    ("minor", Profile::Minor),
];

fn profile_of(name: &str) -> Option<Profile> {
    PROFILES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// The file name of a profile.
pub(crate) fn profile_name(profile: Profile) -> &'static str {
    PROFILES.iter().find(|(_, p)| *p == profile).map_or("typical", |(n, _)| n)
}

fn check_mixes(entries: &[Scenario]) -> Result<(), CatalogProblem> {
    for s in entries {
        let Outcome::Mix(mix) = &s.outcome else { continue };
        for w in mix {
            let target = entries.iter().find(|e| e.name == w.scenario);
            let reason = match target {
                None => format!("mix names {:?}, which is not a scenario", w.scenario),
                Some(t) if matches!(t.outcome, Outcome::Mix(_)) => format!("mix names {:?}, itself a mix", w.scenario),
                Some(_) => continue,
            };
            return Err(CatalogProblem { file: format!("{}.json", s.name), reason });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
