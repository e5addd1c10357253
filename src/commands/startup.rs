//! The startup log: what a user needs to know once the server is up.

use crate::config::{Config, SignCheck};
use std::net::SocketAddr;

/// What a user needs to know once the server is up.
pub fn log_startup(config: &Config, scenarios: usize, addr: SocketAddr) {
    for app in &config.apps {
        let tickets: Vec<String> = app.sign_tickets.iter().map(|t| crate::redact::mask(t)).collect();
        tracing::info!(
            "app {} (secret {}, static SIGN tickets [{}])",
            app.id,
            crate::redact::mask(&app.secret),
            tickets.join(", ")
        );
    }
    tracing::info!("seed {} (pass --seed {} to get the same answers again)", config.seed, config.seed);
    tracing::info!(
        "scenario {} by default ({} scenarios: idocr-mock scenarios lists them)",
        config.scenario,
        scenarios
    );
    if config.sign_check == SignCheck::Off {
        tracing::warn!(
            "--no-sign-check: EVERY SIGN IS ACCEPTED. Requests that the real service refuses will pass here."
        );
    }
    if config.journal_limit == 0 {
        tracing::info!("--journal-limit 0: the journal is off (GET /__admin/requests stays empty)");
    }
    if config.max_orders == 0 {
        tracing::info!("--max-orders 0: the order store is off (getOcrResult answers 66660020)");
    }
    if config.expiry == crate::config::Expiry::Never {
        tracing::warn!("--tickets-never-expire: issued access tokens and tickets never expire or retire");
    }
    if !addr.ip().is_loopback() && config.admin_token.is_none() {
        tracing::warn!("listening on {addr}, beyond loopback: anyone who can reach this port can drive the mock (set --admin-token to guard /__admin/)");
    }
    if config.admin_token.is_some() {
        tracing::info!("/__admin/ requires Authorization: Bearer <--admin-token>");
    }
}
