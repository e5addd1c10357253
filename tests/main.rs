//! The one integration-test binary: every module starts its own mock on a free port.

mod support;

mod binary;
mod conformance;
mod journal;
mod ocr;
mod orders;
mod scenarios;
mod token_refusals;
mod tokens;
