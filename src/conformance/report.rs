//! The JSON report: for every case what the target returned (status, code, msg, the JSON types of
//! its fields), and the ledger of every `guess` catalog entry a case exercised with what the target
//! actually said, to correct the catalog after a run against the real service.

use super::context::json_type;
use crate::client::{Answer, CallError};
use crate::protocol::catalog::{self, Code};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// One request and what came back.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub request: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    /// The JSON type of every top-level field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, &'static str>,
    /// The JSON type of every field of `result`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_types: Option<BTreeMap<String, &'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn types(map: &Map<String, Value>) -> BTreeMap<String, &'static str> {
    map.iter().map(|(k, v)| (k.clone(), json_type(v))).collect()
}

impl Exchange {
    /// What the report keeps of one call: never the body itself (it may carry an identity or a token).
    pub fn of(request: String, result: &Result<Answer, CallError>) -> Self {
        let mut e = Exchange {
            request,
            status: None,
            code: None,
            msg: None,
            types: BTreeMap::new(),
            result_types: None,
            error: None,
        };
        match result {
            Err(err) => e.error = Some(err.to_string()),
            Ok(answer) => {
                e.status = Some(answer.status.as_u16());
                match answer.json() {
                    Ok(Value::Object(map)) => {
                        e.code = map.get("code").cloned();
                        e.msg = map.get("msg").and_then(Value::as_str).map(str::to_string);
                        e.types = types(&map);
                        e.result_types = map.get("result").and_then(Value::as_object).map(types);
                    }
                    Ok(other) => e.error = Some(format!("body is JSON {}, not an object", json_type(&other))),
                    Err(why) => e.error = Some(why),
                }
            }
        }
        e
    }
}

/// A catalog entry a case expected, and what the target said instead (or as well).
#[derive(Debug, Clone)]
pub struct Exercised {
    pub entry: &'static Code,
    /// Whether the mock guesses this answer here: the entry is a guess, or a documented code the
    /// mock sends where no doc says so (`66661005` on the bank card's endpoint).
    pub guess: bool,
    pub status: u16,
    pub code: Option<Value>,
    pub msg: Option<String>,
    /// For an answer that is a page, not a JSON code: whether it said what the mock's page says.
    pub page: Option<bool>,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// One case's record.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// `group/case`.
    pub name: String,
    pub outcome: Outcome,
    pub exchanges: Vec<Exchange>,
    pub exercised: Vec<Exercised>,
}

impl CaseRecord {
    /// The line printed as the case ends.
    pub fn line(&self) -> String {
        match &self.outcome {
            Outcome::Pass => format!("PASS {}", self.name),
            Outcome::Fail(why) => format!("FAIL {}: {why}", self.name),
            Outcome::Skip(why) => format!("SKIP {}: {why}", self.name),
        }
    }

    fn to_json(&self) -> Value {
        let (outcome, detail) = match &self.outcome {
            Outcome::Pass => ("pass", None),
            Outcome::Fail(w) => ("fail", Some(w)),
            Outcome::Skip(w) => ("skip", Some(w)),
        };
        json!({"case": self.name, "outcome": outcome, "detail": detail, "exchanges": self.exchanges})
    }
}

/// The ledger: every guess entry exercised, with what the target said each time.
fn ledger(cases: &[CaseRecord]) -> Vec<Value> {
    catalog::ALL
        .iter()
        .filter_map(|entry| {
            let seen: Vec<Value> = cases
                .iter()
                .flat_map(|case| case.exercised.iter().map(move |x| (case, x)))
                .filter(|(_, x)| x.entry.code == entry.code && x.guess)
                .map(|(case, x)| {
                    let agrees = x.page.unwrap_or_else(|| {
                        x.code.as_ref().and_then(Value::as_str) == Some(entry.code)
                            && x.msg.as_deref().is_some_and(|m| m.starts_with(entry.msg))
                    });
                    json!({"case": case.name, "status": x.status, "code": x.code, "msg": x.msg, "agrees": agrees})
                })
                .collect();
            (!seen.is_empty()).then(|| {
                json!({"code": entry.code, "msg": entry.msg, "when": entry.when, "source": entry.source, "target_said": seen})
            })
        })
        .collect()
}

/// The whole report.
pub fn render(target: &str, is_mock: bool, cases: &[CaseRecord]) -> Value {
    let count = |f: fn(&Outcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    json!({
        "target": target,
        "target_is_idocr_mock": is_mock,
        "suite_version": env!("CARGO_PKG_VERSION"),
        "summary": {
            "passed": count(|o| *o == Outcome::Pass),
            "failed": count(|o| matches!(o, Outcome::Fail(_))),
            "skipped": count(|o| matches!(o, Outcome::Skip(_))),
        },
        "cases": cases.iter().map(CaseRecord::to_json).collect::<Vec<_>>(),
        "guesses": ledger(cases),
    })
}
