//! Times for people: reports show Asia/Shanghai civil time (UTC+8, no daylight saving since
//! 1991), and `--as-of` accepts RFC 3339 or milliseconds.
//!
//! Written out here rather than taken from a date crate: the two conversions below are all the
//! audit needs, and the core keeps its dependencies to the cryptography and encoding it signs.

use crate::model::Timestamp;

/// Offset of Asia/Shanghai from UTC, in milliseconds.
const SHANGHAI_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-03-02 09:00:05+08:00`: a timestamp as Asia/Shanghai civil time, to the second.
///
/// Milliseconds are dropped (they are in the JSON report); times outside years 0–9999 are
/// shown as raw milliseconds rather than as a misleading date.
pub fn format_time(t: Timestamp) -> String {
    let local = t.0.saturating_add(SHANGHAI_MS);
    let days = local.div_euclid(DAY_MS);
    let ms_of_day = local.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!("{} ms", t.0);
    }
    let s = ms_of_day / 1000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}+08:00",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// The Asia/Shanghai civil year and month (1–12) of a timestamp.
pub fn year_month(t: Timestamp) -> (i64, i64) {
    let local = t.0.saturating_add(SHANGHAI_MS);
    let (y, m, _) = civil_from_days(local.div_euclid(DAY_MS));
    (y, m)
}

/// A length of time for people: `2 s`, `45 min`, `30 h 5 min`, `3 d 2 h`.
pub fn format_span(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    let (d, h, m, s) = (
        ms / 86_400_000,
        (ms / 3_600_000) % 24,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
    );
    // Up to two days in hours: "30 h" reads better than "1 d 6 h" beside a 24 h deadline.
    let (d, h) = if d < 2 { (0, h + 24 * d) } else { (d, h) };
    let text = if d > 0 {
        if h > 0 {
            format!("{d} d {h} h")
        } else {
            format!("{d} d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else if m > 0 {
        if s > 0 {
            format!("{m} min {s} s")
        } else {
            format!("{m} min")
        }
    } else if s > 0 {
        format!("{s} s")
    } else {
        format!("{ms} ms")
    };
    format!("{sign}{text}")
}

/// Parses a time given on a command line: milliseconds since the Unix epoch (`1772668800000`)
/// or an RFC 3339 date-time with an explicit offset (`2026-03-05T00:00:00Z`,
/// `2026-03-05T08:00:00+08:00`, fractional seconds allowed). `None` if it is neither.
///
/// A local time without an offset is refused: an audit "as of" an ambiguous time would not be
/// reproducible.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return text.parse::<i64>().ok().map(Timestamp);
    }
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, s) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_days || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut at = 19;
    let mut frac_ms = 0i64;
    if sep(at, b".") {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let digits = b.get(start..at)?;
        if digits.is_empty() {
            return None;
        }
        for (i, c) in digits.iter().take(3).enumerate() {
            frac_ms += i64::from(c - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0);
        }
    }
    let offset_ms = match b.get(at..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = (oh * 60 + om) * 60_000;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let ms = days * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + frac_ms - offset_ms;
    Some(Timestamp(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // 2026-01-01T00:00:00Z, the fixtures' T0.
        assert_eq!(
            parse_time("2026-01-01T00:00:00Z"),
            Some(Timestamp(1_767_225_600_000))
        );
        assert_eq!(
            parse_time("2026-01-01T08:00:00.250+08:00"),
            Some(Timestamp(1_767_225_600_250))
        );
        assert_eq!(
            parse_time("1767225600000"),
            Some(Timestamp(1_767_225_600_000))
        );
        assert_eq!(
            format_time(Timestamp(1_767_225_600_000)),
            "2026-01-01 08:00:00+08:00"
        );
        assert_eq!(format_time(Timestamp(0)), "1970-01-01 08:00:00+08:00");
        assert_eq!(
            parse_time("2024-02-29T23:59:59-01:30"),
            Some(Timestamp(1_709_251_199_000 + 5_400_000))
        );
    }

    #[test]
    fn refuses_ambiguous_or_invalid_times() {
        for bad in [
            "",
            "2026-01-01T00:00:00",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0800",
            "yesterday",
            "２０２６-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn round_trips_every_day_for_centuries() {
        let mut t = Timestamp(-2_208_988_800_000); // 1900-01-01
        while t.0 < 4_102_444_800_000 {
            let text = format_time(t).replacen(' ', "T", 1);
            assert_eq!(parse_time(&text), Some(t), "{text}");
            t = t.plus_millis(86_400_000 + 3_723_000);
        }
    }

    #[test]
    fn spans() {
        assert_eq!(format_span(2_000), "2 s");
        assert_eq!(format_span(45 * 60_000), "45 min");
        assert_eq!(format_span(30 * 3_600_000 + 5 * 60_000), "30 h 5 min");
        assert_eq!(format_span(50 * 3_600_000), "2 d 2 h");
        assert_eq!(format_span(5 * 3_600_000 + 5 * 60_000), "5 h 5 min");
        assert_eq!(format_span(-90_000), "-1 min 30 s");
        assert_eq!(format_span(999), "999 ms");
    }
}
