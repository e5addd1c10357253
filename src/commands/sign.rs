//! `idocr-mock sign`: the sign of the values given, and the string that was hashed.

use crate::cli::SignArgs;
use crate::error::StartupError;
use crate::protocol::sign;
use rand::distr::{Alphanumeric, SampleString};

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
