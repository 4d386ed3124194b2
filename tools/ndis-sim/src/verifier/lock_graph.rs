//! The lock graph of Driver Verifier's deadlock detection: an edge `held → acquired` for every
//! acquisition made while another lock is held, keyed by lock address. Adding an edge that
//! closes a cycle is a lock hierarchy violation (0xC4, P1 0x1001), found before the two orders
//! can meet at run time and hang.

use rustc_hash::{FxHashMap, FxHashSet};

#[derive(Default, Debug)]
pub(crate) struct LockGraph {
    edges: FxHashMap<usize, FxHashSet<usize>>,
    reported: FxHashSet<(usize, usize)>,
}

/// The outcome of recording one `held → acquired` edge.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// Known or new and consistent with the order seen so far.
    Fine,
    /// It would close a cycle: `path` runs from `acquired` back to `held`. `first` is true the
    /// first time this pair is seen (later ones are not reported again).
    Cycle { path: Vec<usize>, first: bool },
}

impl LockGraph {
    /// Forgets everything about `lock` (it was initialised anew or freed).
    pub(crate) fn reset(&mut self, lock: usize) {
        self.edges.remove(&lock);
        for targets in self.edges.values_mut() {
            targets.remove(&lock);
        }
        self.reported.retain(|&(a, b)| a != lock && b != lock);
    }

    pub(crate) fn add(&mut self, held: usize, acquired: usize) -> Edge {
        if held == acquired || self.edges.get(&held).is_some_and(|t| t.contains(&acquired)) {
            return Edge::Fine;
        }
        if let Some(path) = self.path(acquired, held) {
            let first = self.reported.insert((held, acquired));
            return Edge::Cycle { path, first };
        }
        self.edges.entry(held).or_default().insert(acquired);
        Edge::Fine
    }

    /// A path `from →* to`, depth first.
    fn path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let mut stack = vec![(from, vec![from])];
        let mut seen = FxHashSet::default();
        while let Some((node, path)) = stack.pop() {
            if node == to {
                return Some(path);
            }
            if !seen.insert(node) {
                continue;
            }
            if let Some(next) = self.edges.get(&node) {
                for &n in next {
                    let mut p = path.clone();
                    p.push(n);
                    stack.push((n, p));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Edge, LockGraph};

    #[test]
    fn cycle_found_once_and_reset_forgets() {
        let mut g = LockGraph::default();
        assert_eq!(g.add(1, 2), Edge::Fine);
        assert_eq!(g.add(2, 3), Edge::Fine);
        assert_eq!(
            g.add(3, 1),
            Edge::Cycle {
                path: vec![1, 2, 3],
                first: true
            }
        );
        assert!(matches!(g.add(3, 1), Edge::Cycle { first: false, .. }));
        g.reset(2);
        assert_eq!(g.add(3, 1), Edge::Fine);
    }
}
