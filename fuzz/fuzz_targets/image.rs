//! Base64 leniency and image sniffing: any text through `image::decode`, under both line-break
//! policies, never panics; what it accepts re-encodes to the same bytes and sniffs the same.
#![no_main]

use idocr_mock::image::{self, LineBreaks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = image::sniff(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    for breaks in [LineBreaks::Strip, LineBreaks::Reject] {
        if let Ok(decoded) = image::decode(text, breaks) {
            assert_eq!(image::sniff(&decoded.bytes), Some(decoded.format));
            let again = image::decode(&image::encode(&decoded.bytes), LineBreaks::Reject).expect("round trip");
            assert_eq!(again, decoded);
        }
    }
});
