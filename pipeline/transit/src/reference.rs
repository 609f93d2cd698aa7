//! Slow reference searches (tests only): the same journey model as [`crate::scan`], solved by
//! repeating relaxations over every connection in an order that ignores time until nothing
//! changes (a Bellman-Ford style fixpoint), so it depends on neither sort order nor pruning.

use crate::network::Access;
use crate::network::Network;

/// Latest boarding time per stop (`i32::MIN`: none).
pub(crate) fn reverse_labels(net: &Network, egress: &[Access], arrive_by: i32, window_s: i32) -> Vec<i32> {
    let n = net.stops.len();
    let (mut veh, mut link) = (vec![i32::MIN; n], vec![i32::MIN; n]);
    for a in egress {
        link[a.stop as usize] = link[a.stop as usize].max(arrive_by - a.walk_s);
    }
    let lower = arrive_by - window_s;
    let m = net.conns.len();
    let mut ok = vec![false; m];
    loop {
        let mut changed = false;
        for id in (0..m).rev() {
            let c = net.conns[id];
            if c.dep < lower || c.arr > arrive_by {
                continue;
            }
            let seated = id + 1 < m && net.conns[id + 1].trip() == c.trip() && ok[id + 1];
            if !ok[id] && (seated || (c.can_alight() && c.arr <= link[c.arr_stop as usize])) {
                ok[id] = true;
                changed = true;
            }
            let u = c.dep_stop as usize;
            if ok[id] && c.can_board() && c.dep > veh[u] {
                veh[u] = c.dep;
                changed = true;
                link[u] = link[u].max(c.dep - net.change_s[u]);
                for (w, l) in link.iter_mut().enumerate() {
                    if let Some(f) = net.walk_s(w as u32, u as u32) {
                        *l = (*l).max(c.dep - f);
                    }
                }
            }
        }
        if !changed {
            return veh;
        }
    }
}

/// Earliest arrival by vehicle per stop (`i32::MAX`: none).
pub(crate) fn forward_labels(net: &Network, access: &[Access], depart_at: i32, window_s: i32) -> Vec<i32> {
    let n = net.stops.len();
    let (mut veh, mut link) = (vec![i32::MAX; n], vec![i32::MAX; n]);
    for a in access {
        link[a.stop as usize] = link[a.stop as usize].min(depart_at + a.walk_s);
    }
    let upper = depart_at + window_s;
    let m = net.conns.len();
    let mut ok = vec![false; m];
    loop {
        let mut changed = false;
        for id in 0..m {
            let c = net.conns[id];
            if c.dep < depart_at || c.arr > upper {
                continue;
            }
            let seated = id > 0 && net.conns[id - 1].trip() == c.trip() && ok[id - 1];
            if !ok[id] && (seated || (c.can_board() && c.dep >= link[c.dep_stop as usize])) {
                ok[id] = true;
                changed = true;
            }
            let v = c.arr_stop as usize;
            if ok[id] && c.can_alight() && c.arr < veh[v] {
                veh[v] = c.arr;
                changed = true;
                link[v] = link[v].min(c.arr + net.change_s[v]);
                for (w, l) in link.iter_mut().enumerate() {
                    if let Some(f) = net.walk_s(v as u32, w as u32) {
                        *l = (*l).min(c.arr + f);
                    }
                }
            }
        }
        if !changed {
            return veh;
        }
    }
}
