//! Dates as vendors write them on the sheet's 作成日 line.

use jiff::civil::Date;

/// Japanese eras with the first day of each (元年 = year 1) and the last
/// (`None`: the era goes on).
type Ymd = (i16, i8, i8);
const ERAS: &[(&str, Ymd, Option<Ymd>)] = &[
    ("令和", (2019, 5, 1), None),
    ("平成", (1989, 1, 8), Some((2019, 4, 30))),
    ("昭和", (1926, 12, 25), Some((1989, 1, 7))),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("「{0}」 is not a date; write 2026-01-13, 2026年1月13日 or 令和8年1月13日")]
    Unrecognised(String),
    #[error("{0} does not exist in the calendar")]
    Invalid(String),
    #[error("{text} is outside the {era} era, which {}", era_span(*.start, *.end))]
    OutsideEra { text: String, era: &'static str, start: Date, end: Option<Date> },
}

/// Parse `2026-01-13`, `2026/1/13`, `2026年1月13日`, `令和8年1月13日` or
/// `令和元年5月1日` (input is NFKC-normalised first, so full-width digits work).
///
/// A 和暦 date outside its era is rejected: before it began (令和1年4月30日)
/// or after it ended (平成31年5月1日 was already 令和; 昭和101年 never
/// came). Such a date means the wrong era or year was typed, and an expiry
/// that is off by an era is worse than an error.
pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let text = super::normalize(input);
    let unrecognised = || DateError::Unrecognised(input.trim().to_string());
    for &(era, (y0, m0, d0), last) in ERAS {
        if let Some(rest) = text.strip_prefix(era) {
            let (year_part, rest) = rest.split_once('年').ok_or_else(unrecognised)?;
            let era_year: i16 =
                if year_part.trim() == "元" { 1 } else { year_part.trim().parse().map_err(|_| unrecognised())? };
            let (m, d) = month_day(rest).ok_or_else(unrecognised)?;
            let start = Date::new(y0, m0, d0).expect("era table holds real dates");
            let end = last.map(|(y, m, d)| Date::new(y, m, d).expect("era table holds real dates"));
            let outside = || DateError::OutsideEra { text: input.trim().to_string(), era, start, end };
            // Checked before the year is added: 令和32000年 must not overflow.
            if era_year < 1 || era_year > 9999 - y0 {
                return Err(outside());
            }
            let date = make(y0 + era_year - 1, m, d, input)?;
            if date < start || end.is_some_and(|end| date > end) {
                return Err(outside());
            }
            return Ok(date);
        }
    }
    if let Some((y, rest)) = text.split_once('年') {
        let y: i16 = y.trim().parse().map_err(|_| unrecognised())?;
        let (m, d) = month_day(rest).ok_or_else(unrecognised)?;
        return make(y, m, d, input);
    }
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    if let [y, m, d] = parts.as_slice()
        && y.len() == 4
    {
        let y = y.parse().map_err(|_| unrecognised())?;
        let m = m.parse().map_err(|_| unrecognised())?;
        let d = d.parse().map_err(|_| unrecognised())?;
        return make(y, m, d, input);
    }
    Err(unrecognised())
}

/// "began on 2019-05-01", "ran from 1989-01-08 to 2019-04-30".
fn era_span(start: Date, end: Option<Date>) -> String {
    match end {
        Some(end) => format!("ran from {start} to {end}"),
        None => format!("began on {start}"),
    }
}

fn month_day(rest: &str) -> Option<(i8, i8)> {
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日').unwrap_or(rest);
    Some((m.trim().parse().ok()?, d.trim().parse().ok()?))
}

fn make(y: i16, m: i8, d: i8, input: &str) -> Result<Date, DateError> {
    Date::new(y, m, d).map_err(|_| DateError::Invalid(input.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_date(s).unwrap().to_string()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(iso("2026-01-13"), "2026-01-13");
        assert_eq!(iso("2026/1/13"), "2026-01-13");
        assert_eq!(iso("2026年1月13日"), "2026-01-13");
        assert_eq!(iso("２０２６年１月１３日"), "2026-01-13");
        assert_eq!(iso("令和8年1月13日"), "2026-01-13");
        assert_eq!(iso("令和元年5月1日"), "2019-05-01");
        assert_eq!(iso("平成31年4月30日"), "2019-04-30");
        assert_eq!(iso("平成元年1月8日"), "1989-01-08");
        assert_eq!(iso("昭和64年1月7日"), "1989-01-07");
        assert_eq!(iso("昭和元年12月25日"), "1926-12-25");
        assert_eq!(iso("令和99年12月31日"), "2117-12-31");
    }

    #[test]
    fn rejected_forms() {
        assert!(matches!(parse_date("令和1年4月30日"), Err(DateError::OutsideEra { .. })));
        // After the era ended: 平成31年5月1日 was 令和元年, 昭和101年 never came.
        for text in ["平成31年5月1日", "平成40年1月1日", "昭和64年1月8日", "昭和101年1月1日", "昭和0年1月1日"]
        {
            assert!(matches!(parse_date(text), Err(DateError::OutsideEra { .. })), "{text}");
        }
        assert_eq!(
            parse_date("平成31年5月1日").unwrap_err().to_string(),
            "平成31年5月1日 is outside the 平成 era, which ran from 1989-01-08 to 2019-04-30"
        );
        assert_eq!(
            parse_date("令和元年4月1日").unwrap_err().to_string(),
            "令和元年4月1日 is outside the 令和 era, which began on 2019-05-01"
        );
        // Years too large for any calendar are outside too, not an overflow.
        assert!(matches!(parse_date("令和32000年1月1日"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(parse_date("2026-02-30"), Err(DateError::Invalid(_))));
        assert!(matches!(parse_date("来月"), Err(DateError::Unrecognised(_))));
        assert!(matches!(parse_date(""), Err(DateError::Unrecognised(_))));
        assert!(matches!(parse_date("令和x年1月1日"), Err(DateError::Unrecognised(_))));
    }
}
