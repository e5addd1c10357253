//! HTTPS and the proxy mode, against the real binary on loopback: curl with the mock's CA, curl
//! and Java through `--proxy`, refusals (other hosts, plain HTTP and garbage on the HTTPS port),
//! the two TLS scenarios, and how the journal says a request arrived.

use crate::support::*;
use idocr_mock::protocol::Side;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The binary with `--https-port 0` and its own CA directory, stopped when dropped.
struct Served {
    child: Child,
    http: u16,
    https: u16,
    dir: PathBuf,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let dir = std::env::temp_dir().join(format!("idocr-tls-{}-{}", std::process::id(), rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
            .args(["--port", "0", "--https-port", "0", "--seed", "7", "--ca-dir"])
            .arg(dir.join("ca"))
            .args(extra)
            .env_remove("IDOCR_MOCK_PORT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut port = |scheme: &str| {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            let rest =
                line.trim().strip_prefix(&format!("listening on {scheme}://")).unwrap_or_else(|| panic!("{line:?}"));
            rest.rsplit(':').next().unwrap().parse::<u16>().unwrap()
        };
        let (http, https) = (port("http"), port("https"));
        Served { child, http, https, dir }
    }

    fn ca(&self) -> PathBuf {
        self.dir.join("ca").join("ca.pem")
    }

    /// A signed OCR body written to a file, for `curl --data @FILE`.
    fn body_file(&self, order: &str) -> PathBuf {
        let path = self.dir.join(format!("{order}.json"));
        std::fs::write(&path, signed_body(order, Side::Front).to_string()).unwrap();
        path
    }

    /// The journal's entries.
    fn journal(&self) -> Vec<serde_json::Value> {
        let out = curl(&[&format!("http://127.0.0.1:{}/__admin/requests", self.http)]).unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)))
    }

    /// The arrival of the journaled request to `path`.
    fn arrival_of(&self, path: &str) -> serde_json::Value {
        let entries = self.journal();
        entries.iter().find(|e| e["path"] == path).unwrap_or_else(|| panic!("no {path} in {entries:?}"))["arrival"]
            .clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs a tool, or says visibly that it is missing.
fn tool(name: &str, args: &[&str]) -> Option<Output> {
    match Command::new(name).args(args).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: {name} is not installed");
            None
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

fn curl(args: &[&str]) -> Option<Output> {
    let mut all = vec!["-sS", "--max-time", "20"];
    all.extend_from_slice(args);
    tool("curl", &all)
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn code_of(out: &Output) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", text(out)));
    v["code"].as_str().unwrap_or_default().to_string()
}

fn data(path: &Path) -> String {
    format!("@{}", path.display())
}

#[test]
fn curl_with_the_mocks_ca_reaches_kyc1_qcloud_com_on_the_https_port_and_a_signed_ocr_call_gets_code_0() {
    let s = Served::start(&[]);
    let (ca, body) = (s.ca(), s.body_file("tls1"));
    let resolve = format!("kyc1.qcloud.com:{}:127.0.0.1", s.https);
    let url = format!("https://kyc1.qcloud.com:{}{OCR}", s.https);
    let Some(out) = curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve,
        "-H",
        "content-type: application/json",
        "--data",
        &data(&body),
        &url,
    ]) else {
        return;
    };
    assert_eq!(code_of(&out), "0", "{}", text(&out));
    // TLS 1.2 as well as 1.3.
    let out = curl(&[
        "--tlsv1.2",
        "--tls-max",
        "1.2",
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve,
        "-H",
        "content-type: application/json",
        "--data",
        &data(&body),
        &url,
    ])
    .unwrap();
    assert_eq!(code_of(&out), "0", "{}", text(&out));
    assert_eq!(s.arrival_of(OCR), serde_json::json!({"via": "https", "sni": "kyc1.qcloud.com"}));
}

#[test]
fn curl_through_the_proxy_reaches_the_mock_for_a_vendor_host_and_gets_403_for_any_other() {
    let s = Served::start(&[]);
    let (ca, body) = (s.ca(), s.body_file("tls2"));
    let proxy = format!("http://127.0.0.1:{}", s.http);
    let Some(out) = curl(&[
        "--proxy",
        &proxy,
        "--cacert",
        ca.to_str().unwrap(),
        "-H",
        "content-type: application/json",
        "--data",
        &data(&body),
        &format!("https://kyc1.qcloud.com{OCR}"),
    ]) else {
        return;
    };
    assert_eq!(code_of(&out), "0", "{}", text(&out));
    assert_eq!(s.arrival_of(OCR), serde_json::json!({"via": "proxy", "target": "kyc1.qcloud.com:443", "tls": true}));

    let out = curl(&["--proxy", &proxy, "-w", "%{http_connect}", "https://example.com/"]).unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("403"), "{}", text(&out));
    // Plain-HTTP proxy requests in absolute form: the vendor host served, another refused.
    let out = curl(&["--proxy", &proxy, &format!("http://ida.webank.com/api/oauth2/access_token?app_id={APP}&secret=idocr-mock-secret&grant_type=client_credential&version=1.0.0")]).unwrap();
    assert_eq!(code_of(&out), "0", "{}", text(&out));
    let out = curl(&["--proxy", &proxy, "-i", "http://example.com/"]).unwrap();
    let t = text(&out);
    assert!(t.starts_with("HTTP/1.1 403") && t.contains("kyc1.qcloud.com") && t.contains("never forwards"), "{t}");
    let arrivals: Vec<String> = s.journal().iter().map(|e| e["arrival"].to_string()).collect();
    assert!(arrivals.iter().any(|a| a.contains("example.com:443")), "the refused CONNECT is journaled: {arrivals:?}");
}

#[test]
fn plain_http_and_garbage_on_the_https_port_are_refused_and_the_server_goes_on() {
    let s = Served::start(&[]);
    let mut plain = std::net::TcpStream::connect(("127.0.0.1", s.https)).unwrap();
    plain.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    plain.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("HTTPS port"), "{answer}");

    let mut garbage = std::net::TcpStream::connect(("127.0.0.1", s.https)).unwrap();
    garbage.write_all(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0xff, 0xfe]).unwrap();
    let mut got = Vec::new();
    let _ = garbage.read_to_end(&mut got);
    // A TLS alert record (0x15) or a plain close; never an HTTP answer.
    assert!(got.is_empty() || got[0] == 0x15, "{got:?}");

    let Some(out) = curl(&[
        "--cacert",
        s.ca().to_str().unwrap(),
        &format!("https://localhost:{}/api/oauth2/access_token", s.https),
    ]) else {
        return;
    };
    assert_eq!(code_of(&out), "400101", "the server still answers: {}", text(&out));
}

#[test]
fn the_tls_scenarios_refuse_the_handshake_or_serve_an_expired_certificate() {
    let s = Served::start(&["--scenario", "tls-handshake-failure"]);
    let url = format!("https://localhost:{}/api/oauth2/access_token", s.https);
    let Some(out) = curl(&["--cacert", s.ca().to_str().unwrap(), &url]) else { return };
    assert!(!out.status.success() && text(&out).contains("alert"), "{}", text(&out));
    drop(s);
    let s = Served::start(&["--scenario", "cert-expired"]);
    let url = format!("https://localhost:{}/api/oauth2/access_token", s.https);
    let out = curl(&["--cacert", s.ca().to_str().unwrap(), &url]).unwrap();
    assert!(!out.status.success() && text(&out).to_lowercase().contains("expired"), "{}", text(&out));
}

#[test]
fn the_ca_command_prints_the_certificate_that_signs_the_leaves_and_says_how_to_trust_it() {
    let s = Served::start(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .arg("ca")
        .arg("--ca-dir")
        .arg(s.dir.join("ca"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), std::fs::read_to_string(s.ca()).unwrap());
    let help = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "keytool -importcert",
        "REQUESTS_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        "SSL_CERT_FILE",
        "curl.cainfo",
        "update-ca-certificates",
    ] {
        assert!(help.contains(needle), "{needle} missing from {help}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.dir.join("ca").join("ca-key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn the_unchanged_java_client_reaches_https_kyc1_qcloud_com_through_the_proxy_with_a_keytool_truststore() {
    let s = Served::start(&[]);
    let store = s.dir.join("trust.jks");
    let ca = s.ca();
    let Some(out) = tool(
        "keytool",
        &[
            "-importcert",
            "-noprompt",
            "-alias",
            "idocr-mock",
            "-file",
            ca.to_str().unwrap(),
            "-keystore",
            store.to_str().unwrap(),
            "-storepass",
            "changeit",
        ],
    ) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out));
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/JavaClient.java");
    let port = s.http.to_string();
    let Some(out) = tool(
        "java",
        &[
            &format!("-Djavax.net.ssl.trustStore={}", store.display()),
            "-Djavax.net.ssl.trustStorePassword=changeit",
            "-Dhttps.proxyHost=127.0.0.1",
            &format!("-Dhttps.proxyPort={port}"),
            client.to_str().unwrap(),
            "https://kyc1.qcloud.com",
        ],
    ) else {
        return;
    };
    assert!(out.status.success(), "{}", text(&out));
    let journal = s.journal();
    assert!(!journal.is_empty() && journal.iter().all(|e| e["arrival"]["via"] == "proxy"), "{journal:?}");
}

#[test]
fn the_conformance_suite_passes_against_the_https_port_with_the_mocks_ca() {
    let s = Served::start(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["conformance", "--target", &format!("https://127.0.0.1:{}", s.https), "--ca-file"])
        .arg(s.ca())
        .env_remove("IDOCR_MOCK_TARGET")
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success() && t.contains(" passed, 0 failed"), "{t}");
    // Without the CA the certificate is refused.
    let out = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["conformance", "--target", &format!("https://127.0.0.1:{}", s.https)])
        .output()
        .unwrap();
    assert!(!out.status.success() && text(&out).contains("UnknownIssuer"), "{}", text(&out));
}

#[test]
fn the_unchanged_node_client_trusts_the_mock_through_node_extra_ca_certs() {
    let s = Served::start(&[]);
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node-client.mjs");
    // Node 20's fetch ignores HTTPS_PROXY, so the HTTPS port by a name the leaf carries.
    let out = match Command::new("node")
        .arg(&client)
        .arg(format!("https://localhost:{}", s.https))
        .env("NODE_EXTRA_CA_CERTS", s.ca())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return eprintln!("SKIPPED: node is not installed"),
        Err(e) => panic!("node: {e}"),
    };
    assert!(out.status.success(), "{}", text(&out));
    assert!(s.journal().iter().all(|e| e["arrival"]["via"] == "https"));
}

#[test]
fn a_python_urllib_client_reaches_https_kyc1_qcloud_com_through_https_proxy_and_ssl_cert_file() {
    let s = Served::start(&[]);
    let script = format!(
        "import json, urllib.request\n\
         url = 'https://kyc1.qcloud.com/api/oauth2/access_token?app_id={APP}&secret=idocr-mock-secret&grant_type=client_credential&version=1.0.0'\n\
         print(json.load(urllib.request.urlopen(url, timeout=20))['code'])\n"
    );
    let out = match Command::new("python3")
        .args(["-c", &script])
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{}", s.http))
        .env("SSL_CERT_FILE", s.ca())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return eprintln!("SKIPPED: python3 is not installed"),
        Err(e) => panic!("python3: {e}"),
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{}", text(&out));
    assert_eq!(s.arrival_of("/api/oauth2/access_token")["via"], "proxy");
}

#[test]
fn an_unknown_sni_name_gets_the_default_leaf_so_the_client_reports_the_name_mismatch_and_the_server_goes_on() {
    let s = Served::start(&["--tls-name", "ocr.partner.test"]);
    let ca = s.ca();
    let url = |host: &str| format!("https://{host}:{}/api/oauth2/access_token", s.https);
    let resolve = |host: &str| format!("{host}:{}:127.0.0.1", s.https);
    let Some(out) =
        curl(&["--cacert", ca.to_str().unwrap(), "--resolve", &resolve("unknown.example"), &url("unknown.example")])
    else {
        return;
    };
    assert!(!out.status.success() && text(&out).contains("unknown.example"), "{}", text(&out));
    // A --tls-name name is in the leaf, and the proxy serves it.
    let out =
        curl(&["--cacert", ca.to_str().unwrap(), "--resolve", &resolve("ocr.partner.test"), &url("ocr.partner.test")])
            .unwrap();
    assert_eq!(code_of(&out), "400101", "{}", text(&out));
    let proxy = format!("http://127.0.0.1:{}", s.http);
    let out = curl(&[
        "--proxy",
        &proxy,
        "--cacert",
        ca.to_str().unwrap(),
        "https://ocr.partner.test/api/oauth2/access_token",
    ])
    .unwrap();
    assert_eq!(code_of(&out), "400101", "{}", text(&out));
}

#[test]
fn a_connect_target_of_a_thousand_characters_is_refused_and_journaled_cut_to_the_bound() {
    let s = Served::start(&[]);
    let host = "a".repeat(1000);
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", s.http)).unwrap();
    write!(conn, "CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n").unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let journal = s.journal();
    let target = journal.iter().find_map(|e| e["arrival"]["target"].as_str().map(str::to_string)).expect("journaled");
    assert!(target.len() <= 260 && target.starts_with("aaaa"), "{} bytes", target.len());
}

#[test]
fn two_processes_making_the_ca_at_once_end_up_with_one_ca() {
    let dir = std::env::temp_dir().join(format!("idocr-tls-race-{}-{}", std::process::id(), rand::random::<u64>()));
    let ca_dir = dir.join("ca");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
            .arg("ca")
            .arg("--ca-dir")
            .arg(&ca_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    assert!(String::from_utf8_lossy(&a.stdout).starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(a.stdout, b.stdout, "both print the one CA that was kept");
    assert_eq!(std::fs::read(ca_dir.join("ca.pem")).unwrap(), a.stdout);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("ca")], "no temporary directory left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_tls_cert_file_stops_startup_with_a_message_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args([
            "--port",
            "0",
            "--https-port",
            "0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .output()
        .unwrap();
    let t = text(&out);
    assert!(!out.status.success() && t.contains("--tls-cert /nonexistent/cert.pem"), "{t}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"), "{t}");
}

#[test]
fn the_users_own_certificate_and_key_are_served_on_the_https_port() {
    let dir = std::env::temp_dir().join(format!("idocr-tls-own-{}-{}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["own.test".to_string()]).unwrap().self_signed(&key).unwrap();
    let (cert_file, key_file) = (dir.join("own.pem"), dir.join("own-key.pem"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let s = Served::start(&["--tls-cert", cert_file.to_str().unwrap(), "--tls-key", key_file.to_str().unwrap()]);
    let resolve = format!("own.test:{}:127.0.0.1", s.https);
    let url = format!("https://own.test:{}/api/oauth2/access_token", s.https);
    let Some(out) = curl(&["--cacert", cert_file.to_str().unwrap(), "--resolve", &resolve, &url]) else { return };
    assert_eq!(code_of(&out), "400101", "{}", text(&out));
    assert!(!s.ca().exists(), "no local CA is made when the user's certificate is served");
    let _ = std::fs::remove_dir_all(&dir);
}
