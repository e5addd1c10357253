//! The seeded, platform-stable hashes behind every "random" value the mock answers (order ids,
//! identities, clarity, stamps): the same `--seed` and key give the same answer on every machine.
//!
//! Imports: nothing of the crate.

/// SplitMix64: a bijective mix, so distinct counters give distinct outputs.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of `s`: a stable hash of a key (an order number), the same on every platform and release.
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
