//! The cases, one file per group, in the order they run. A case is an async function of the
//! context that passes, fails with `expected …, got …`, or skips with the reason.

use super::context::{Check, Ctx};
use std::future::Future;
use std::pin::Pin;

/// What a case needs beyond the target's vendor API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Vendor,
    /// idocr-mock's admin API (`/__admin/`): skipped against any other target.
    MockAdmin,
}

pub type CaseFuture<'a> = Pin<Box<dyn Future<Output = Check> + 'a>>;

/// One named check.
pub struct Case {
    pub name: &'static str,
    pub needs: Needs,
    pub run: for<'a> fn(&'a Ctx) -> CaseFuture<'a>,
}

macro_rules! case {
    ($name:literal, $f:path) => {
        $crate::conformance::cases::Case {
            name: $name,
            needs: $crate::conformance::cases::Needs::Vendor,
            run: |c| Box::pin($f(c)),
        }
    };
    ($name:literal, $f:path, mock_admin) => {
        $crate::conformance::cases::Case {
            name: $name,
            needs: $crate::conformance::cases::Needs::MockAdmin,
            run: |c| Box::pin($f(c)),
        }
    };
}

mod bankcard;
mod envelope;
mod face;
mod isolation;
mod oauth;
mod orders;
mod recognition;
mod signing;
mod transport;
mod validation;

/// A group of cases, selectable with `--only`.
pub struct Group {
    pub name: &'static str,
    pub cases: fn() -> Vec<Case>,
}

/// Every group, in running order.
pub const GROUPS: &[Group] = &[
    Group { name: "transport", cases: transport::cases },
    Group { name: "oauth", cases: oauth::cases },
    Group { name: "signing", cases: signing::cases },
    Group { name: "validation", cases: validation::cases },
    Group { name: "recognition", cases: recognition::cases },
    Group { name: "orders", cases: orders::cases },
    Group { name: "envelope", cases: envelope::cases },
    Group { name: "bankcard", cases: bankcard::cases },
    Group { name: "face", cases: face::cases },
    Group { name: "isolation", cases: isolation::cases },
];
