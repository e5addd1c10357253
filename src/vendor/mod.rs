//! The vendor endpoints, one module each, reading as the vendor contract: parse → check → act →
//! render.

pub mod oauth;
pub mod ocr;
pub mod ocr_result;
