//! Invariants checked on generated inputs (proptest, a moderate number of cases so `cargo test`
//! stays quick): identities are coherent for any seed, key, profile and date; a sign verifies
//! whatever the order of its fields; Base64 decoding never panics and round-trips images.

use chrono::NaiveDate;
use idocr_mock::identity::{self, Pin, Profile};
use idocr_mock::image::{self, Format, ImageProblem, LineBreaks};
use idocr_mock::protocol::sign::{self, Candidate, Field, SignCase, TicketState, Verdict};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() }
}

fn profile() -> impl Strategy<Value = Profile> {
    use Profile::*;
    prop::sample::select(vec![Typical, LongTerm, XCheckDigit, DottedName, LongAddress, Elderly, Minor])
}

/// Any day from 2000 to 2099.
fn day() -> impl Strategy<Value = NaiveDate> {
    (0i64..36_500).prop_map(|d| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(d))
}

/// Values as clients send them: printable ASCII, some empty (absent values are dropped).
fn value() -> impl Strategy<Value = String> {
    "[ -~]{0,40}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_generated_identity_passes_its_check_digit_and_is_coherent(
        seed in any::<u64>(), key in "\\PC{0,40}", profile in profile(), today in day()
    ) {
        let id = identity::generate(seed, &key, profile, today, &Pin::default());
        prop_assert!(identity::is_valid_number(&id.idcard), "{}", id.idcard);
        let (region, birth, sex) = identity::parse_number(&id.idcard).expect("a known region");
        prop_assert_eq!(birth, id.birth);
        prop_assert_eq!(sex, id.sex);
        prop_assert!(id.address.starts_with(&region.address_prefix()), "{}", id.address);
        prop_assert_eq!(&id.authority, &region.authority());
        prop_assert!(identity::nations().contains(&id.nation));
        prop_assert!(id.valid_from <= today && id.valid_from >= id.birth);
        let years = identity::validity_years(identity::age_on(id.birth, id.valid_from));
        prop_assert_eq!(years.is_none(), id.valid_to.is_none(), "{}", id.valid_date());
        if let (Some(y), Some(to)) = (years, id.valid_to) {
            prop_assert_eq!(chrono::Datelike::year(&to) - chrono::Datelike::year(&id.valid_from), y as i32);
            prop_assert!(to > today, "expired: {}", id.valid_date());
        }
    }

    #[test]
    fn a_sign_verifies_whatever_the_order_of_its_fields(
        (values, order) in prop::collection::vec(value(), 1..6).prop_flat_map(|v| {
            let indices: Vec<usize> = (0..v.len()).collect();
            (Just(v), Just(indices).prop_shuffle())
        }),
        ticket in "[A-Za-z0-9]{1,64}",
    ) {
        let names = ["webankAppId", "orderNo", "nonce", "version", "userId", "extra"];
        let fields: Vec<Field<'_>> =
            values.iter().zip(names).map(|(v, name)| Field { name, value: v.as_str() }).collect();
        let shuffled: Vec<Field<'_>> = order.iter().map(|&i| fields[i]).collect();
        let plain: Vec<&str> = fields.iter().map(|f| f.value).collect();
        let reordered: Vec<&str> = shuffled.iter().map(|f| f.value).collect();
        let signed = sign::sign(&plain, &ticket);
        prop_assert_eq!(&signed, &sign::sign(&reordered, &ticket));
        let live = [Candidate { value: ticket.as_str().into(), state: TicketState::Live }];
        for f in [&fields, &shuffled] {
            prop_assert_eq!(sign::verify(f, &[], &signed, &live, SignCase::UpperOnly), Verdict::Valid { ticket: 0 });
            prop_assert_eq!(
                sign::verify(f, &[], &signed.to_lowercase(), &live, SignCase::Insensitive),
                Verdict::Valid { ticket: 0 }
            );
        }
    }

    #[test]
    fn decoding_any_text_never_panics(text in "\\PC{0,200}", strict in any::<bool>()) {
        let breaks = if strict { LineBreaks::Reject } else { LineBreaks::Strip };
        let _ = image::decode(&text, breaks);
    }

    #[test]
    fn base64_of_any_bytes_with_an_image_prefix_round_trips(
        magic in prop::sample::select(vec![
            (&b"\xFF\xD8\xFF"[..], Format::Jpeg),
            (&b"\x89PNG\r\n\x1a\n"[..], Format::Png),
            (&b"BM\0\0\0\0\0\0\0\0\0\0\0\0"[..], Format::Bmp),
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..512),
        wrap in any::<bool>(),
    ) {
        let bytes = [magic.0, &rest].concat();
        let mut b64 = image::encode(&bytes);
        if wrap {
            let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
            b64 = lines.join("\r\n");
        }
        let decoded = image::decode(&b64, LineBreaks::Strip).expect("valid Base64 of an image");
        prop_assert_eq!(decoded.format, magic.1);
        prop_assert_eq!(decoded.bytes, bytes);
    }

    #[test]
    fn base64_of_bytes_without_an_image_prefix_is_refused_not_misread(
        bytes in prop::collection::vec(any::<u8>(), 1..256)
    ) {
        prop_assume!(image::sniff(&bytes).is_none());
        prop_assert!(matches!(image::decode(&image::encode(&bytes), LineBreaks::Strip), Err(ImageProblem::NotAnImage(_))));
    }
}
