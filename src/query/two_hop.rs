//! Counting the paths of a two-step chain per far node, without enumerating them.
//!
//! For `(k)-[]->()-[]->(s:L)` the rows an aggregation sees are (k, s) pairs, repeated once per
//! path. From one near node `k`, the middle nodes are counted first (a middle node reached by
//! several edges is walked once, weighted), then each middle node's edges add its weight to the
//! far nodes they reach. Relationship uniqueness forbids a path using one edge twice; that
//! only happens when the first edge is also a second-step edge of its middle node (a self-loop
//! on `k`, or a step back along the same edge), always ending at `k`, and such paths are taken
//! off `k`'s count.

use super::shortcut::TwoHopWalk;
use crate::model::Sym;
use crate::store::{Graph, NodeId};
use crate::query::ast::Dir;
use crate::store::EdgeId;
use rustc_hash::FxHashMap;

/// A test of one label that starts by asking the store and, once it has been asked often
/// enough to pay for it, copies the label's nodes into a bitset (one load per test, where the
/// store's compressed set searches).
struct LabelTest {
    label: Sym,
    asked: usize,
    /// Tests after which the bitset is built: a fraction of the nodes it holds.
    dense_after: usize,
    bits: Option<Vec<u64>>,
}

impl LabelTest {
    fn new(g: &Graph, label: Sym) -> Self {
        LabelTest {
            label,
            asked: 0,
            dense_after: 1024 + g.label_count(label) / 8,
            bits: None,
        }
    }

    #[inline]
    fn has(&mut self, g: &Graph, n: NodeId) -> bool {
        if let Some(bits) = &self.bits {
            let i = n.index();
            return bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1);
        }
        self.asked += 1;
        if self.asked > self.dense_after {
            let mut bits = vec![0u64; g.node_bound().div_ceil(64)];
            for m in g.nodes_with_label(self.label) {
                if let Some(w) = bits.get_mut(m.index() / 64) {
                    *w |= 1 << (m.index() % 64);
                }
            }
            self.bits = Some(bits);
        }
        g.has_label(n, self.label)
    }
}

/// Whether `n` carries every label of `tests`.
#[inline]
fn has_all(tests: &mut [LabelTest], g: &Graph, n: NodeId) -> bool {
    tests.iter_mut().all(|t| t.has(g, n))
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
    /// Per node, the paths reaching it as a far node from the current near node.
    far_weight: FxHashMap<u32, u64>,
    fars: Vec<u32>,
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
            far_weight: FxHashMap::default(),
            fars: Vec::new(),
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

    /// The first edge [`Self::edges`] would give for node `n`.
    #[inline]
    fn first_edge(g: &Graph, dir: Dir, types: Option<&[Sym]>, n: u32) -> Option<(EdgeId, NodeId)> {
        let n = NodeId::new(n as usize);
        let out = dir == Dir::Out;
        match types.and_then(|ts| ts.first()) {
            None if out => g.outgoing(n).next(),
            None => g.incoming(n).next(),
            Some(t) if out => g.outgoing_typed(n, *t).next(),
            Some(t) => g.incoming_typed(n, *t).next(),
        }
    }

    /// The far nodes reached from `near`, each with its number of paths (never zero), in the
    /// order they are first reached; `tick` is called per middle node and may stop the count.
    pub fn count<E>(
        &mut self,
        near: NodeId,
        tick: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Vec<(NodeId, u64)>, E> {
        let g = self.g;
        let TwoHopCounter {
            mid_labels,
            far_labels,
            steps,
            mid_weight,
            mids,
            far_weight,
            fars,
            ..
        } = self;
        let [(d1, types1), (d2, types2)] = steps;
        let (d1, d2) = (*d1, *d2);
        let near_is_far = has_all(far_labels, g, near);
        // First edges that a path may not take again as its second edge.
        let mut back = 0u64;
        // Middle nodes whose first edge is such an edge, with that edge; and how many middle
        // nodes had been reached when one of them was reached again (along an edge that lets
        // the path step back to `near`).
        let mut first_back: FxHashMap<u32, EdgeId> = FxHashMap::default();
        mid_weight.reserve(match d1 {
            Dir::In => g.in_degree(near),
            _ => g.out_degree(near),
        });
        let mut near_again: Option<usize> = None;
        Self::edges(g, d1, types1.as_deref(), near, |ty, e, m| {
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
        // Far nodes are listed in the order the matcher would first reach them (that order
        // shows in grouping and collect()); only `near` itself may be reached later than its
        // first edge, when that edge is the one a path may not take twice.
        let mut near_listed = false;
        let mut result = Ok(());
        for (j, &m) in mids.iter().enumerate() {
            let w = mid_weight.get(&m).copied().unwrap_or(0);
            if result.is_ok() {
                result = tick();
            }
            if result.is_err() {
                continue;
            }
            // Reading where the next middle node's edges start now lets that read, most often a
            // cache miss, overlap with the walk of this node's edges.
            if let Some(&next) = mids.get(j + 2) {
                std::hint::black_box(Self::first_edge(g, d2, types2.as_deref(), next));
            }
            if !near_listed && near_again.is_some_and(|at| at <= j) {
                fars.push(near.index() as u32);
                near_listed = true;
            }
            let skip = first_back.get(&m).copied();
            Self::edges(g, d2, types2.as_deref(), NodeId::new(m as usize), |_, e, s| {
                if !has_all(far_labels, g, s) {
                    return;
                }
                let f = far_weight.entry(s.index() as u32).or_insert(0);
                if s == near {
                    if !near_listed && skip != Some(e) {
                        fars.push(s.index() as u32);
                        near_listed = true;
                    }
                } else if *f == 0 {
                    fars.push(s.index() as u32);
                }
                *f += w;
            });
        }
        if !near_listed && near_again.is_some() {
            fars.push(near.index() as u32);
        }
        mids.clear();
        mid_weight.clear();
        if let Some(f) = far_weight.get_mut(&(near.index() as u32)) {
            *f = f.saturating_sub(back);
        }
        let mut out = Vec::with_capacity(fars.len());
        for &s in fars.iter() {
            let n = far_weight.get(&s).copied().unwrap_or(0);
            if n > 0 {
                out.push((NodeId::new(s as usize), n));
            }
        }
        fars.clear();
        far_weight.clear();
        result.map(|()| out)
    }
}
