//! `idocr-mock codes`: the vendor code catalog, as a table or JSON.

use crate::cli::CodesArgs;
use crate::protocol::catalog;

/// `idocr-mock codes`: the catalog as a table or JSON.
pub fn codes(args: &CodesArgs) -> String {
    if args.json {
        catalog::to_json()
    } else {
        catalog::render_table()
    }
}
