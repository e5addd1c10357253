//! The mock's one clock. Every timestamp and every expiry reads it, so the admin API can move
//! time forward and a test can see a ticket expire without sleeping (docs/protocol.md §9).
//!
//! Imports: nothing of the crate.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, on the mock's clock.
pub type Millis = i64;

/// Beijing time, UTC+8, in which the service writes every timestamp.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Real time plus an offset that the admin API can change. Lock-free: it is read on every request.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Now, on the mock's clock.
    pub fn now(&self) -> Millis {
        real_now() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward (or back, with a negative value).
    ///
    /// # Errors
    /// [`OutOfRange`] when the move would leave the years the mock can serve; the clock is then
    /// unchanged.
    pub fn advance(&self, ms: Millis) -> Result<(), OutOfRange> {
        let real = real_now();
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |off| {
                off.checked_add(ms).filter(|o| real.checked_add(*o).is_some_and(in_range))
            })
            .map(drop)
            .map_err(|_| OutOfRange)
    }

    /// Sets the clock to `at`; it keeps running from there.
    ///
    /// # Errors
    /// [`OutOfRange`] when `at` is outside the years the mock can serve; the clock is unchanged.
    pub fn set(&self, at: Millis) -> Result<(), OutOfRange> {
        if !in_range(at) {
            return Err(OutOfRange);
        }
        self.offset_ms.store(at - real_now(), Ordering::Relaxed);
        Ok(())
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }

    /// How far the clock is from real time.
    pub fn offset(&self) -> Millis {
        self.offset_ms.load(Ordering::Relaxed)
    }
}

/// The first and last years the clock may show: every wire time has a four-digit year, and an
/// ID card's validity (up to 20 years on) must be writable too.
pub const YEARS: (i32, i32) = (1900, 9979);

/// A move of the clock outside [`YEARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the clock can show {}-01-01T00:00:00+08:00 to {}-12-31T23:59:59+08:00 only (four-digit years, and room for a card's validity); the clock is unchanged",
            YEARS.0, YEARS.1
        )
    }
}

/// `true` when `at` falls in [`YEARS`], Beijing time.
fn in_range(at: Millis) -> bool {
    Utc.timestamp_millis_opt(at)
        .single()
        .map(|t| t.with_timezone(&beijing()).year())
        .is_some_and(|y| (YEARS.0..=YEARS.1).contains(&y))
}

fn real_now() -> Millis {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0)
}

/// `at` in Beijing time.
pub fn to_beijing(at: Millis) -> DateTime<FixedOffset> {
    Utc.timestamp_millis_opt(at).single().unwrap_or_default().with_timezone(&beijing())
}

/// `yyyyMMddHHmmss`, Beijing time: the wire form of `transactionTime` and `expire_time`.
///
/// Every response carries one, so each thread formats a second once and copies it after that
/// (chrono's formatting was a twentieth of a small call's CPU).
pub fn compact(at: Millis) -> String {
    thread_local! {
        static LAST: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
    }
    let second = at.div_euclid(1000);
    LAST.with_borrow_mut(|(cached, text)| {
        if *cached != second {
            *text = to_beijing(at).format("%Y%m%d%H%M%S").to_string();
            *cached = second;
        }
        text.clone()
    })
}

/// `yyyy-MM-dd HH:mm:ss`, Beijing time: the wire form of `operateTime`.
pub fn dashed(at: Millis) -> String {
    to_beijing(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// RFC 3339 with the +08:00 offset, for humans and the admin API.
pub fn rfc3339(at: Millis) -> String {
    to_beijing(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// The calendar date in Beijing.
pub fn date(at: Millis) -> NaiveDate {
    to_beijing(at).date_naive()
}

/// Parses an RFC 3339 time such as `2026-01-01T08:00:00+08:00`.
///
/// # Errors
/// The parser's message when `s` is not RFC 3339.
pub fn parse_rfc3339(s: &str) -> Result<Millis, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("{s:?} is not an RFC 3339 time ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_times_are_written_in_beijing_time() {
        let at = parse_rfc3339("2021-06-21T09:26:52Z").unwrap();
        assert_eq!(compact(at), "20210621172652");
        assert_eq!(dashed(at), "2021-06-21 17:26:52");
        assert_eq!(rfc3339(at), "2021-06-21T17:26:52.000+08:00");
    }

    #[test]
    fn the_compact_form_is_right_across_seconds_and_back_in_time() {
        let at = parse_rfc3339("2021-06-21T09:26:52.999Z").unwrap();
        for (ms, want) in
            [(0, "20210621172652"), (1, "20210621172653"), (-1_000, "20210621172651"), (0, "20210621172652")]
        {
            assert_eq!(compact(at + ms), want, "at {ms} ms");
        }
        assert_eq!(compact(-1), "19700101075959");
    }

    #[test]
    fn the_clock_can_be_set_advanced_and_reset() {
        let clock = Clock::new();
        let at = parse_rfc3339("2026-01-01T08:00:00+08:00").unwrap();
        clock.set(at).unwrap();
        assert!((clock.now() - at).abs() < 1_000);
        clock.advance(3_600_000).unwrap();
        assert!((clock.now() - at - 3_600_000).abs() < 1_000);
        clock.reset();
        assert_eq!(clock.offset(), 0);
    }

    #[test]
    fn the_clock_refuses_moves_outside_the_years_it_can_serve_and_stays_put() {
        let clock = Clock::new();
        assert_eq!(clock.set(parse_rfc3339("0001-01-01T00:00:00+08:00").unwrap()), Err(OutOfRange));
        assert_eq!(clock.advance(260_000_000_000_000), Err(OutOfRange));
        assert_eq!(clock.advance(i64::MAX), Err(OutOfRange));
        assert_eq!(clock.advance(i64::MIN), Err(OutOfRange));
        assert_eq!(clock.offset(), 0);
        assert!(clock.set(parse_rfc3339("1900-01-01T00:00:00+08:00").unwrap()).is_ok());
        assert_eq!(clock.advance(-1_000), Err(OutOfRange));
    }
}
