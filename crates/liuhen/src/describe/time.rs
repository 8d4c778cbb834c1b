//! Timestamps as people and JSON read them: UTC ISO 8601 with milliseconds.

use crate::model::Timestamp;

/// A timestamp as UTC ISO 8601 with milliseconds, e.g. `2026-01-01T00:00:00.000Z`. Years
/// outside 0000–9999 get a sign, as ISO 8601's expanded form.
pub fn iso8601(t: Timestamp) -> String {
    let ms = t.0;
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{y:+05}")
    };
    format!(
        "{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01), after Howard
/// Hinnant's `civil_from_days`: eras of 400 years, each exactly 146,097 days.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146_096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_known_dates() {
        for (ms, want) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_767_225_600_000, "2026-01-01T00:00:00.000Z"),
            // A leap day, and the day after.
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_868_800_000 + 3_723_004, "2000-03-01T01:02:03.004Z"),
            // 1900 is not a leap year: 1900-03-01 is day -25_508.
            (-25_508 * 86_400_000, "1900-03-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "+10000-01-01T00:00:00.000Z"),
        ] {
            assert_eq!(iso8601(Timestamp(ms)), want, "{ms}");
        }
        // The extremes format without overflow.
        assert!(iso8601(Timestamp(i64::MIN)).starts_with('-'));
        assert!(iso8601(Timestamp(i64::MAX)).starts_with('+'));
    }

    #[test]
    fn consecutive_days_are_consecutive_dates_over_centuries() {
        // From 1600-03-01 to 2400 every day number is the calendar day after the one before:
        // month lengths and the Gregorian leap rule (1700, 1800, 1900, 2100 are not leap years).
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = |y: i64, m: i64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let start = -135_080; // 1600-03-01
        let mut last = civil_from_days(start);
        assert_eq!(last, (1600, 3, 1));
        for day in start + 1..156_000 {
            let (y, m, d) = last;
            let want = if d < days_in(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            let got = civil_from_days(day);
            assert_eq!(got, want, "day {day}");
            last = got;
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
