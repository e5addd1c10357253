//! The one-shot subcommands (`sign`, `codes`) and the startup banner: text for humans, built by
//! pure functions so tests can read it.
//!
//! Imports: `cli` (their arguments), `config`, `error`, `protocol`, `scenarios`, `image`.

use crate::cli::{CodesArgs, ImageArgs, ScenariosArgs, SignArgs};
use crate::config::{Config, SignCheck};
use crate::error::StartupError;
use crate::image::marker;
use crate::protocol::Side;
use crate::protocol::{catalog, sign};
use crate::scenarios;
use rand::distr::{Alphanumeric, SampleString};
use std::net::SocketAddr;

/// `idocr-mock sign`: the sign and the string that was hashed.
///
/// # Errors
/// [`StartupError::Usage`] when the nonce is not 32 letters or digits.
pub fn sign(args: &SignArgs) -> Result<String, StartupError> {
    let nonce = args.nonce.clone().unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::rng(), 32));
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(StartupError::Usage(format!(
            "--nonce must be exactly 32 letters or digits (got {} characters); leave it out to draw one",
            nonce.chars().count()
        )));
    }
    let middle = args.order_no.as_deref().or(args.user_id.as_deref()).unwrap_or_default();
    let values = [args.app_id.as_str(), middle, nonce.as_str(), args.version.as_str()];
    let signature = sign::sign(&values, &args.ticket);
    if args.sign_only {
        return Ok(format!("{signature}\n"));
    }
    let mut sorted: Vec<&str> =
        values.iter().copied().chain([args.ticket.as_str()]).filter(|v| !v.is_empty()).collect();
    sorted.sort_unstable();
    Ok(format!(
        "sign:   {signature}\nnonce:  {nonce}\nsorted: [{}]\nhashed: {}\n",
        sorted.join(", "),
        sign::signed_string(&values, &args.ticket)
    ))
}

/// `idocr-mock codes`: the catalog as a table or JSON.
pub fn codes(args: &CodesArgs) -> String {
    if args.json {
        catalog::to_json()
    } else {
        catalog::render_table()
    }
}

/// `idocr-mock scenarios`: the catalog as a table or JSON.
///
/// # Errors
/// A scenario file of `--fixtures` that cannot be used.
pub fn scenarios(args: &ScenariosArgs) -> Result<String, StartupError> {
    let catalog = crate::config::load_catalog(args.fixtures.as_deref())?;
    Ok(if args.json {
        let all: Vec<_> = catalog.iter().map(|s| s.to_json()).collect();
        serde_json::to_string_pretty(&all).expect("JSON values serialise") + "\n"
    } else {
        scenarios::render_table(&catalog)
    })
}

/// `idocr-mock image`: writes a marked picture, or marks an existing one.
///
/// # Errors
/// An unknown scenario, an invalid pinned number, an input that is not a PNG or JPEG, a file
/// that cannot be read or written.
pub fn image(args: &ImageArgs) -> Result<String, StartupError> {
    let catalog = crate::config::load_catalog(args.fixtures.as_deref())?;
    if catalog.get(&args.scenario).is_none() {
        let names = catalog.names().join(", ");
        return Err(StartupError::Usage(format!(
            "--scenario {:?} is not a scenario; choose one of: {names}",
            args.scenario
        )));
    }
    scenarios::catalog::pin(args.name.clone(), args.idcard.clone())
        .map_err(|e| StartupError::Usage(format!("--name/--idcard: {e}")))?;
    let m = marker::Marker { scenario: args.scenario.clone(), name: args.name.clone(), idcard: args.idcard.clone() };
    let bytes = match &args.tag {
        Some(input) => {
            let original = std::fs::read(input)
                .map_err(|e| StartupError::Usage(format!("cannot read {}: {e}", input.display())))?;
            marker::tag(&original, &m).map_err(|e| StartupError::Usage(format!("{}: {e}", input.display())))?
        }
        None => {
            let side = if args.side == "back" { Side::Back } else { Side::Front };
            if args.format == "jpeg" {
                marker::card_jpeg(side, Some(&m))
            } else {
                marker::card_png(side, Some(&m))
            }
        }
    };
    std::fs::write(&args.output, &bytes)
        .map_err(|e| StartupError::Usage(format!("cannot write {}: {e}", args.output.display())))?;
    let pinned = match (&m.name, &m.idcard) {
        (None, None) => String::new(),
        (name, id) => format!(
            ", pinning name {} and number {}",
            name.as_deref().unwrap_or("-"),
            id.as_deref().map_or("-".into(), crate::redact::mask)
        ),
    };
    Ok(format!("wrote {} ({} bytes): scenario {}{pinned}\n", args.output.display(), bytes.len(), m.scenario))
}

/// What a user needs to know once the server is up.
pub fn log_startup(config: &Config, addr: SocketAddr) {
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
        config.scenarios.len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn sign_args(argv: &[&str]) -> SignArgs {
        match crate::cli::Cli::try_parse_from(argv).unwrap().command {
            Some(crate::cli::Command::Sign(a)) => a,
            _ => panic!("not a sign command"),
        }
    }

    #[test]
    fn sign_prints_the_doc_vector_tv2() {
        let out = sign(&sign_args(&[
            "idocr-mock",
            "sign",
            "--app-id",
            "IDAXXXXX",
            "--order-no",
            "orderNo596551",
            "--nonce",
            "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T",
            "--ticket",
            "XO99Qfxlti9iTVgHAjwvJdAZKN3nMuUhrsPdPlPVKlcyS50N6tlLnfuFBPIucaMS",
        ]))
        .unwrap();
        assert!(out.starts_with("sign:   6CD5F0DBCFA1155E2A66754B33C2E67DD358393B\n"), "{out}");
        assert!(out.contains("hashed: 1.0.0IDAXXXXXXO99Qf"), "{out}");
    }

    #[test]
    fn sign_only_prints_just_the_sign() {
        let out = sign(&sign_args(&["idocr-mock", "sign", "--order-no", "o1", "--sign-only"])).unwrap();
        assert_eq!(out.trim().len(), 40);
    }

    #[test]
    fn a_short_nonce_is_refused_with_the_fix() {
        let err = sign(&sign_args(&["idocr-mock", "sign", "--order-no", "o1", "--nonce", "abc"])).unwrap_err();
        assert!(err.to_string().contains("leave it out to draw one"));
    }
}
