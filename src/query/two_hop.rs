//! Counting the paths of a two-step chain per far node, without enumerating them.
//!
//! For `(k)-[]->()-[]->(s:L)` the rows an aggregation sees are (k, s) pairs, repeated once per
//! path. From one near node `k`, the middle nodes are counted first (a middle node reached by
//! several edges is walked once, weighted), then each middle node's edges add its weight to the
//! far nodes they reach. Relationship uniqueness forbids a path using one edge twice; that
//! only happens when the first edge is also a second-step edge of its middle node (a self-loop
//! on `k`, or a step back along the same edge), always ending at `k`, and such paths are taken
//! off `k`'s count.

use super::ast::Dir;
use super::shortcut::TwoHopWalk;
use crate::model::Sym;
use crate::store::{EdgeId, Graph, NodeId};
use rustc_hash::{FxHashMap, FxHashSet};

/// Second-step edges from one near node above which the walk is split between two threads.
const PARALLEL_EDGES: usize = 200_000;

/// A test of one label: the store's compressed set, or, when a walk is about to test enough
/// nodes to pay for it, a bitset copy of it (one load per test where the set searches).
struct LabelTest {
    label: Sym,
    /// Tests worth building the bitset for: a fraction of the nodes it holds.
    dense_from: usize,
    bits: Option<Vec<u64>>,
}

impl LabelTest {
    fn new(g: &Graph, label: Sym) -> Self {
        LabelTest {
            label,
            dense_from: 1024 + g.label_count(label) / 8,
            bits: None,
        }
    }

    /// Prepares for about `tests` tests.
    fn expect(&mut self, g: &Graph, tests: usize) {
        if self.bits.is_some() || tests < self.dense_from {
            return;
        }
        let mut bits = vec![0u64; g.node_bound().div_ceil(64)];
        for m in g.nodes_with_label(self.label) {
            if let Some(w) = bits.get_mut(m.index() / 64) {
                *w |= 1 << (m.index() % 64);
            }
        }
        self.bits = Some(bits);
    }

    #[inline]
    fn has(&self, g: &Graph, n: NodeId) -> bool {
        match &self.bits {
            Some(bits) => {
                let i = n.index();
                bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
            }
            None => g.has_label(n, self.label),
        }
    }
}

/// Whether `n` carries every label of `tests`.
#[inline]
fn has_all(tests: &[LabelTest], g: &Graph, n: NodeId) -> bool {
    tests.iter().all(|t| t.has(g, n))
}

/// What the second step from a run of middle nodes reached: the far nodes in the order first
/// reached (the near node included, where a path first reaches it), and the paths to each.
#[derive(Default)]
struct Reach {
    order: Vec<u32>,
    weight: FxHashMap<u32, u64>,
}

/// The second step of a walk from one near node, shared by the threads that take part of it.
struct SecondStep<'a> {
    g: &'a Graph,
    dir: Dir,
    types: Option<&'a [Sym]>,
    far_labels: &'a [LabelTest],
    near: NodeId,
    /// Middle nodes reached before the first edge that lets a path step back to `near`
    /// along another (see `count`).
    near_again: Option<usize>,
    /// Middle nodes whose first edge a path may not take again, with that edge.
    first_back: &'a FxHashMap<u32, EdgeId>,
}

/// Middle nodes whose rows are read ahead together before they are walked: enough for many
/// reads to be in flight, few enough that their rows stay cached until the walk reaches them.
const READ_AHEAD: usize = 16;

impl SecondStep<'_> {
    /// Walks the middle nodes `mids` (with their weights), which start at place `from` in
    /// the walk's list of middle nodes.
    fn walk(&self, mids: &[(u32, u64)], from: usize) -> Reach {
        let g = self.g;
        let near = self.near;
        let mut r = Reach::default();
        let mut near_listed = false;
        let mut ahead = [0u32; READ_AHEAD];
        for (j, &(m, w)) in mids.iter().enumerate() {
            if j % READ_AHEAD == 0 {
                let next = &mids[j..mids.len().min(j + READ_AHEAD)];
                for (slot, (n, _)) in ahead.iter_mut().zip(next) {
                    *slot = *n;
                }
                g.prefetch_edges(&ahead[..next.len()], self.dir == Dir::Out);
            }
            if !near_listed && self.near_again.is_some_and(|at| at <= from + j) {
                r.order.push(near.index() as u32);
                near_listed = true;
            }
            let skip = self.first_back.get(&m).copied();
            TwoHopCounter::edges(
                g,
                self.dir,
                self.types,
                NodeId::new(m as usize),
                |_, e, s| {
                    if !has_all(self.far_labels, g, s) {
                        return;
                    }
                    let f = r.weight.entry(s.index() as u32).or_insert(0);
                    if s == near {
                        if !near_listed && skip != Some(e) {
                            r.order.push(s.index() as u32);
                            near_listed = true;
                        }
                    } else if *f == 0 {
                        r.order.push(s.index() as u32);
                    }
                    *f += w;
                },
            );
        }
        if !near_listed && self.near_again.is_some_and(|at| at <= from + mids.len()) {
            r.order.push(near.index() as u32);
        }
        r
    }
}

/// A [`TwoHopWalk`] with its labels and types resolved against one graph.
pub struct TwoHopCounter<'g> {
    g: &'g Graph,
    mid_labels: Vec<LabelTest>,
    far_labels: Vec<LabelTest>,
    /// Per step: direction and allowed types (`None` for any).
    steps: [(Dir, Option<Vec<Sym>>); 2],
    /// Per node, the edges reaching it as a middle node from the current near node. Hash
    /// maps rather than arrays over every node: they stay as small as the walk, in cache, and
    /// need no fresh memory per query.
    mid_weight: FxHashMap<u32, u64>,
    mids: Vec<u32>,
    /// Second-step edges from which a walk is split between two threads (`usize::MAX`:
    /// never, on a single processor).
    split_from: usize,
}

impl<'g> TwoHopCounter<'g> {
    /// The counter for `walk` over `g`, or `None` when some label or every allowed type of a
    /// step is unknown to the graph, so that no path can exist.
    pub fn new(g: &'g Graph, walk: &TwoHopWalk) -> Option<Self> {
        let labels = |ls: &[String]| -> Option<Vec<LabelTest>> {
            ls.iter()
                .map(|l| g.sym(l).map(|s| LabelTest::new(g, s)))
                .collect()
        };
        let types = |ts: &[String]| -> Option<Option<Vec<Sym>>> {
            if ts.is_empty() {
                return Some(None);
            }
            let mut syms: Vec<Sym> = ts.iter().filter_map(|t| g.sym(t)).collect();
            syms.sort_unstable();
            syms.dedup();
            (!syms.is_empty()).then_some(Some(syms))
        };
        Some(TwoHopCounter {
            g,
            mid_labels: labels(&walk.mid_labels)?,
            far_labels: labels(&walk.far.labels)?,
            steps: [
                (walk.steps[0].0, types(&walk.steps[0].1)?),
                (walk.steps[1].0, types(&walk.steps[1].1)?),
            ],
            mid_weight: FxHashMap::default(),
            mids: Vec::new(),
            split_from: match std::thread::available_parallelism() {
                Ok(n) if n.get() > 1 => PARALLEL_EDGES,
                _ => usize::MAX,
            },
        })
    }

    /// Calls `each` with the edges of `n` in direction `dir` of `types` (any when `None`):
    /// (type when known, edge, far node).
    #[inline]
    fn edges(
        g: &Graph,
        dir: Dir,
        types: Option<&[Sym]>,
        n: NodeId,
        mut each: impl FnMut(Option<Sym>, EdgeId, NodeId),
    ) {
        let out = dir == Dir::Out;
        match types {
            None => {
                let adj = if out { g.outgoing(n) } else { g.incoming(n) };
                adj.for_each(|(e, m)| each(None, e, m));
            }
            Some(ts) => {
                for t in ts {
                    let adj = if out {
                        g.outgoing_typed(n, *t)
                    } else {
                        g.incoming_typed(n, *t)
                    };
                    adj.for_each(|(e, m)| each(Some(*t), e, m));
                }
            }
        }
    }

    /// The number of edges [`Self::edges`] gives for node `n`.
    fn degree(g: &Graph, dir: Dir, types: Option<&[Sym]>, n: NodeId) -> usize {
        let out = dir == Dir::Out;
        match types {
            None if out => g.out_degree(n),
            None => g.in_degree(n),
            Some(ts) => ts
                .iter()
                .map(|t| {
                    if out {
                        g.out_degree_typed(n, *t)
                    } else {
                        g.in_degree_typed(n, *t)
                    }
                })
                .sum(),
        }
    }

    /// The far nodes reached from `near`, each with its number of paths (never zero), in the
    /// order they are first reached; `tick` is called between the steps and may stop the
    /// count.
    pub fn count<E>(
        &mut self,
        near: NodeId,
        tick: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Vec<(NodeId, u64)>, E> {
        let g = self.g;
        let split_from = self.split_from;
        let TwoHopCounter {
            mid_labels,
            far_labels,
            steps,
            mid_weight,
            mids,
            ..
        } = self;
        let [(d1, types1), (d2, types2)] = steps;
        let (d1, d2) = (*d1, *d2);
        let (types1, types2) = (types1.as_deref(), types2.as_deref());
        let near_is_far = has_all(far_labels, g, near);
        let first_edges = Self::degree(g, d1, types1, near);
        for t in mid_labels.iter_mut() {
            t.expect(g, first_edges);
        }
        // First edges that a path may not take again as its second edge.
        let mut back = 0u64;
        // Middle nodes whose first edge is such an edge, with that edge; and how many middle
        // nodes had been reached when one of them was reached again (along an edge that lets
        // the path step back to `near`).
        let mut first_back: FxHashMap<u32, EdgeId> = FxHashMap::default();
        mid_weight.reserve(first_edges);
        let mut near_again: Option<usize> = None;
        Self::edges(g, d1, types1, near, |ty, e, m| {
            if !has_all(mid_labels, g, m) {
                return;
            }
            let slot = m.index() as u32;
            let w = mid_weight.entry(slot).or_insert(0);
            let first = *w == 0;
            if first {
                mids.push(slot);
            } else if near_again.is_none() && first_back.contains_key(&slot) {
                near_again = Some(mids.len());
            }
            *w += 1;
            if near_is_far && (d1 != d2 || m == near) {
                let allowed = match types2 {
                    None => true,
                    Some(ts) => {
                        let ty = ty.or_else(|| g.edge(e).map(|x| x.ty));
                        ty.is_some_and(|t| ts.contains(&t))
                    }
                };
                if allowed {
                    back += 1;
                    if first {
                        first_back.insert(slot, e);
                    }
                }
            }
        });
        let weighted: Vec<(u32, u64)> = mids
            .iter()
            .map(|m| (*m, mid_weight.get(m).copied().unwrap_or(0)))
            .collect();
        mids.clear();
        mid_weight.clear();
        let result = tick();
        // Per middle node, the second-step edges walked up to and including it.
        let mut edges_upto = Vec::with_capacity(weighted.len());
        let mut total = 0;
        for (m, _) in &weighted {
            total += Self::degree(g, d2, types2, NodeId::new(*m as usize));
            edges_upto.push(total);
        }
        for t in far_labels.iter_mut() {
            t.expect(g, total);
        }
        let step = SecondStep {
            g,
            dir: d2,
            types: types2,
            far_labels,
            near,
            near_again,
            first_back: &first_back,
        };
        // Far nodes are listed in the order the matcher would first reach them (that order
        // shows in grouping and collect()). A large walk is split in two halves by edges,
        // walked at once; the first half's list comes first.
        let reaches = if total >= split_from {
            let half = edges_upto.partition_point(|n| *n < total / 2) + 1;
            let (a, b) = weighted.split_at(half.min(weighted.len()));
            std::thread::scope(|sc| {
                let second = sc.spawn(|| step.walk(b, a.len()));
                let first = step.walk(a, 0);
                let second = second.join().unwrap_or_else(|_| step.walk(b, a.len()));
                vec![first, second]
            })
        } else {
            vec![step.walk(&weighted, 0)]
        };
        let mut reaches = reaches.into_iter();
        let Reach {
            mut order,
            mut weight,
        } = reaches.next().unwrap_or_default();
        let mut listed: FxHashSet<u32> = FxHashSet::default();
        for r in reaches {
            if listed.is_empty() {
                listed.extend(order.iter().copied());
            }
            order.extend(r.order.into_iter().filter(|s| listed.insert(*s)));
            for (s, n) in r.weight {
                *weight.entry(s).or_insert(0) += n;
            }
        }
        if let Some(f) = weight.get_mut(&(near.index() as u32)) {
            *f = f.saturating_sub(back);
        }
        let out = order
            .into_iter()
            .filter_map(|s| {
                let n = weight.get(&s).copied().unwrap_or(0);
                (n > 0).then(|| (NodeId::new(s as usize), n))
            })
            .collect();
        result.and_then(|()| tick()).map(|()| out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parser::parse;
    use crate::query::{ast::Clause, execute, ExecOptions};
    use std::collections::BTreeMap;

    /// Self-loops, parallel edges and back-and-forth pairs among a dozen nodes.
    fn tangled() -> Graph {
        let mut g = Graph::new();
        for q in [
            "UNWIND range(0, 11) AS i CREATE (:N {i: i})",
            "MATCH (a:N), (b:N) WHERE (a.i * 5 + b.i * 3) % 7 = 0 \
             CREATE (a)-[:A]->(b), (a)-[:B]->(b)",
            "MATCH (a:N), (b:N) WHERE (a.i + b.i) % 4 = 1 CREATE (a)-[:A]->(b)",
            "MATCH (a:N) WHERE a.i % 3 = 0 SET a:M",
        ] {
            let done = execute(&mut g, q, &BTreeMap::new(), &ExecOptions::default());
            assert!(done.is_ok(), "{q}: {done:?}");
        }
        g
    }

    fn walk_of(pattern: &str) -> TwoHopWalk {
        let q = parse(&format!("MATCH {pattern} RETURN 1")).expect("a valid pattern");
        let Some(Clause::Match { pattern, .. }) = q.first.clauses.first() else {
            panic!("no MATCH in {pattern}");
        };
        super::super::shortcut::two_hop_walk(&pattern[0], false, &[]).expect("a two-step walk")
    }

    #[test]
    fn a_walk_split_between_threads_finds_what_one_walk_finds() {
        let g = tangled();
        for pattern in [
            "(k)-->()-->(s)",
            "(k)-->()<--(s)",
            "(k)<-[:A]-()-[:B]->(s:M)",
            "(k)-[:A]->(:M)<--(s)",
        ] {
            let walk = walk_of(pattern);
            let (Some(mut one), Some(mut two)) =
                (TwoHopCounter::new(&g, &walk), TwoHopCounter::new(&g, &walk))
            else {
                panic!("{pattern}: types and labels are known");
            };
            one.split_from = usize::MAX;
            two.split_from = 0;
            let mut found = 0;
            for near in g.node_ids() {
                let ok = &mut || Ok::<(), ()>(());
                let a = one.count(near, ok);
                let b = two.count(near, ok);
                assert_eq!(a, b, "{pattern} from {near:?}");
                found += a.map_or(0, |v| v.len());
            }
            assert!(found > 0, "{pattern} reaches nothing");
        }
    }
}
