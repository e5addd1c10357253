//! The real binary: `--port 0`, the first line on stdout, a request, a graceful SIGTERM.

use crate::support::process::Process;
use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::protocol::Side;
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
    let dir = temp_dir();
    let path = dir.path().join("apps.toml");
    std::fs::write(&path, "[[app]]\nid = \"A\"\nsecret = oops\n").unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_idocr-mock")).args(["--port", "0", "--config"]).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apps.toml, line 3, column 10"), "{err}");
}

/// Runs the binary with `args` and `env` until it prints its first line (or exits), then stops it.
fn first_line_or_exit(args: &[&str], env: &[(&str, &str)]) -> (Option<String>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(args)
        .env_remove("IDOCR_MOCK_PORT")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    if first.is_empty() {
        let out = child.wait_with_output().unwrap();
        return (None, String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let _ = child.kill();
    let _ = child.wait();
    (Some(first.trim().to_string()), String::new())
}

#[tokio::test]
async fn a_boolean_variable_set_to_1_turns_its_flag_on_and_0_leaves_it_off() {
    let sign_check_with = |value: &'static str| async move {
        let mut child = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
            .args(["--port", "0"])
            .env_remove("IDOCR_MOCK_PORT")
            .env("IDOCR_MOCK_NO_SIGN_CHECK", value)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let addr = first.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{value}: {first:?}"));
        let mut body = signed_body("boolenv1", Side::Front);
        body["sign"] = serde_json::json!("0".repeat(40));
        let answer = Call::post_json(OCR, body.to_string()).send(addr.parse().unwrap()).await.unwrap();
        let _ = child.kill();
        let _ = child.wait();
        answer.json().unwrap()["code"].as_str().unwrap().to_string()
    };
    assert_eq!(sign_check_with("1").await, "0", "IDOCR_MOCK_NO_SIGN_CHECK=1 accepts any sign");
    assert_eq!(sign_check_with("yes").await, "0");
    assert_eq!(sign_check_with("0").await, "400105", "IDOCR_MOCK_NO_SIGN_CHECK=0 checks signs");
    assert_eq!(sign_check_with("off").await, "400105");
}

#[test]
fn bind_localhost_listens_on_loopback() {
    let (first, err) = first_line_or_exit(&["--bind", "localhost", "--port", "0"], &[]);
    let first = first.unwrap_or_else(|| panic!("did not start: {err}"));
    assert!(first.starts_with("listening on http://127.0.0.1:"), "{first}");
}

#[test]
fn a_bind_address_that_is_not_this_machines_gets_a_hint_about_the_address_not_the_port() {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    let (first, err) = first_line_or_exit(&["--bind", "192.0.2.1", "--port", "0"], &[]);
    assert_eq!(first, None);
    assert!(
        err.contains("cannot listen on 192.0.2.1:0") && err.contains("--bind address is not one of this machine's"),
        "{err}"
    );
    assert!(!err.contains("choose another --port"), "{err}");
    let (_, err) = first_line_or_exit(&["--bind", "no-such-host.invalid"], &[]);
    assert!(err.contains("\"no-such-host.invalid\" is not an IP address nor a host name"), "{err}");
}

#[test]
fn sign_reads_the_same_sign_ticket_variable_as_the_server() {
    let nonce = NONCE;
    let out = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["sign", "--order-no", "envticket1", "--nonce", nonce, "--sign-only"])
        .env("IDOCR_MOCK_SIGN_TICKET", "ticket-from-env,second-ticket")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected = sign(&[APP, "envticket1", nonce, "1.0.0"], "ticket-from-env");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected);
}

/// `idocr-mock health` with `args` and the environment's IDOCR_MOCK_* cleared but for `env`.
fn health(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idocr-mock"));
    cmd.arg("health").args(args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("IDOCR_MOCK_")) {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied()).output().unwrap()
}

#[test]
fn health_exits_0_for_a_running_mock_on_the_port_its_variable_names() {
    let mock = Process::start("health-port", &["--bind", "127.0.0.1"]);
    let addr = mock.addr;
    let port = addr.port().to_string();
    let by_flag = health(&["--port", &port], &[]);
    let by_env = health(&[], &[("IDOCR_MOCK_PORT", &port), ("IDOCR_MOCK_BIND", "0.0.0.0")]);
    let by_url = health(&["--url", &format!("http://localhost:{port}")], &[]);
    drop(mock);
    for out in [by_flag, by_env, by_url] {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.starts_with("healthy: http://") && stdout.contains(&port), "{stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
    }
}

#[test]
fn health_exits_1_saying_connection_refused_when_nothing_listens() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let out = health(&["--port", &port], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("connection refused on 127.0.0.1:{port}")), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn health_exits_1_naming_the_status_when_the_url_is_not_the_mocks_health() {
    let mock = Process::start("health-status", &[]);
    let addr = mock.addr;
    let out = health(&["--url", &format!("http://{addr}/elsewhere")], &[]);
    drop(mock);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("answered HTTP 404"), "{err}");
}

#[test]
fn health_exits_1_on_timeout_when_the_port_accepts_but_never_answers() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    let out = health(&["--port", &port, "--timeout", "0.3"], &[]);
    drop(silent);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no answer from") && err.contains("within 0.3s"), "{err}");
}

#[test]
fn health_exits_0_when_the_mock_requires_an_admin_token() {
    let mock = Process::start("health-token", &["--admin-token", "s3cret-admin"]);
    let addr = mock.addr;
    let out = health(&["--port", &addr.port().to_string()], &[]);
    drop(mock);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
