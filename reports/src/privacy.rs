//! Small-cell suppression for report tables.
//!
//! Primary suppression hides every cell with fewer than k employees. Secondary suppression then
//! hides further cells, smallest first, until the hidden cells together hold at least k employees
//! and are at least two: otherwise a hidden cell could be recomputed from the shown total minus the
//! shown cells. Employee counts are summed across hidden cells, which over-counts people present
//! in several cells: the complement test is therefore approximate, and conservative only for
//! disjoint cells (sites of one day's main visit, months).

/// Which cells to hide, given each cell's employee count. `true` = suppressed.
pub fn suppress(counts: &[u64], k: u64) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&c| c < k).collect();
    if !hidden.iter().any(|h| *h) {
        return hidden;
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| (counts[i], i));
    loop {
        let n_hidden = hidden.iter().filter(|h| **h).count();
        let hidden_sum: u64 = counts.iter().zip(&hidden).filter(|(_, h)| **h).map(|(c, _)| c).sum();
        if n_hidden == counts.len() || (n_hidden >= 2 && hidden_sum >= k) {
            return hidden;
        }
        let next = order.iter().copied().find(|&i| !hidden[i]).expect("some cell is still shown");
        hidden[next] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::suppress;

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
    fn everything_hidden_if_needed() {
        assert_eq!(suppress(&[1, 6], 5), vec![true, true]);
        assert_eq!(suppress(&[], 5), Vec::<bool>::new());
    }
}
