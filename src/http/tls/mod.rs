//! HTTPS on the vendor's host names: the local CA (created on first use in `--ca-dir`), the leaf
//! certificates it signs, or the user's own `--tls-cert`/`--tls-key`; and the rustls server
//! configurations the HTTPS port and the CONNECT proxy accept with. No socket code here (that is
//! [`serve`]).

pub mod serve;
pub mod trust;

use crate::error::StartupError;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{self, ServerConfig};

/// The host names partner code hard-codes (docs/protocol.md, PROTOCOL-FACE.md): each gets the mock's
/// leaf certificate and is accepted by the CONNECT proxy.
pub const VENDOR_HOSTS: &[&str] =
    &["kyc1.qcloud.com", "miniprogram-kyc.tencentcloudapi.com", "ida.webank.com", "idasc.webank.com", "kyc.qcloud.com"];

/// Names every leaf carries besides the vendor hosts and `--tls-name`.
pub const LOCAL_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];

/// File names inside `--ca-dir`.
pub const CA_CERT_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// The default `--ca-dir`: `$XDG_DATA_HOME/idocr-mock/ca`, else `~/.local/share/idocr-mock/ca`,
/// else `./.idocr-mock/ca`.
pub fn default_ca_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| Path::new(&h).join(".local/share")));
    data.unwrap_or_else(|| PathBuf::from(".idocr-mock")).join("idocr-mock").join("ca")
}

/// The local CA: its certificate (PEM, as written to disk) and what signs the leaves.
pub struct Ca {
    pub pem: String,
    pub dir: PathBuf,
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").field("dir", &self.dir).finish_non_exhaustive()
    }
}

fn usage(why: String) -> StartupError {
    StartupError::Usage(why)
}

impl Ca {
    /// Loads the CA kept in `dir`, creating it first if `dir` holds none. Creation writes into a
    /// fresh sibling directory and renames it into place, so a second process starting at the
    /// same moment either wins the rename or loads the winner's CA; the key file is 0600.
    ///
    /// # Errors
    /// A message naming the directory or file when it cannot be created or read.
    pub fn load_or_create(dir: &Path) -> Result<Ca, StartupError> {
        if !dir.join(CA_CERT_FILE).exists() {
            create(dir)?;
        }
        Ca::load(dir)
    }

    /// Loads the CA kept in `dir`.
    ///
    /// # Errors
    /// A message naming the file when it is missing or not a CA made by the mock.
    pub fn load(dir: &Path) -> Result<Ca, StartupError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| {
                usage(format!(
                    "cannot read {}: {e} (--ca-dir {}; delete the directory to make a new CA)",
                    path.display(),
                    dir.display()
                ))
            })
        };
        let (pem, key_pem) = (read(CA_CERT_FILE)?, read(CA_KEY_FILE)?);
        let bad = |file: &str, e: rcgen::Error| {
            usage(format!("{}: {e} (not a CA made by idocr-mock?)", dir.join(file).display()))
        };
        let key = KeyPair::from_pem(&key_pem).map_err(|e| bad(CA_KEY_FILE, e))?;
        // The same name and key as the stored certificate: signs leaves exactly as it would.
        let cert = ca_params().and_then(|p| p.self_signed(&key)).map_err(|e| bad(CA_CERT_FILE, e))?;
        Ok(Ca { pem, dir: dir.to_path_buf(), cert, key })
    }

    /// A leaf for `names` (DNS names or IP addresses), valid from one day ago for ten years, or
    /// (`expired`) one that expired in 2021.
    ///
    /// # Errors
    /// A message when a name cannot be put in a certificate.
    pub fn leaf(&self, names: &[String], expired: bool) -> Result<CertifiedKey, StartupError> {
        let mut params =
            CertificateParams::new(names.to_vec()).map_err(|e| usage(format!("bad --tls-name in {names:?}: {e}")))?;
        params.distinguished_name.push(DnType::CommonName, names.first().map_or("idocr-mock", String::as_str));
        params.distinguished_name.push(DnType::OrganizationName, "idocr-mock (test double, not WeBank)");
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        } else {
            let now = time_now();
            params.not_before = now - rcgen_day();
            params.not_after = now + rcgen_day() * 3650;
        }
        let key = KeyPair::generate().map_err(|e| usage(format!("cannot make a key: {e}")))?;
        let cert =
            params.signed_by(&key, &self.cert, &self.key).map_err(|e| usage(format!("cannot sign a leaf: {e}")))?;
        let chain = vec![cert.der().clone()];
        certified(chain, PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| usage(e.to_string()))?)
    }
}

fn time_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn rcgen_day() -> time::Duration {
    time::Duration::days(1)
}

/// The CA's name, constraints and validity (ten years from a day ago).
fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, "idocr-mock local CA");
    params.distinguished_name.push(DnType::OrganizationName, "idocr-mock (test double, not WeBank)");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = time_now();
    params.not_before = now - rcgen_day();
    params.not_after = now + rcgen_day() * 3650;
    Ok(params)
}

/// Makes a new CA in `dir` (see [`Ca::load_or_create`]).
fn create(dir: &Path) -> Result<(), StartupError> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| usage(format!("cannot create {}: {e} (--ca-dir)", parent.display())))?;
    let nonce: u64 = rand::random();
    let tmp = parent.join(format!(".ca-{}-{nonce:016x}", std::process::id()));
    let result = write_new_ca(&tmp).and_then(|()| match std::fs::rename(&tmp, dir) {
        Ok(()) => Ok(()),
        // Another process made it first: use theirs.
        Err(_) if dir.join(CA_CERT_FILE).exists() => Ok(()),
        Err(e) => Err(usage(format!("cannot create the CA in {}: {e} (--ca-dir)", dir.display()))),
    });
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn write_new_ca(tmp: &Path) -> Result<(), StartupError> {
    let fail = |e: &dyn std::fmt::Display| usage(format!("cannot write the CA into {}: {e}", tmp.display()));
    std::fs::create_dir(tmp).map_err(|e| fail(&e))?;
    let params = ca_params().map_err(|e| fail(&e))?;
    let key = KeyPair::generate().map_err(|e| fail(&e))?;
    let cert = params.self_signed(&key).map_err(|e| fail(&e))?;
    write_private(&tmp.join(CA_KEY_FILE), key.serialize_pem().as_bytes()).map_err(|e| fail(&e))?;
    std::fs::write(tmp.join(CA_CERT_FILE), cert.pem()).map_err(|e| fail(&e))
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

/// Reads the user's `--tls-cert` chain and `--tls-key` (PEM).
///
/// # Errors
/// A message naming the file that is missing, unreadable or holds no certificate/key.
pub fn load_own(cert: &Path, key: &Path) -> Result<CertifiedKey, StartupError> {
    let read = |path: &Path, flag: &str| {
        std::fs::read(path).map_err(|e| usage(format!("cannot read {flag} {}: {e}", path.display())))
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&read(cert, "--tls-cert")?)
        .collect::<Result<_, _>>()
        .map_err(|e| usage(format!("--tls-cert {}: not PEM: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(usage(format!("--tls-cert {}: no CERTIFICATE block in the file", cert.display())));
    }
    let key_der = PrivateKeyDer::from_pem_slice(&read(key, "--tls-key")?)
        .map_err(|e| usage(format!("--tls-key {}: no usable PRIVATE KEY block: {e}", key.display())))?;
    certified(chain, key_der)
        .map_err(|e| usage(format!("--tls-key {} with --tls-cert {}: {e}", key.display(), cert.display())))
}

fn certified(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<CertifiedKey, StartupError> {
    let provider = rustls::crypto::ring::default_provider();
    let signing =
        provider.key_provider.load_private_key(key).map_err(|e| usage(format!("unusable private key: {e}")))?;
    Ok(CertifiedKey::new(chain, signing))
}

/// The names the mock serves: vendor hosts, `--tls-name` ones, then the local names.
pub fn served_names(extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = VENDOR_HOSTS.iter().map(|s| (*s).to_string()).collect();
    names.extend(extra.iter().map(|n| n.to_ascii_lowercase()).filter(|n| !names_contains(VENDOR_HOSTS, n)));
    names.extend(LOCAL_NAMES.iter().map(|s| (*s).to_string()));
    names
}

fn names_contains(list: &[&str], n: &str) -> bool {
    list.iter().any(|h| h.eq_ignore_ascii_case(n))
}

/// What the HTTPS port and the proxy accept with: the leaf (or the expired one for the
/// `cert-expired` scenario) and a refusing configuration for `tls-handshake-failure`.
#[derive(Clone)]
pub struct Tls {
    pub normal: Arc<ServerConfig>,
    pub expired: Arc<ServerConfig>,
    pub refuse: Arc<ServerConfig>,
    /// Host names the CONNECT proxy and absolute-form requests accept (lower case).
    pub proxy_hosts: Arc<Vec<String>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("proxy_hosts", &self.proxy_hosts).finish_non_exhaustive()
    }
}

impl Tls {
    /// Builds the configurations from a leaf and an expired leaf.
    pub fn new(leaf: CertifiedKey, expired: CertifiedKey, proxy_hosts: Vec<String>) -> Tls {
        Tls {
            normal: server_config(Some(Arc::new(leaf))),
            expired: server_config(Some(Arc::new(expired))),
            refuse: server_config(None),
            proxy_hosts: Arc::new(proxy_hosts),
        }
    }

    /// Whether the proxy serves `host` (a CONNECT target's or an absolute URI's host).
    pub fn serves(&self, host: &str) -> bool {
        self.proxy_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// One certificate whatever the SNI name: a client asking for a name the leaf lacks gets it
/// anyway, and its own name check fails with a clear "certificate is not valid for NAME" (the
/// documented choice; rustls would answer `None` with an alert that names no name). `None`
/// refuses every handshake (rustls sends a fatal alert).
#[derive(Debug)]
struct OneCert(Option<Arc<CertifiedKey>>);

impl ResolvesServerCert for OneCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.clone()
    }
}

fn server_config(cert: Option<Arc<CertifiedKey>>) -> Arc<ServerConfig> {
    let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("ring supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(OneCert(cert)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
