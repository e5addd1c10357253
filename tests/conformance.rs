//! The conformance suite, in process: it passes against the mock, and each deliberately broken
//! target is caught by the case named for the breakage.

use crate::support::proxy::{Proxy, Tamper};
use crate::support::*;
use idocr_mock::config::SignCheck;
use idocr_mock::conformance::{self, ConformanceArgs, Outcome, Run};
use idocr_mock::Config;
use serde_json::{json, Value};

/// Every group: the mock serves all of them (the token flow and getOcrResult included).
const ON_THIS_BRANCH: &[&str] =
    &["transport", "oauth", "signing", "validation", "recognition", "orders", "envelope", "bankcard", "face"];

fn args(target: String, only: &[&str]) -> ConformanceArgs {
    ConformanceArgs { target, only: only.iter().map(|s| s.to_string()).collect(), ..ConformanceArgs::default() }
}

async fn run(args: &ConformanceArgs) -> (Run, String) {
    let mut out = Vec::new();
    let run = conformance::run(args, &mut out).await.expect("the suite runs");
    (run, String::from_utf8(out).unwrap())
}

async fn run_against(target: String, only: &[&str]) -> (Run, String) {
    run(&args(target, only)).await
}

fn url(mock: &Mock) -> String {
    format!("http://{}", mock.addr)
}

/// The mock, with the fake token flow's SIGN ticket as a static one so tickets it hands out sign.
#[tokio::test]
async fn the_whole_suite_passes_against_the_mock() {
    let mock = Mock::start().await;
    let (run, out) = run_against(url(&mock), ON_THIS_BRANCH).await;
    assert!(run.failed().is_empty(), "{out}");
    assert_eq!(run.count(|o| matches!(o, Outcome::Skip(_))), 0, "{out}");
    assert!(out.starts_with("signer: the doc's vectors TV-1…TV-5 match\n"), "{out}");
    assert!(out.contains("\nPASS signing/wrong-sign-refused\n"), "{out}");
    assert!(out.ends_with(&format!("{} passed, 0 failed, 0 skipped\n", run.cases.len())), "{out}");
}

#[tokio::test]
async fn given_a_secret_the_suite_signs_with_a_ticket_from_the_token_flow() {
    let mock = Mock::start().await;
    let mut a = args(url(&mock), &["signing"]);
    a.secret = Some("idocr-mock-secret".into());
    let (run, out) = run(&a).await;
    assert!(out.contains("...(64), from the token flow)"), "{out}");
    assert!(run.failed().is_empty(), "{out}");
}

#[tokio::test]
async fn against_a_target_that_is_not_the_mock_image_and_admin_cases_skip_and_say_why() {
    let mock = Mock::start().await;
    let proxy = Proxy::start(mock.addr, Tamper { hide_admin: true, ..Tamper::default() }).await;
    let mut a = args(proxy.url(), &["recognition", "oauth/sign-ticket-expires", "signing", "bankcard", "face"]);
    a.sign_ticket = Some(TICKET.into());
    let (run, out) = run(&a).await;
    assert!(out.contains("(not idocr-mock: admin cases are skipped)"), "{out}");
    assert!(
        out.contains("SKIP recognition/front-shape: needs --front-image FILE, a photo of a real ID card's front"),
        "{out}"
    );
    assert!(out.contains("SKIP oauth/sign-ticket-expires: needs idocr-mock's admin API"), "{out}");
    assert!(out.contains("SKIP bankcard/shape: needs --bank-image FILE, a photo of a real bank card's front"), "{out}");
    assert!(out.contains("PASS bankcard/not-base64"), "{out}");
    assert!(out.contains("SKIP face/query-after-outcome-chosen: needs idocr-mock's admin API"), "{out}");
    assert!(out.contains("PASS face/geth5faceid-shape") && out.contains("PASS face/bad-sign"), "{out}");
    // Without an image the sign cases still run: an image refusal means the sign passed.
    assert!(run.failed().is_empty() && out.contains("PASS signing/lower-case-sign-accepted"), "{out}");
}

/// Runs `only` through a proxy that applies `tamper`, and returns the failed case names.
async fn failures_through(tamper: Tamper, only: &[&str]) -> (Vec<String>, String) {
    let mock = Mock::start().await;
    let proxy = Proxy::start(mock.addr, tamper).await;
    let (run, out) = run_against(proxy.url(), only).await;
    (run.failed().iter().map(|s| s.to_string()).collect(), out)
}

#[tokio::test]
async fn sign_checks_turned_off_are_caught_by_the_signing_cases() {
    let mock = Mock::with(Config { seed: 42, sign_check: SignCheck::Off, ..Config::default() }).await;
    let (run, out) = run_against(url(&mock), ON_THIS_BRANCH).await;
    assert_eq!(
        run.failed(),
        [
            "oauth/sign-ticket-expires",
            "signing/wrong-sign-refused",
            "signing/unknown-ticket-refused",
            "signing/wrong-value-set-refused",
            "bankcard/bad-sign",
            "face/bad-sign"
        ],
        "{out}"
    );
    assert!(
        out.contains("FAIL signing/wrong-sign-refused: expected code \"400105\" (身份验证不通过), got \"0\""),
        "{out}"
    );
}

#[tokio::test]
async fn expire_in_as_a_string_is_caught_by_the_token_and_ticket_shapes() {
    let tamper = Tamper {
        response: |path, v| {
            if path.starts_with("/api/oauth2/") {
                stringify(v, "expire_in");
                if let Some(t) = v.get_mut("tickets").and_then(|t| t.get_mut(0)) {
                    stringify(t, "expire_in");
                }
            }
        },
        ..Tamper::default()
    };
    let (failed, out) = failures_through(tamper, &["oauth"]).await;
    let shapes = ["oauth/access-token-shape", "oauth/sign-ticket-shape", "oauth/nonce-ticket-shape"];
    // sign-ticket-expires reads the ticket's shape first, so it fails too.
    assert_eq!(failed, [&shapes[..], &["oauth/sign-ticket-expires"]].concat(), "{out}");
    assert!(
        out.contains("FAIL oauth/access-token-shape: expected expire_in a JSON number, got string \"7200\""),
        "{out}"
    );
}

fn stringify(v: &mut Value, key: &str) {
    if let Some(n) = v.get(key).filter(|n| n.is_number()) {
        v[key] = json!(n.to_string());
    }
}

#[tokio::test]
async fn a_success_without_result_is_caught_by_the_recognition_and_orders_cases() {
    let tamper = Tamper {
        response: |_, v| {
            if v["code"] == "0" {
                v.as_object_mut().unwrap().remove("result");
            }
        },
        ..Tamper::default()
    };
    let (failed, out) = failures_through(tamper, &["recognition", "orders"]).await;
    assert!(failed.contains(&"recognition/front-shape".to_string()), "{out}");
    assert!(
        out.contains("FAIL recognition/front-shape: expected a `result` object in a success (code \"0\"), got none"),
        "{out}"
    );
    assert!(failed.contains(&"orders/front-and-back-aggregated".to_string()), "{out}");
}

#[tokio::test]
async fn a_numeric_code_is_caught_by_the_envelope_cases() {
    let tamper = Tamper {
        response: |_, v| {
            if let Some(n) = v["code"].as_str().and_then(|c| c.parse::<u64>().ok()) {
                v["code"] = json!(n);
            }
        },
        ..Tamper::default()
    };
    let (failed, out) = failures_through(tamper, &["envelope"]).await;
    assert!(failed.contains(&"envelope/code-is-a-string".to_string()), "{out}");
    assert!(out.contains("FAIL envelope/code-is-a-string: expected `code` a JSON string, got number 400101"), "{out}");
}

#[tokio::test]
async fn a_3_2_mb_image_accepted_is_caught_by_the_over_cap_case() {
    let mock = Mock::with(Config { seed: 42, image_cap: 20_971_520, ..Config::default() }).await;
    let (run, out) = run_against(url(&mock), ON_THIS_BRANCH).await;
    assert_eq!(run.failed(), ["validation/over-cap-image"], "{out}");
    assert!(out.contains("expected code \"66660000\" (参数过长), got \"66661010\" (格式有误)"), "{out}");
}

#[tokio::test]
async fn an_over_long_nonce_accepted_is_caught_by_the_long_nonce_case() {
    // A target that cuts the nonce to 32 characters and re-signs: it accepts 33.
    let tamper = Tamper {
        request: |_, v| {
            if let Some(nonce) = v["nonce"].as_str().filter(|n| n.len() > 32).map(|n| n[..32].to_string()) {
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                v["sign"] = json!(sign(&[&s("webankAppId"), &s("orderNo"), &nonce, &s("version")], TICKET));
                v["nonce"] = json!(nonce);
            }
        },
        ..Tamper::default()
    };
    let (failed, out) = failures_through(tamper, ON_THIS_BRANCH).await;
    assert_eq!(failed, ["validation/long-nonce"], "{out}");
}

#[tokio::test]
async fn the_report_records_types_per_case_and_what_the_target_said_about_guessed_codes() {
    let mock = Mock::start().await;
    let (run, _) = run_against(url(&mock), &["signing", "validation/long-order-no"]).await;
    let r = &run.report;
    assert_eq!(r["summary"], json!({"passed": 5, "failed": 0, "skipped": 0}));
    let case = r["cases"].as_array().unwrap().iter().find(|c| c["case"] == "signing/wrong-sign-refused").unwrap();
    let exchange = &case["exchanges"][0];
    assert_eq!(exchange["request"], "POST /api/paas/idcardocrapp");
    assert_eq!((exchange["status"].clone(), exchange["code"].clone()), (json!(200), json!("400105")));
    assert_eq!(exchange["types"]["code"], "string");
    let guesses = r["guesses"].as_array().unwrap();
    let codes: Vec<&str> = guesses.iter().map(|g| g["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["400105", "66660000"]);
    assert_eq!(
        guesses[1]["target_said"][0],
        json!({"case": "validation/long-order-no", "status": 200, "code": "66660000", "msg": "参数过长", "agrees": true})
    );
}

#[tokio::test]
async fn the_bankcard_group_passes_against_the_mock_and_its_ledger_lists_the_codes_guessed_there() {
    let mock = Mock::start().await;
    let (run, out) = run_against(url(&mock), &["bankcard"]).await;
    assert!(run.failed().is_empty() && run.cases.len() == 8, "{out}");
    let guesses = run.report["guesses"].as_array().unwrap();
    let codes: Vec<&str> = guesses.iter().map(|g| g["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["400105", "66660000", "66660020", "66661005", "66661010"], "{guesses:?}");
    let said = &guesses[4]["target_said"][0];
    assert_eq!((said["case"].as_str(), said["agrees"].as_bool()), (Some("bankcard/not-an-image"), Some(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_prints_a_line_per_case_and_exits_non_zero_on_a_failure() {
    let good = Mock::start().await;
    let broken = Mock::with(Config { seed: 42, sign_check: SignCheck::Off, ..Config::default() }).await;
    let cli = |target: String| {
        // The mocks serve on this runtime: run the binary off it.
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
                .args(["conformance", "--target", &target, "--only", "signing"])
                .env_remove("IDOCR_MOCK_SECRET")
                .env_remove("IDOCR_MOCK_SIGN_TICKET")
                .env_remove("IDOCR_MOCK_APP_ID")
                .output()
                .unwrap()
        })
    };
    let ok = cli(url(&good)).await.unwrap();
    let bad = cli(url(&broken)).await.unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).ends_with("4 passed, 0 failed, 0 skipped\n"), "{}", text(&ok));
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("FAIL signing/wrong-sign-refused: expected code \"400105\""), "{}", text(&bad));
}

#[tokio::test]
async fn an_unknown_group_or_an_unreachable_target_stops_before_any_case() {
    let mut out = Vec::new();
    let err = conformance::run(&args("http://127.0.0.1:1".into(), &["nope"]), &mut out).await.unwrap_err();
    assert!(err.contains("--only \"nope\" names no group or case; groups: transport, oauth"), "{err}");
    let err = conformance::run(&args("http://127.0.0.1:1".into(), &[]), &mut out).await.unwrap_err();
    assert!(err.starts_with("cannot reach the target http://127.0.0.1:1"), "{err}");
    let err = conformance::run(&args("https://127.0.0.1:1".into(), &[]), &mut out).await.unwrap_err();
    assert!(err.starts_with("cannot reach the target https://127.0.0.1:1"), "{err}");
}

#[tokio::test]
async fn the_suite_leaves_the_mocks_clock_where_it_found_it() {
    let mock = Mock::start().await;
    let before = mock.state.clock().offset();
    let (run, out) = run_against(url(&mock), &["oauth"]).await;
    assert!(run.failed().is_empty(), "{out}");
    assert!(
        (mock.state.clock().offset() - before).abs() < 1_000,
        "the clock moved by {} ms",
        mock.state.clock().offset() - before
    );
}
