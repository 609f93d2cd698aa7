//! Privacy by design, in one place: pseudonymous ids (`pseudonym`), homes as grid-cell counts
//! (`grid`), small-cell suppression of published figures (`suppression`, applied by
//! [`crate::report`] as it reads them), and what of a rejected row of a personal file may reach
//! the warehouse ([`redact`]).

pub mod grid;
pub mod pseudonym;
pub mod suppression;

/// Input kinds whose rows are about people: their rejected rows keep their raw text only in
/// `rejects.csv`, and quoted values and coordinates in the reason's detail are blanked
/// ([`redact`]) before the warehouse's `rejects` table gets it.
pub const PERSONAL_FILE_KINDS: &[&str] = &["employees", "cards", "access_log"];

/// Blanks the values quoted (`"E123"`) or in parentheses (`(50.1, 4.2)`) in a reject detail: in
/// personal files they are ids and coordinates.
pub fn redact(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len());
    let mut closing: Option<char> = None;
    let mut escaped = false;
    for ch in detail.chars() {
        if std::mem::take(&mut escaped) && closing.is_some() {
            continue;
        }
        match closing {
            Some(c) if ch == c => {
                out.push('…');
                out.push(ch);
                closing = None;
            }
            Some(_) => {
                // An escaped quote (`\"`) inside a quoted value does not close it.
                if ch == '\\' {
                    escaped = !escaped;
                    continue;
                }
            }
            None if ch == '"' || ch == '(' => {
                out.push(ch);
                closing = Some(if ch == '"' { '"' } else { ')' });
            }
            None => out.push(ch),
        }
    }
    out
}
