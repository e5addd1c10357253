//! The real binary: `--port 0`, the first line on stdout, a request, a graceful SIGTERM.

use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::ocr::request::Side;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_prints_its_port_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["--port", "0", "--seed", "7"])
        .env_remove("IDOCR_MOCK_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.trim().strip_prefix("listening on http://").expect("first line names the address");
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    assert_ne!(addr.port(), 0);

    let answer = Call::post_json(OCR, signed_body("bin1", Side::Front).to_string()).send(addr).await.unwrap();
    assert_eq!(answer.json().unwrap()["code"], "0");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success(), "exits 0 after SIGTERM");
}

#[test]
fn a_broken_config_file_fails_at_startup_naming_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("idocr-mock-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("apps.toml");
    std::fs::write(&path, "[[app]]\nid = \"A\"\nsecret = oops\n").unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_idocr-mock")).args(["--port", "0", "--config"]).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apps.toml, line 3, column 10"), "{err}");
}
