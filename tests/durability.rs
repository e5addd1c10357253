//! An order answered `code "0"` is on disk; the store, the clock and the data dir refuse what
//! they cannot honour instead of losing or breaking something later.

use crate::support::process::{command, temp_path, Process};
use crate::support::*;
use idocr_mock::client::{Answer, Call};
use idocr_mock::config::DuplicateOrders;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::json;
use std::path::PathBuf;

async fn get_result(mock: &Mock, order: &str) -> Answer {
    let sign = sign(&[APP, order, NONCE, "1.0.0"], TICKET);
    let target =
        format!("/api/server/getOcrResult?app_id={APP}&order_no={order}&nonce={NONCE}&version=1.0.0&sign={sign}");
    mock.send(Call::get(target)).await
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = temp_path(name);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    dir
}

fn code(a: &Answer) -> String {
    a.json().unwrap()["code"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn an_order_that_cannot_be_written_is_answered_999999_and_not_kept() {
    let dir = fresh_dir("unwritable");
    let mock = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
    assert_eq!(code(&mock.ocr(&signed_body("w1", Side::Front)).await), "0");
    // The directory replaced by a regular file: every write fails, even for root.
    let aside = dir.with_extension("aside");
    std::fs::rename(&dir, &aside).unwrap();
    std::fs::write(&dir, "not a directory").unwrap();

    let answer = mock.ocr(&signed_body("w2", Side::Front)).await;
    assert_eq!(code(&answer), "999999", "{:?}", answer.body);
    let reason = answer.header("x-idocr-mock-reason").unwrap();
    assert!(reason.contains("order-TIDAMOCK-w2.json") && reason.contains("ot a directory"), "{reason}");
    assert_eq!(code(&get_result(&mock, "w2").await), "66660020", "an unwritten order is not kept");
    let back = mock.ocr(&signed_body("w1", Side::Back)).await;
    assert_eq!(code(&back), "999999");
    let w1 = get_result(&mock, "w1").await.json().unwrap();
    assert_eq!(w1["code"], "0", "{w1}");
    assert!(w1["result"]["frontCode"] == "0" && w1["result"]["backCode"] == "", "{w1}");

    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&aside, &dir).unwrap();
    drop(mock);
    let restarted = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
    assert_eq!(code(&get_result(&restarted, "w1").await), "0", "the acknowledged order survives");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert!(!leftovers.iter().any(|n| n.to_string_lossy().ends_with(".tmp")), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn left_over_temp_files_are_removed_at_startup() {
    let dir = fresh_dir("leftover");
    std::fs::create_dir_all(&dir).unwrap();
    let tmp = dir.join("order-TIDAMOCK-t1.json.tmp");
    std::fs::write(&tmp, "{half a file").unwrap();
    let _mock = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
    assert!(!tmp.exists(), "the temp file is still there");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_of_one_side_give_exactly_one_success() {
    let mock = Mock::with(Config { seed: 1, duplicate_orders: DuplicateOrders::Reject, ..Config::default() }).await;
    for trial in 0..50 {
        let body = signed_body(&format!("race{trial}"), Side::Front).to_string();
        let calls = (0..16).map(|_| {
            let (body, addr) = (body.clone(), mock.addr);
            tokio::spawn(async move { Call::post_json(OCR, body).send(addr).await })
        });
        let answers: Vec<_> = futures_util::future::join_all(calls).await.into_iter().map(Result::unwrap).collect();
        let codes: Vec<String> = answers.iter().map(|a| code(a.as_ref().unwrap())).collect();
        assert_eq!(codes.iter().filter(|c| *c == "0").count(), 1, "trial {trial}: {codes:?}");
        assert!(codes.iter().all(|c| c == "0" || c == "66660030"), "trial {trial}: {codes:?}");
    }
}

#[tokio::test]
async fn the_clock_refuses_moves_outside_the_years_it_serves_and_ocr_still_answers() {
    let mock = Mock::start().await;
    let moves = [json!({"advance_seconds": 2.6e11}), json!({"set": "0001-01-01T00:00:00+08:00"})];
    for body in moves.iter().chain(std::iter::repeat_n(&json!({"advance_seconds": 1e11}), 5)) {
        let answer = mock.send(Call::post_json("/__admin/clock", body.to_string())).await;
        if answer.status == 200 {
            continue; // a move that still lands inside the range
        }
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        let error = answer.json().unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.contains("1900") && error.contains("9979"), "{error}");
    }
    let now = mock.send(Call::get("/__admin/clock")).await.json().unwrap();
    let year: i32 = now["now"].as_str().unwrap()[..4].parse().unwrap();
    assert!((1900..=9979).contains(&year), "{now}");
    let answer = mock.ocr(&signed_body("clock1", Side::Front)).await;
    assert_eq!((answer.status.as_u16(), code(&answer)), (200, "0".to_string()), "{:?}", answer.body);
    for edge in ["9979-12-31T23:00:00+08:00", "1900-01-01T01:00:00+08:00"] {
        let set = mock.send(Call::post_json("/__admin/clock", json!({"set": edge}).to_string())).await;
        assert_eq!(set.status, 200, "{edge}");
        for side in [Side::Front, Side::Back] {
            let answer = mock.ocr(&signed_body(&format!("edge{}", &edge[..4]), side)).await;
            assert_eq!((answer.status.as_u16(), code(&answer)), (200, "0".to_string()), "{edge}: {:?}", answer.body);
        }
    }
}

#[tokio::test]
async fn reset_says_which_order_files_it_could_not_delete() {
    let dir = fresh_dir("undeletable");
    let mock = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
    assert_eq!(code(&mock.ocr(&signed_body("r1", Side::Front)).await), "0");
    // A non-empty directory where the file was: even root cannot unlink it as a file.
    let file = dir.join("order-TIDAMOCK-r1.json");
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir_all(file.join("inside")).unwrap();
    let answer = mock.send(Call::post_json("/__admin/reset", "")).await;
    assert_eq!(answer.status, 500, "{:?}", answer.body);
    let body = answer.json().unwrap();
    assert!(body["not_deleted"][0].as_str().unwrap().contains("order-TIDAMOCK-r1.json"), "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_in_the_data_dir_is_skipped_and_the_mock_starts() {
    let dir = fresh_dir("fifo");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("order-TIDAMOCK-f1.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mock = Process::start("fifo", &["--data-dir", dir.to_str().unwrap()]);
    let log = mock.stop();
    assert!(log.contains("not a regular file") && log.contains("order-TIDAMOCK-f1.json"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_process_on_one_data_dir_refuses_to_start_naming_the_first() {
    let dir = fresh_dir("locked");
    let first = Process::start("locked", &["--data-dir", dir.to_str().unwrap()]);
    let out = command(&["--port", "0", "--data-dir", dir.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(dir.to_str().unwrap()), "{stderr}");
    assert!(stderr.contains(&format!("process {}", first.child.id())), "{stderr}");
    drop(first);
    let again = Process::start("locked2", &["--data-dir", dir.to_str().unwrap()]);
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
