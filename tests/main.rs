//! The one integration-test binary: every module starts its own mock on a free port.

mod support;

mod binary;
mod conformance;
mod held;
mod hostile;
mod journal;
mod logs;
mod ocr;
mod orders;
mod properties;
mod scenarios;
mod texts;
mod token_refusals;
mod tokens;
