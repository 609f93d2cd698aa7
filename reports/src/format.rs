//! Numbers formatted for the reader's language: `1 234,5` (fr, narrow no-break space), `1.234,5`
//! (nl), `1,234.5` (en). A stand-in until ICU4X formatting lands with the full report design.

use crate::i18n::Lang;

/// Formats `v` with `decimals` decimals and the language's separators. Negative zero prints as 0.
pub fn format_number(v: f64, decimals: usize, lang: Lang) -> String {
    let (group, point) = match lang {
        Lang::Fr => ('\u{202f}', ','),
        Lang::Nl => ('.', ','),
        Lang::En => (',', '.'),
    };
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if v < 0.0 && !is_zero { format!("−{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_per_language() {
        assert_eq!(format_number(1234.5, 1, Lang::Fr), "1\u{202f}234,5");
        assert_eq!(format_number(1234.5, 1, Lang::Nl), "1.234,5");
        assert_eq!(format_number(1234567.0, 0, Lang::En), "1,234,567");
        assert_eq!(format_number(-12.34, 1, Lang::En), "−12.3");
        assert_eq!(format_number(-0.04, 1, Lang::Fr), "0,0");
        assert_eq!(format_number(999.0, 0, Lang::Fr), "999");
    }
}
