//! The token flow's two GETs (docs/protocol.md §4) and the probe that tells whether a target has them.

use crate::http::{Conn, Response};
use crate::ocr::{self, APP_ID, VERSION};

pub const SECRET: &str = "idocr-mock-secret";

pub fn token_path() -> String {
    format!("/api/oauth2/access_token?app_id={APP_ID}&secret={SECRET}&grant_type=client_credential&version={VERSION}")
}

pub fn ticket_path(token: &str) -> String {
    format!("/api/oauth2/api_ticket?app_id={APP_ID}&access_token={token}&type=SIGN&version={VERSION}")
}

/// The string at `path` in a JSON body (numeric steps index arrays).
pub fn field(r: &Response, path: &[&str]) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_slice(&r.body).ok()?;
    for step in path {
        v = match step.parse::<usize>() {
            Ok(i) => v.get_mut(i)?.take(),
            Err(_) => v.get_mut(*step)?.take(),
        };
    }
    v.as_str().map(str::to_owned)
}

/// `Err(reason)` when the target has no token flow (it answers 404 on the token path).
pub async fn probe(addr: &str) -> Result<(), String> {
    let mut c = Conn::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    let r = c.exchange(&[&ocr::get(addr, &token_path())]).await.map_err(|e| format!("access_token: {e}"))?;
    if r.status == 404 {
        return Err("the target answers 404 on /api/oauth2/access_token: no token flow in this build".into());
    }
    Ok(())
}
