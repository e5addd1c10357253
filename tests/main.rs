//! The one integration-test binary: every module starts its own mock on a free port.

mod support;

mod binary;
mod hostile;
mod logs;
mod ocr;
mod properties;
