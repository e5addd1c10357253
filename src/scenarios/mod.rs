//! Scenarios: named outcomes of the real service (recognition errors, gateway answers, warned
//! successes, parser-breaking identities, transport faults) that a partner can ask for on demand
//! (docs/protocol.md §7–§9). Scenarios are data (`fixtures/scenarios/*.json`, embedded; `--fixtures DIR`
//! adds or overrides); this module owns their types, [`catalog`] loads them, [`select`] picks one
//! per request, [`fault`] breaks the transport. The OCR pipeline applies them
//! (`vendor::ocr::scenario`), `admin` serves `/__admin/scenario…`, `image::marker` reads the
//! marker an image can carry.
//!
//! Imports: `protocol`, `identity`, `image`, `reply` (a fault's answer), `config` (the `--fixtures`
//! files as read, the default name), `error` (a bad file stops the startup); never `State`.

pub(crate) mod catalog;
mod document;
pub(crate) mod face;
pub mod fault;
pub(crate) mod select;

use crate::identity::{Pin, Profile};
use crate::protocol::catalog::Code;
use crate::protocol::{Document, Side};
use serde::Deserialize;
use std::time::Duration;

pub use catalog::Catalog;
pub(crate) use fault::Fault;
pub(crate) use select::{Choice, Own, ScenarioState, Why};

/// The request header that picks a scenario, and the response header that names the one applied.
pub(crate) const HEADER: &str = "x-idocr-scenario";
/// The scenario served when nothing else is asked for.
pub(crate) const DEFAULT: &str = crate::config::DEFAULT_SCENARIO;

/// One named outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub name: String,
    /// One line: what the client sees.
    pub(crate) description: String,
    pub outcome: Outcome,
    /// Extra time before the answer leaves.
    pub(crate) latency: Duration,
    /// A fixed identity (name and/or number) for successes.
    pub(crate) pin: Pin,
    /// The side answered when the request has no `cardType`.
    pub(crate) side: Option<Side>,
    /// The card it is for (`None`: both). A scenario of the other card is refused when a
    /// request asks for it, and gives way to `success` when it is the default.
    pub document: Option<Document>,
}

/// What the service does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `code` "0", with these warnings, clarity and kind of person.
    Success(Look),
    /// A vendor error answer (HTTP 200, vendor envelope).
    Error(&'static Code),
    /// Something goes wrong on the way.
    Fault(Fault),
    /// One of these, drawn per call reproducibly from `--seed`.
    Mix(Vec<Weighted>),
}

/// How a success looks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Look {
    /// 8 flags of 0/1, sent in both `warning` and `multiWarning` (docs/protocol.md §8).
    /// Shared (not copied) by every answer and order record that shows it.
    pub warning: std::sync::Arc<str>,
    /// `None`: a clarity drawn from the seed (60–90).
    pub(crate) clarity: Option<u8>,
    pub(crate) profile: Profile,
    /// A bank card's warning codes (`-9110` … `-9114`, `66661009`), in `warningCode` and
    /// `multiWarningCode` (docs/protocol.md §13.3).
    pub bank_warnings: Vec<&'static Code>,
}

impl Look {
    pub(crate) fn clean() -> Self {
        static NONE: std::sync::OnceLock<std::sync::Arc<str>> = std::sync::OnceLock::new();
        let warning = NONE.get_or_init(|| "00000000".into()).clone();
        Look { warning, clarity: None, profile: Profile::Typical, bank_warnings: Vec::new() }
    }
}

/// One entry of a mix.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weighted {
    pub(crate) scenario: String,
    pub(crate) weight: u32,
}

impl Scenario {
    /// The kind, as scenario files and listings write it.
    pub(crate) fn kind(&self) -> &'static str {
        match self.outcome {
            Outcome::Success(_) => "success",
            Outcome::Error(_) => "error",
            Outcome::Fault(_) => "fault",
            Outcome::Mix(_) => "mix",
        }
    }

    /// Infrastructure (a transport fault that replaces the answer, or a gateway/network code):
    /// chosen by header, queue or default it answers before the request is validated.
    pub(crate) fn is_infrastructure(&self) -> bool {
        match &self.outcome {
            Outcome::Fault(f) => f.replaces_answer(),
            Outcome::Error(c) => c.code.starts_with('4') || c.code.starts_with("9999"),
            _ => false,
        }
    }

    /// What the client sees, for listings: the code and msg, the warnings, or the fault.
    pub(crate) fn summary(&self) -> String {
        match &self.outcome {
            Outcome::Success(l) if !l.bank_warnings.is_empty() => {
                let (first, all) = crate::protocol::bank_codes::warning_fields(&l.bank_warnings);
                let texts: Vec<&str> = l.bank_warnings.iter().map(|c| c.msg).collect();
                format!("code 0, warningCode {first}, multiWarningCode {all} ({})", texts.join("、"))
            }
            Outcome::Success(l) => {
                let mut s = format!("code 0, warning {}", l.warning);
                if let Some(c) = l.clarity {
                    s.push_str(&format!(", clarity {c}"));
                }
                if l.profile != Profile::Typical {
                    s.push_str(&format!(", {}", catalog::profile_name(l.profile)));
                }
                s
            }
            Outcome::Error(c) => format!("code {} {}", c.code, c.msg),
            Outcome::Fault(f) => format!("fault {}", f.as_str()),
            Outcome::Mix(m) => {
                let parts: Vec<String> = m.iter().map(|w| format!("{}×{}", w.weight, w.scenario)).collect();
                format!("mix of {}", parts.join(" + "))
            }
        }
    }

    /// The scenario as JSON, for `GET /__admin/scenarios` and `idocr-mock scenarios --json`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "name": self.name, "description": self.description, "kind": self.kind(), "sees": self.summary(),
        });
        match &self.outcome {
            Outcome::Error(c) => {
                v["code"] = c.code.into();
                v["msg"] = c.msg.into();
            }
            Outcome::Success(l) => v["warning"] = (*l.warning).into(),
            Outcome::Fault(f) => v["fault"] = f.as_str().into(),
            Outcome::Mix(m) => v["mix"] = serde_json::to_value(m).unwrap_or_default(),
        }
        if !self.latency.is_zero() {
            v["latency_ms"] = (self.latency.as_millis() as u64).into();
        }
        v["document"] = self.document.map_or("any", Document::as_str).into();
        v
    }
}

/// The catalog as the text `idocr-mock scenarios` prints.
pub(crate) fn render_table(catalog: &Catalog) -> String {
    let width = catalog.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for s in catalog.iter() {
        out.push_str(&format!("{:<width$}  {}\n", s.name, s.description));
    }
    out
}
