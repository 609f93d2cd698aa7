//! Small-cell suppression for report tables.
//!
//! Primary suppression hides every cell with fewer than k employees. Secondary suppression then
//! hides further cells, smallest first, until the hidden cells are at least two and together hold
//! at least k *distinct* employees: otherwise the shown total minus the shown cells would give the
//! figures of fewer than k people. The same person can sit in several cells (several sites or
//! months), so the caller counts distinct people over a set of cells (`distinct`).

/// Which cells to hide, given each cell's employee count and a function counting the distinct
/// employees of a set of cells. `true` = suppressed.
pub fn suppress(counts: &[u64], k: u64, distinct: impl Fn(&[usize]) -> u64) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&c| c < k).collect();
    if !hidden.iter().any(|h| *h) {
        return hidden;
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| (counts[i], i));
    loop {
        let hidden_cells: Vec<usize> = (0..counts.len()).filter(|&i| hidden[i]).collect();
        if hidden_cells.len() == counts.len() || (hidden_cells.len() >= 2 && distinct(&hidden_cells) >= k) {
            return hidden;
        }
        let next = order.iter().copied().find(|&i| !hidden[i]).expect("some cell is still shown");
        hidden[next] = true;
    }
}

#[cfg(test)]
mod tests {
    /// Cells with disjoint people: distinct people of a set = sum of counts.
    fn suppress(counts: &[u64], k: u64) -> Vec<bool> {
        super::suppress(counts, k, |cells| cells.iter().map(|&i| counts[i]).sum())
    }

    #[test]
    fn nothing_hidden_when_all_cells_reach_k() {
        assert_eq!(suppress(&[5, 9, 12], 5), vec![false, false, false]);
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        assert_eq!(suppress(&[20, 2, 7, 30], 5), vec![false, true, true, false]);
    }

    #[test]
    fn hidden_cells_must_hold_k_together() {
        // 1 + 2 = 3 < 5: the 6 goes too.
        assert_eq!(suppress(&[1, 2, 6, 40], 5), vec![true, true, true, false]);
    }

    #[test]
    fn people_in_several_cells_are_counted_once() {
        // Sites: S1 {A..F}, S2 {A, B}, S3 {A, B, C}. Hiding S2 and S3 hides only 3 distinct people.
        let people: [&[char]; 3] = [&['A', 'B', 'C', 'D', 'E', 'F'], &['A', 'B'], &['A', 'B', 'C']];
        let counts: Vec<u64> = people.iter().map(|p| p.len() as u64).collect();
        let distinct = |cells: &[usize]| {
            let mut all: Vec<char> = cells.iter().flat_map(|&i| people[i].iter().copied()).collect();
            all.sort();
            all.dedup();
            all.len() as u64
        };
        assert_eq!(super::suppress(&counts, 5, distinct), vec![true, true, true]);
    }

    #[test]
    fn everything_hidden_if_needed() {
        assert_eq!(suppress(&[1, 6], 5), vec![true, true]);
        assert_eq!(suppress(&[], 5), Vec::<bool>::new());
    }
}
