//! `idocr-mock ca`: the local CA certificate, and how to trust it in each language.

use crate::error::StartupError;
use std::path::Path;

/// `idocr-mock ca`: prints the local CA certificate (or writes it to `--out`) and, on stderr, how
/// to trust it.
///
/// # Errors
/// When the CA cannot be made or read, or `--out` cannot be written (the message names the file).
pub fn ca(ca_dir: Option<&Path>, out: Option<&Path>) -> Result<(), StartupError> {
    let dir = ca_dir.map_or_else(super::default_ca_dir, Path::to_path_buf);
    let ca = super::Ca::load_or_create(&dir)?;
    let file = match out {
        Some(out) => {
            std::fs::write(out, &ca.pem)
                .map_err(|e| StartupError::Usage(format!("cannot write --out {}: {e}", out.display())))?;
            out.display().to_string()
        }
        None => {
            print!("{}", ca.pem);
            dir.join(super::CA_CERT_FILE).display().to_string()
        }
    };
    eprint!("{}", trust_help(&file));
    Ok(())
}

/// How to trust the CA in `file`, per language and system-wide.
pub fn trust_help(file: &str) -> String {
    format!(
        "\
idocr-mock local CA: {file}
Trust it (test machines only; it signs certificates for the vendor's host names):
  Java:    keytool -importcert -noprompt -alias idocr-mock -file {file} -keystore idocr-mock.jks -storepass changeit
           java -Djavax.net.ssl.trustStore=idocr-mock.jks -Djavax.net.ssl.trustStorePassword=changeit …
  Python:  REQUESTS_CA_BUNDLE={file} (requests)   SSL_CERT_FILE={file} (urllib, httpx)
  Node:    NODE_EXTRA_CA_CERTS={file} node …
  Go:      SSL_CERT_FILE={file} go run …
  PHP:     curl.cainfo={file} and openssl.cafile={file} in php.ini (or php -d curl.cainfo={file})
  curl:    curl --cacert {file} …   (or CURL_CA_BUNDLE={file}; Debian's curl ignores SSL_CERT_FILE)
  Debian/Ubuntu: sudo cp {file} /usr/local/share/ca-certificates/idocr-mock.crt && sudo update-ca-certificates
  Alpine:  cp {file} /usr/local/share/ca-certificates/idocr-mock.crt && update-ca-certificates
"
    )
}
