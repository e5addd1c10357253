//! `idocr-mock scenarios`: the scenario catalog (built in, plus `--fixtures`), then the face scenarios, as a table or JSON.

use crate::cli::ScenariosArgs;
use crate::error::StartupError;

/// `idocr-mock scenarios`: the catalog as a table or JSON.
///
/// # Errors
/// A scenario file of `--fixtures` that cannot be used.
pub fn scenarios(args: &ScenariosArgs) -> Result<String, StartupError> {
    let catalog = crate::scenarios::Catalog::load(args.fixtures.as_deref())?;
    Ok(if args.json {
        let face = crate::scenarios::face::ALL.iter().map(crate::scenarios::face::to_json);
        let all: Vec<_> = catalog.iter().map(|s| s.to_json()).chain(face).collect();
        serde_json::to_string_pretty(&all).expect("JSON values serialise") + "\n"
    } else {
        crate::scenarios::render_table(&catalog) + &crate::scenarios::face::render_table()
    })
}
