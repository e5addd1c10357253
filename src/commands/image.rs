//! `idocr-mock image`: a generated card picture carrying a scenario marker, or a marker added to
//! an existing PNG or JPEG.

use crate::cli::ImageArgs;
use crate::error::StartupError;
use crate::image::marker;
use crate::protocol::Side;
use crate::scenarios;

/// `idocr-mock image`: writes a marked picture, or marks an existing one.
///
/// # Errors
/// An unknown scenario, an invalid pinned number, an input that is not a PNG or JPEG, a file
/// that cannot be read or written.
pub fn image(args: &ImageArgs) -> Result<String, StartupError> {
    let catalog = scenarios::Catalog::load(args.fixtures.as_deref())?;
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
            let side = match args.side.as_str() {
                "back" => Side::Back,
                "bank" => Side::Bank,
                _ => Side::Front,
            };
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
