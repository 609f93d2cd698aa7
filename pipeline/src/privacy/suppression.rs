//! Small-cell suppression of the figures the reports publish: no group smaller than k is shown,
//! and a second cell is hidden whenever one hidden cell could be recomputed from a total
//! (`navette_reports::privacy::suppress` does the choosing; this module gives it the counts).
//! Map cells coarsen before they are suppressed: a 1 km cell under k merges into the enclosing
//! 2, 10, 20 or 40 km cell.

use navette_reports::MapCell;
use navette_reports::privacy::suppress;

/// Rows with the hidden ones replaced by `None`.
pub fn hide<T>(rows: Vec<T>, hidden: Vec<bool>) -> Vec<Option<T>> {
    rows.into_iter().zip(hidden).map(|(r, h)| (!h).then_some(r)).collect()
}

/// Primary and secondary suppression of cells that hold disjoint groups of people (each person
/// in one cell): the size of a group of hidden cells is the sum of their counts.
pub fn suppress_disjoint(counts: &[u64], k: u32) -> Vec<bool> {
    suppress(counts, k as u64, |cells| cells.iter().map(|&i| counts[i]).sum())
}

/// Cell sizes of the map, finest first; each divides the next, so cells nest.
pub const MAP_CELL_SIZES_M: [i64; 5] = [1_000, 2_000, 10_000, 20_000, 40_000];

/// Publishes 1 km home counts `(east_m, north_m, employees)` (south-west corners, EPSG:3035)
/// without any cell under `k`: a cell of at least k is shown at the finest size; the people of
/// smaller cells move up to the enclosing cell of the next size (people already shown are not
/// counted again), and so on up to 40 km, where the remaining cells go through primary and
/// secondary suppression (the hidden people, the map's total minus what it shows, are 0 or at
/// least k). Returns the published cells (largest last), and the number of hidden cells and of
/// people in them.
pub fn coarsen(cells_1km: &[(i64, i64, u64)], k: u32) -> (Vec<MapCell>, u64, u64) {
    let (cells, hidden, people) = coarsen_members(cells_1km, k);
    (cells.into_iter().map(|(c, _)| c).collect(), hidden, people)
}

/// [`coarsen`], each published cell with the indices (into `cells_1km`) of the 1 km cells whose
/// people it holds: what lets a caller describe a published cell by the people in it (the
/// planner's map colours a cell by the site most of its people would use).
pub fn coarsen_members(cells_1km: &[(i64, i64, u64)], k: u32) -> (Vec<(MapCell, Vec<usize>)>, u64, u64) {
    use std::collections::BTreeMap;
    let mut pending: BTreeMap<(i64, i64), (u64, Vec<usize>)> = BTreeMap::new();
    for (i, &(e, n, c)) in cells_1km.iter().enumerate() {
        let p = pending.entry((e, n)).or_default();
        p.0 += c;
        p.1.push(i);
    }
    let mut shown: Vec<(MapCell, Vec<usize>)> = Vec::new();
    for (level, &size) in MAP_CELL_SIZES_M.iter().enumerate() {
        let mut grouped: BTreeMap<(i64, i64), (u64, Vec<usize>)> = BTreeMap::new();
        for ((e, n), (c, members)) in pending {
            let g = grouped.entry((e.div_euclid(size) * size, n.div_euclid(size) * size)).or_default();
            g.0 += c;
            g.1.extend(members);
        }
        let cell = |(e, n): (i64, i64), (c, members): (u64, Vec<usize>)| {
            (MapCell { east_m: e as f64, north_m: n as f64, size_m: size as f64, employees: c }, members)
        };
        if level + 1 < MAP_CELL_SIZES_M.len() {
            let (big, small): (Vec<_>, Vec<_>) = grouped.into_iter().partition(|(_, g)| g.0 >= u64::from(k));
            shown.extend(big.into_iter().map(|(at, g)| cell(at, g)));
            pending = small.into_iter().collect();
        } else {
            // The rest, and every cell shown so far, through primary and secondary suppression
            // together: if the rest is under k, shown cells (smallest first) are hidden with it.
            shown.extend(grouped.into_iter().map(|(at, g)| cell(at, g)));
            let counts: Vec<u64> = shown.iter().map(|c| c.0.employees).collect();
            let hidden = suppress_disjoint(&counts, k);
            let cells_hidden = hidden.iter().filter(|h| **h).count() as u64;
            let employees_hidden = counts.iter().zip(&hidden).filter(|(_, h)| **h).map(|(c, _)| c).sum();
            let shown = hide(shown, hidden).into_iter().flatten().collect();
            return (shown, cells_hidden, employees_hidden);
        }
    }
    unreachable!("the last size returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (east, north, size, people) of the shown cells.
    fn shown(cells: &[MapCell]) -> Vec<(f64, f64, f64, u64)> {
        cells.iter().map(|c| (c.east_m, c.north_m, c.size_m, c.employees)).collect()
    }

    #[test]
    fn small_cells_merge_into_the_enclosing_larger_cell() {
        // k = 5. A (6) shows at 1 km. B (3) and C (2) share a 2 km cell: one cell of 5. D (4) and
        // E (1) are in different 2 km cells of the same 10 km cell: one 10 km cell of 5.
        let cells = [
            (3_900_000, 3_000_000, 6), // A
            (3_902_000, 3_002_000, 3), // B
            (3_903_000, 3_003_000, 2), // C
            (3_910_000, 3_010_000, 4), // D
            (3_914_000, 3_016_000, 1), // E
        ];
        let (cells, hidden_cells, hidden_people) = coarsen(&cells, 5);
        assert_eq!(
            shown(&cells),
            vec![
                (3_900_000.0, 3_000_000.0, 1_000.0, 6),
                (3_902_000.0, 3_002_000.0, 2_000.0, 5),
                (3_910_000.0, 3_010_000.0, 10_000.0, 5),
            ]
        );
        assert_eq!((hidden_cells, hidden_people), (0, 0));
    }

    #[test]
    fn a_hidden_rest_under_k_takes_the_smallest_shown_cell_with_it() {
        // As above, plus F (1) and G (2), each alone in its 40 km cell: the rest is 3 < 5, so the
        // map's total minus what it shows would give 3 people. The smallest shown cell (B + C,
        // 5) is hidden too: 3 cells, 8 people.
        let cells = [
            (3_900_000, 3_000_000, 6),
            (3_902_000, 3_002_000, 3),
            (3_903_000, 3_003_000, 2),
            (3_910_000, 3_010_000, 4),
            (3_914_000, 3_016_000, 3),
            (3_960_000, 3_000_000, 1), // F
            (4_000_000, 3_100_000, 2), // G
        ];
        let (cells, hidden_cells, hidden_people) = coarsen(&cells, 5);
        assert_eq!(
            shown(&cells),
            vec![(3_900_000.0, 3_000_000.0, 1_000.0, 6), (3_910_000.0, 3_010_000.0, 10_000.0, 7)]
        );
        assert_eq!((hidden_cells, hidden_people), (3, 8));
        assert_eq!(cells.iter().map(|c| c.employees).sum::<u64>() + hidden_people, 21);
    }

    #[test]
    fn members_say_which_1km_cells_each_published_cell_holds() {
        let cells = [
            (3_900_000, 3_000_000, 6),
            (3_902_000, 3_002_000, 3),
            (3_903_000, 3_003_000, 2),
            (3_910_000, 3_010_000, 4),
            (3_914_000, 3_016_000, 1),
        ];
        let (published, _, _) = coarsen_members(&cells, 5);
        let members: Vec<Vec<usize>> = published.iter().map(|(_, m)| m.clone()).collect();
        assert_eq!(members, vec![vec![0], vec![1, 2], vec![3, 4]]);
        for (c, m) in &published {
            assert_eq!(c.employees, m.iter().map(|&i| cells[i].2).sum::<u64>());
        }
        assert_eq!(published.into_iter().map(|(c, _)| c).collect::<Vec<_>>(), coarsen(&cells, 5).0);
    }
}
