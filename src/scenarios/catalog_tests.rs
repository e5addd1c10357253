//! Unit tests of the catalog: every file embedded, every required scenario present, bad files
//! refused with the reason.

use super::*;

/// The scenarios the issue promises, each of which must have a file.
const REQUIRED: &[&str] = &[
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
];

#[test]
fn every_file_of_the_fixtures_folder_is_embedded_and_every_embedded_name_has_a_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut on_disk: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    on_disk.sort();
    let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| format!("{n}.json")).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "fixtures/scenarios and catalog::EMBEDDED differ");
}

#[test]
fn the_builtin_catalog_has_every_required_scenario_with_a_description() {
    let c = Catalog::builtin();
    assert!(c.len() >= 30);
    for name in REQUIRED {
        let s = c.get(name).unwrap_or_else(|| panic!("{name} has no file"));
        assert!(!s.description.is_empty());
    }
}

#[test]
fn error_scenarios_use_the_catalog_entries() {
    let c = Catalog::builtin();
    let code = |n: &str| match &c.get(n).unwrap().outcome {
        Outcome::Error(code) => *code,
        o => panic!("{n}: {o:?}"),
    };
    assert_eq!(code("blurry"), &codes::BLURRY);
    assert_eq!(code("crypto-failed"), &codes::CRYPTO_FAILED);
    assert_eq!(code("tps-exceeded"), &codes::TOO_LARGE);
    assert!(c.get("server-busy").unwrap().is_infrastructure());
    assert!(!c.get("blurry").unwrap().is_infrastructure());
    assert!(c.get("reset").unwrap().is_infrastructure());
    assert!(!c.get("dribble").unwrap().is_infrastructure());
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let cases = [
        (r#"{"name":"x","description":"d","outcome":"error"}"#, "needs a code"),
        (r#"{"name":"x","description":"d","outcome":"error","code":"123"}"#, "not an error of the catalog"),
        (r#"{"name":"x","description":"d","outcome":"success","warning":"12"}"#, "8 characters"),
        (r#"{"name":"x","description":"d","outcome":"success","code":"66661001"}"#, "only for outcome \"error\""),
        (r#"{"name":"x","description":"d","outcome":"fault","fault":"boom"}"#, "unknown variant"),
        (r#"{"name":"x","description":"d","outcome":"success","profile":"old"}"#, "profile \"old\" is unknown"),
        (r#"{"name":"y","description":"d","outcome":"success"}"#, "differs from the file name"),
        (r#"{"name":"x","description":"d","outcome":"success","colour":1}"#, "unknown field"),
        (
            r#"{"name":"x","description":"d","outcome":"success","identity":{"idcard":"110105194912310021"}}"#,
            "not a valid",
        ),
        (r#"{"name":"x","description":"d","outcome":"mix","mix":[]}"#, "non-empty mix"),
    ];
    for (text, reason) in cases {
        let err = parse(text, "x").unwrap_err();
        assert!(err.contains(reason), "{text}: {err}");
    }
}

#[test]
fn a_fixtures_folder_adds_and_overrides_and_a_bad_file_is_named() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().to_path_buf();
    std::fs::write(
        dir.join("blurry.json"),
        r#"{"name":"blurry","description":"mine","outcome":"error","code":"66661099"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("mine.json"),
        r#"{"name":"mine","description":"m","outcome":"mix","mix":[{"scenario":"blurry","weight":1}]}"#,
    )
    .unwrap();
    let c = Catalog::load(Some(&dir)).unwrap();
    assert_eq!(c.get("blurry").unwrap().description, "mine");
    assert!(c.get("mine").is_some());
    std::fs::write(
        dir.join("zz.json"),
        r#"{"name":"zz","description":"m","outcome":"mix","mix":[{"scenario":"nope","weight":1}]}"#,
    )
    .unwrap();
    let err = Catalog::load(Some(&dir)).unwrap_err();
    assert!(err.to_string().contains("zz.json") && err.reason.contains("nope"), "{err}");
}

#[test]
fn the_catalog_built_from_the_files_read_at_startup_is_the_one_checked_even_after_they_change() {
    let guard = tempfile::tempdir().unwrap();
    let file = guard.path().join("mine.json");
    std::fs::write(&file, r#"{"name":"mine","description":"m","outcome":"error","code":"66661099"}"#).unwrap();
    let (checked, fixtures) = Catalog::load_files(Some(guard.path())).unwrap();
    std::fs::write(&file, "not JSON any more").unwrap();
    let built = Catalog::from(fixtures);
    assert_eq!(built.names(), checked.names());
    assert_eq!(built.get("mine").unwrap().description, "m");
    assert_eq!(Catalog::from(crate::config::Fixtures::default()).names(), Catalog::builtin().names());
}

#[test]
fn each_scenario_is_for_one_card_or_both_by_its_file_or_by_what_it_does() {
    use crate::protocol::Document::{BankCard, IdCard};
    let c = Catalog::builtin();
    let doc = |n: &str| c.get(n).unwrap().document;
    assert_eq!((doc("blurry"), doc("border-incomplete"), doc("minor")), (Some(IdCard), Some(IdCard), Some(IdCard)));
    assert_eq!(
        (doc("bank-blurry"), doc("bank-expired"), doc("bank-long-order")),
        (Some(BankCard), Some(BankCard), Some(BankCard))
    );
    assert_eq!(
        (doc("success"), doc("low-clarity"), doc("server-busy"), doc("hang"), doc("flaky")),
        (None, None, None, None, None)
    );
    let parsed = |text: &str| parse(text, "x").map(|s| s.document);
    assert_eq!(
        parsed(r#"{"name":"x","description":"d","outcome":"error","code":"66660000","document":"any"}"#),
        Ok(None)
    );
    let bad =
        parsed(r#"{"name":"x","description":"d","outcome":"success","warning":"10000000","document":"bankcard"}"#);
    assert!(bad.unwrap_err().contains("contradicts what the scenario does, which is for ID-cards"));
    let unknown = parsed(r#"{"name":"x","description":"d","outcome":"success","document":"passport"}"#);
    assert!(unknown.unwrap_err().contains("\"idcard\", \"bankcard\" or \"any\""));
}

#[test]
fn a_bank_warning_is_only_a_warning_and_only_of_a_success() {
    let parsed = |text: &str| parse(text, "x");
    let as_error = parsed(r#"{"name":"x","description":"d","outcome":"error","code":"-9110"}"#).unwrap_err();
    assert!(as_error.contains("a bank-card warning goes in \"warnings\""), "{as_error}");
    let not_one = parsed(r#"{"name":"x","description":"d","outcome":"success","warnings":["-9014"]}"#).unwrap_err();
    assert!(not_one.contains("not a bank-card warning code; use -9110, -9111"), "{not_one}");
    let on_error = parsed(r#"{"name":"x","description":"d","outcome":"error","code":"-9012","warnings":["-9110"]}"#);
    assert!(on_error.unwrap_err().contains("warnings is only for outcome \"success\""));
    let ok = parsed(r#"{"name":"x","description":"d","outcome":"success","warnings":["-9111","66661009"]}"#).unwrap();
    let Outcome::Success(look) = ok.outcome else { panic!() };
    assert_eq!(look.bank_warnings.iter().map(|c| c.code).collect::<Vec<_>>(), ["-9111", "66661009"]);
}
