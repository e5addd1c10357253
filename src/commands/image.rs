//! `idocr-mock image`: a generated card picture carrying a scenario marker, or a marker added to
//! an existing PNG or JPEG; or (`--face`) the generated photo or video of a face-verification result.

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
    if let Some(kind) = &args.face {
        return face(kind, args);
    }
    if args.face_seed.is_some() {
        // clap drops `requires = "face"` once --scenario (which conflicts with --face) is given.
        return Err(StartupError::Usage("--face-seed picks the person of --face photo|video; add --face".into()));
    }
    let scenario = args.scenario.clone().unwrap_or_default();
    let catalog = scenarios::Catalog::load(args.fixtures.as_deref())?;
    if catalog.get(&scenario).is_none() {
        let names = catalog.names().join(", ");
        return Err(StartupError::Usage(format!("--scenario {scenario:?} is not a scenario; choose one of: {names}")));
    }
    scenarios::catalog::pin(args.name.clone(), args.idcard.clone())
        .map_err(|e| StartupError::Usage(format!("--name/--idcard: {e}")))?;
    let m = marker::Marker { scenario, name: args.name.clone(), idcard: args.idcard.clone() };
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
    write(args, &bytes)?;
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

/// `--face photo|video`: the generated face of person `--face-seed`.
fn face(kind: &str, args: &ImageArgs) -> Result<String, StartupError> {
    let seed = args.face_seed.unwrap_or(1);
    let (bytes, what) = match kind {
        "video" => (crate::image::face_video(seed), "face video (MP4)"),
        _ => (crate::image::face_photo(seed), "face photo (JPEG)"),
    };
    write(args, &bytes)?;
    Ok(format!("wrote {} ({} bytes): generated {what} of person {seed}\n", args.output.display(), bytes.len()))
}

fn write(args: &ImageArgs, bytes: &[u8]) -> Result<(), StartupError> {
    std::fs::write(&args.output, bytes)
        .map_err(|e| StartupError::Usage(format!("cannot write {}: {e}", args.output.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser as _;

    fn run(argv: &[&str]) -> Result<String, StartupError> {
        match Cli::try_parse_from([&["idocr-mock", "image"], argv].concat()).unwrap().command {
            Some(Command::Image(args)) => image(&args),
            other => panic!("not the image command: {other:?}"),
        }
    }

    #[test]
    fn face_writes_the_generated_photo_or_video_of_the_chosen_person() {
        let dir = tempfile::tempdir().unwrap();
        let (photo, video) = (dir.path().join("face.jpg"), dir.path().join("face.mp4"));
        let said = run(&["--face", "photo", "-o", photo.to_str().unwrap()]).unwrap();
        assert!(said.contains("generated face photo (JPEG) of person 1"), "{said}");
        assert_eq!(std::fs::read(&photo).unwrap(), crate::image::face_photo(1));
        run(&["--face", "video", "--face-seed", "5", "-o", video.to_str().unwrap()]).unwrap();
        assert_eq!(std::fs::read(&video).unwrap(), crate::image::face_video(5));
    }

    #[test]
    fn a_face_seed_without_face_is_refused_with_the_fix() {
        let out = tempfile::tempdir().unwrap().path().join("card.png");
        let err = run(&["--scenario", "success", "--face-seed", "3", "-o", out.to_str().unwrap()]).unwrap_err();
        assert!(err.to_string().contains("add --face"), "{err}");
        assert!(!out.exists());
    }
}
