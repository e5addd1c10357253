//! The one integration-test binary: every module starts its own mock on a free port.

mod support;

mod apps;
mod bank_scenarios;
mod bankcard;
mod binary;
mod bounds;
mod conformance;
mod console;
mod durability;
mod face;
mod face_apps;
mod held;
mod hostile;
mod journal;
mod logs;
mod ocr;
mod orders;
mod properties;
mod readme;
mod scenarios;
mod texts;
mod tls;
mod token_refusals;
mod tokens;
