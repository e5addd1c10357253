//! Coherent synthetic bank cards for `bankcardocrapp` (docs/protocol.md §13): a card number that
//! passes the Luhn check under an issuer prefix that is obviously for tests (`620000…`: the
//! UnionPay `62` range with a zero-filled issuer part no bank uses), the fictional bank and card
//! type that prefix stands for, and a validity `MM/yyyy`. Deterministic by `--seed` and the key.
//!
//! Imports: `seed` only.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A fictional issuer: its test prefix, its bank name, its card type and number length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issuer {
    pub prefix: &'static str,
    pub bank: &'static str,
    /// `借记卡` (debit) or `贷记卡` (credit).
    pub kind: &'static str,
    pub length: usize,
}

/// The test issuers, every prefix starting `620000` (no real issuer identification number).
pub const ISSUERS: &[Issuer] = &[
    Issuer { prefix: "62000010", bank: "模拟测试银行", kind: "借记卡", length: 19 },
    Issuer { prefix: "62000020", bank: "模拟测试银行", kind: "贷记卡", length: 16 },
    Issuer { prefix: "62000030", bank: "示例演示银行", kind: "借记卡", length: 19 },
    Issuer { prefix: "62000040", bank: "示例演示银行", kind: "贷记卡", length: 16 },
];

/// How the validity of a generated card reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Validity {
    /// 3 to 10 years after today.
    #[default]
    Future,
    /// 1 to 24 months before today (the `66661009` 银行卡已过期 warning).
    Past,
    /// No date could be read (the `-9110` 无效的日期信息 warning): `""`.
    Unreadable,
}

/// One generated card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Digits only, Luhn-valid.
    pub number: String,
    pub issuer: Issuer,
    /// `MM/yyyy`, or `""` when unreadable.
    pub valid: String,
}

/// The Luhn check digit that completes `body` (digits only), or `None` for a non-digit.
pub fn luhn_digit(body: &str) -> Option<char> {
    let mut sum = 0u32;
    // From the right, the digit next to the check digit is doubled, then every second one.
    for (i, c) in body.chars().rev().enumerate() {
        let mut d = c.to_digit(10)?;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    char::from_digit((10 - sum % 10) % 10, 10)
}

/// `true` when `number` is 12 to 19 digits and passes the Luhn check.
pub fn is_luhn_valid(number: &str) -> bool {
    let len = number.len();
    (12..=19).contains(&len)
        && number.bytes().all(|b| b.is_ascii_digit())
        && luhn_digit(&number[..len - 1]).is_some_and(|c| number.ends_with(c))
}

/// The issuer of a generated number, by its prefix.
pub fn issuer_of(number: &str) -> Option<&'static Issuer> {
    ISSUERS.iter().find(|i| number.starts_with(i.prefix) && number.len() == i.length)
}

/// Makes the card for `key` (app and order number) under `seed`, read on `today`.
pub fn generate(seed: u64, key: &str, validity: Validity, today: NaiveDate) -> Card {
    let mut rng = StdRng::seed_from_u64(crate::seed::fnv1a(key) ^ seed.rotate_left(29));
    let issuer = ISSUERS[rng.random_range(0..ISSUERS.len())];
    let mut body = issuer.prefix.to_string();
    while body.len() < issuer.length - 1 {
        body.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    let check = luhn_digit(&body).expect("generated digits");
    body.push(check);
    // `MM/yyyy` of the month `offset` months from today's.
    let month = |offset: i32| {
        let total = today.year() * 12 + today.month0() as i32 + offset;
        format!("{:02}/{}", total.rem_euclid(12) + 1, total.div_euclid(12))
    };
    let valid = match validity {
        Validity::Future => month(rng.random_range(36..=120)),
        Validity::Past => month(-rng.random_range(1..=24)),
        Validity::Unreadable => String::new(),
    };
    Card { number: body, issuer, valid }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_luhn_digit_matches_published_test_numbers() {
        // Card networks' published test numbers (not issued to anyone).
        for n in ["4111111111111111", "5555555555554444", "6200000000000005", "79927398713"] {
            assert_eq!(luhn_digit(&n[..n.len() - 1]), n.chars().last(), "{n}");
        }
        assert!(is_luhn_valid("4111111111111111"));
        assert!(!is_luhn_valid("4111111111111112"));
        assert!(!is_luhn_valid("41111111111a1111"));
    }

    #[test]
    fn generated_cards_pass_luhn_under_a_test_prefix_and_are_reproducible() {
        let today = day("2026-01-15");
        for i in 0..200 {
            let key = format!("TIDAMOCK/order{i}");
            let card = generate(42, &key, Validity::Future, today);
            assert!(is_luhn_valid(&card.number), "{card:?}");
            assert_eq!(issuer_of(&card.number), Some(&card.issuer), "{card:?}");
            assert!(card.number.starts_with("620000"));
            assert_eq!(card, generate(42, &key, Validity::Future, today));
        }
        assert_ne!(generate(1, "k", Validity::Future, today), generate(2, "k", Validity::Future, today));
    }

    #[test]
    fn validity_is_mm_yyyy_in_the_future_in_the_past_or_empty() {
        let today = day("2026-01-15");
        let month_of = |v: &str| (v[3..].parse::<i32>().unwrap(), v[..2].parse::<u32>().unwrap());
        for i in 0..100 {
            let key = format!("k{i}");
            let future = generate(7, &key, Validity::Future, today).valid;
            assert_eq!((future.len(), &future[2..3]), (7, "/"), "{future}");
            assert!(month_of(&future) >= (2029, 1) && (1..=12).contains(&month_of(&future).1), "{future}");
            let past = generate(7, &key, Validity::Past, today).valid;
            assert!(month_of(&past) < (2026, 1) && month_of(&past) >= (2024, 1), "{past}");
        }
        assert_eq!(generate(7, "k", Validity::Unreadable, today).valid, "");
    }
}
