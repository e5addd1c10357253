//! What every case works with: the target, the app, its SIGN ticket and the images, plus calls
//! that record what the target answered (status, code, msg, JSON types) for the report, and the
//! checks that turn an answer into PASS or `expected …, got …`.

use super::report::{Exchange, Exercised};
use super::signer;
use crate::client::{Answer, BaseUrl, Call};
use crate::protocol::catalog::Code;
use crate::protocol::Side;
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

pub const OCR: &str = "/api/paas/idcardocrapp";

/// Why a case did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Fail(String),
    Skip(String),
}

/// What a case returns: `Ok` passes.
pub type Check = Result<(), Stop>;

/// A failure `expected …, got …`.
pub fn fail<T>(expected: impl std::fmt::Display, got: impl std::fmt::Display) -> Result<T, Stop> {
    Err(Stop::Fail(format!("expected {expected}, got {got}")))
}

/// Everything the cases share; the recorders are drained by the runner after each case.
pub struct Ctx {
    pub base: BaseUrl,
    pub app_id: String,
    /// The app's secret, when the token flow can be used.
    pub secret: Option<String>,
    /// The SIGN ticket every signed request uses.
    pub ticket: String,
    /// `GET /__admin/health` answered as idocr-mock does.
    pub is_mock: bool,
    /// Base64 of the front and back images (the user's, or generated ones for the mock).
    pub front: Option<String>,
    pub back: Option<String>,
    /// Base64 of a bank card's front (the user's `--bank-image`, or a generated one for the mock).
    pub bank: Option<String>,
    pub timeout: Duration,
    run_id: String,
    pub(super) exchanges: Mutex<Vec<Exchange>>,
    pub(super) exercised: Mutex<Vec<Exercised>>,
    token: Mutex<Option<Answer>>,
}

impl Ctx {
    pub fn new(base: BaseUrl, app_id: String, secret: Option<String>, ticket: String, is_mock: bool) -> Self {
        Ctx {
            base,
            app_id,
            secret,
            ticket,
            is_mock,
            front: None,
            back: None,
            bank: None,
            timeout: Duration::from_secs(30),
            run_id: Alphanumeric.sample_string(&mut rand::rng(), 8),
            exchanges: Mutex::default(),
            exercised: Mutex::default(),
            token: Mutex::default(),
        }
    }

    /// Sends `call`, recording the exchange.
    ///
    /// # Errors
    /// [`Stop::Fail`] when the target does not answer.
    pub async fn send(&self, call: Call) -> Result<Answer, Stop> {
        let request = format!("{} {}", call.method, call.target.split('?').next().unwrap_or_default());
        let result = call.timeout(self.timeout).send_to(&self.base).await;
        let exchange = Exchange::of(request, &result);
        self.exchanges.lock().expect("recorder lock").push(exchange);
        result.map_err(|e| Stop::Fail(format!("an answer from the target, got none: {e}")))
    }

    pub async fn get(&self, target: impl Into<String>) -> Result<Answer, Stop> {
        self.send(Call::get(target)).await
    }

    /// POSTs `body` as JSON to the OCR endpoint.
    pub async fn ocr(&self, body: &Value) -> Result<Answer, Stop> {
        self.send(Call::post_json(OCR, body.to_string())).await
    }

    /// A fresh order number: letters and digits, unique per run, at most 32 characters.
    pub fn order_no(&self, tag: &str) -> String {
        let n: u32 = rand::random::<u32>() % 1_000_000;
        format!("cf{}{tag}{n:06}", self.run_id)
    }

    pub fn nonce(&self) -> String {
        Alphanumeric.sample_string(&mut rand::rng(), 32)
    }

    pub fn sign(&self, values: &[&str]) -> String {
        signer::sign(values, &self.ticket)
    }

    /// The image of `side`, or a skip saying which flag gives one.
    pub fn image(&self, side: Side) -> Result<&str, Stop> {
        let (image, flag, what) = match side {
            Side::Front => (&self.front, "--front-image", "ID card's front (人像面)"),
            Side::Back => (&self.back, "--back-image", "ID card's back (国徽面)"),
            Side::Bank => (&self.bank, "--bank-image", "bank card's front (银行卡正面)"),
        };
        image.as_deref().ok_or_else(|| {
            Stop::Skip(format!(
                "needs {flag} FILE, a photo of a real {what}: the real service cannot read a generated picture"
            ))
        })
    }

    /// A complete OCR body signed over app id, orderNo, nonce and version.
    pub fn signed_body(&self, order_no: &str, side: Side, image: &str) -> Value {
        let nonce = self.nonce();
        json!({
            "webankAppId": self.app_id,
            "version": "1.0.0",
            "nonce": nonce,
            "orderNo": order_no,
            "cardType": if side == Side::Front { "0" } else { "1" },
            "idcardStr": image,
            "sign": self.sign(&[&self.app_id, order_no, &nonce, "1.0.0"]),
        })
    }

    /// `body` with `key` set to `value` and signed again, so only that field is wrong.
    pub fn resigned(&self, mut body: Value, key: &str, value: Value) -> Value {
        body[key] = value;
        let s = |k: &str| body[k].as_str().unwrap_or_default().to_string();
        body["sign"] = json!(self.sign(&[&s("webankAppId"), &s("orderNo"), &s("nonce"), &s("version")]));
        body
    }

    /// Checks HTTP 200, a JSON object, a string `code` equal to `entry`'s; records what the target
    /// said about `entry` for the report's ledger.
    ///
    /// # Errors
    /// [`Stop::Fail`] naming what was expected and what came.
    pub fn expect_code(&self, answer: &Answer, entry: &'static Code) -> Result<Value, Stop> {
        self.expect(answer, entry, entry.evidence == crate::protocol::catalog::Evidence::Guess)
    }

    /// [`Ctx::expect_code`] for a documented code the mock only guesses at this endpoint: the
    /// ledger records what the target said, as for a guess entry.
    ///
    /// # Errors
    /// As [`Ctx::expect_code`].
    pub fn expect_guessed_code(&self, answer: &Answer, entry: &'static Code) -> Result<Value, Stop> {
        self.expect(answer, entry, true)
    }

    fn expect(&self, answer: &Answer, entry: &'static Code, guess: bool) -> Result<Value, Stop> {
        let v = business_json(answer);
        let (code, msg) = match &v {
            Ok(v) => (v.get("code").cloned(), v.get("msg").and_then(Value::as_str).map(str::to_string)),
            Err(_) => (None, None),
        };
        self.exercised.lock().expect("recorder lock").push(Exercised {
            entry,
            guess,
            status: answer.status.as_u16(),
            code,
            msg,
            page: None,
        });
        let v = v?;
        let got = code_of(&v)?;
        if got != entry.code {
            return fail(
                format!("code {:?} ({})", entry.code, entry.msg),
                format!("{got:?} ({})", v["msg"].as_str().unwrap_or("no msg")),
            );
        }
        Ok(v)
    }

    /// Records, for the ledger, a guessed answer that is an HTML page (the face login's refusal):
    /// whether it said `text`.
    pub fn record_page(&self, entry: &'static Code, answer: &Answer, text: &str, said: bool) {
        let msg = if said { format!("a page saying {text}") } else { format!("a page without {text}") };
        self.exercised.lock().expect("recorder lock").push(Exercised {
            entry,
            guess: true,
            status: answer.status.as_u16(),
            code: None,
            msg: Some(msg),
            page: Some(said),
        });
    }

    /// The answer of `GET /api/oauth2/access_token` with the app's credentials, fetched once per
    /// run: against the real service a new token cuts the previous one's life to one minute.
    ///
    /// # Errors
    /// [`Stop::Skip`] without a secret, [`Stop::Fail`] when the target does not answer.
    pub async fn token_answer(&self) -> Result<Answer, Stop> {
        if let Some(a) = self.token.lock().expect("token lock").clone() {
            // Recorded again so every case that reads the token shows what the target said.
            let exchange = Exchange::of("GET /api/oauth2/access_token (fetched once per run)".into(), &Ok(a.clone()));
            self.exchanges.lock().expect("recorder lock").push(exchange);
            return Ok(a);
        }
        let secret = self
            .secret
            .as_deref()
            .ok_or_else(|| Stop::Skip("needs --secret (the app's secret) to use the token flow".to_string()))?;
        let query = format!(
            "/api/oauth2/access_token?app_id={}&secret={}&grant_type=client_credential&version=1.0.0",
            encode(&self.app_id),
            encode(secret)
        );
        let answer = self.get(query).await?;
        *self.token.lock().expect("token lock") = Some(answer.clone());
        Ok(answer)
    }

    /// The access token of [`Ctx::token_answer`].
    ///
    /// # Errors
    /// [`Stop::Fail`] when the token answer has no string `access_token`.
    pub async fn access_token(&self) -> Result<String, Stop> {
        let v = business_json(&self.token_answer().await?)?;
        match v.get("access_token").and_then(Value::as_str) {
            Some(t) => Ok(t.to_string()),
            None => fail("an access_token in the token answer", v),
        }
    }

    /// `GET /api/oauth2/api_ticket` of `kind` (`SIGN`, or `NONCE` for `user_id`).
    ///
    /// # Errors
    /// As [`Ctx::access_token`].
    pub async fn ticket_answer(&self, kind: &str, user_id: Option<&str>) -> Result<Answer, Stop> {
        let token = self.access_token().await?;
        let mut query = format!(
            "/api/oauth2/api_ticket?app_id={}&access_token={}&type={kind}&version=1.0.0",
            encode(&self.app_id),
            encode(&token)
        );
        if let Some(u) = user_id {
            query.push_str(&format!("&user_id={}", encode(u)));
        }
        self.get(query).await
    }
}

/// HTTP 200 and a JSON object.
///
/// # Errors
/// [`Stop::Fail`] with the status or the body's start.
pub fn business_json(answer: &Answer) -> Result<Value, Stop> {
    if answer.status != 200 {
        let start: String = String::from_utf8_lossy(&answer.body).chars().take(80).collect();
        return fail("HTTP 200 (every business answer is 200)", format!("HTTP {} {start:?}", answer.status.as_u16()));
    }
    match answer.json() {
        Ok(v) if v.is_object() => Ok(v),
        Ok(v) => fail("a JSON object", json_type(&v)),
        Err(e) => fail("a JSON body", e),
    }
}

/// `code`, which must be a JSON string.
///
/// # Errors
/// [`Stop::Fail`] when it is absent or of another type.
pub fn code_of(v: &Value) -> Result<&str, Stop> {
    match v.get("code") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => fail("`code` a JSON string", format!("{} {other}", json_type(other))),
        None => fail("a `code` field", "none"),
    }
}

/// `v[key]` as a string.
///
/// # Errors
/// [`Stop::Fail`] naming the key and the type that came.
pub fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, Stop> {
    match v.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => fail(format!("`{key}` a string"), format!("{} {other}", json_type(other))),
        None => fail(format!("a `{key}` field"), "none"),
    }
}

/// The JSON type of a value, as the report writes it.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Percent-encodes a query value: the protocol's one encoder, for the cases' URLs.
pub use crate::protocol::query::encode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("a b/c+d~"), "a%20b%2Fc%2Bd~");
    }

    #[test]
    fn code_must_be_a_string() {
        assert_eq!(code_of(&json!({"code": "0"})), Ok("0"));
        assert_eq!(code_of(&json!({"code": 0})), Err(Stop::Fail("expected `code` a JSON string, got number 0".into())));
    }
}
