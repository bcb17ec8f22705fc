//! Pattern matching: finds every way a MATCH pattern binds against the graph for one input row.
//!
//! Each pattern part is walked from its cheaper end (a bound variable, then an indexed `name`
//! or `id` equality, then the rarest label, then every node) along the adjacency lists.
//! Relationships are never used twice within one match; variable-length segments expand
//! depth-first, and shortest paths breadth-first.

use super::ast::*;
use super::error::{ErrorKind, QueryError};
use super::exec::Guard;
use super::expr::{equals, eval, rt, Ctx, Scope};
use super::result::{PathValue, QValue};
use crate::model::Sym;
use crate::store::{EdgeId, NodeId};
use std::collections::{HashMap, VecDeque};

/// Finds matches of a pattern for rows whose variables are `names`.
pub struct Matcher<'c, 'g> {
    ctx: &'c Ctx<'g>,
    names: &'c [String],
    guard: &'c mut Guard,
    /// Variable-length steps only need each end node once (the caller checked that duplicate
    /// rows cannot change the answer), so they run breadth-first with a visited set.
    pub distinct_ends: bool,
    /// Allowed edges of a node for one relationship pattern, grouped by the far node.
    adjacency: HashMap<(NodeId, Dir, usize), HashMap<NodeId, Vec<EdgeId>>>,
    /// Edges held in `adjacency`.
    adjacency_size: usize,
    /// Nodes each pattern part's walk started from, summed over every call (for PROFILE).
    pub starts: Vec<usize>,
}

/// Most edges the adjacency cache holds before it starts over.
const ADJACENCY_CACHE_LIMIT: usize = 1 << 20;

/// Where a walk over a pattern part starts.
enum Anchor {
    /// A variable bound by an earlier clause or part (to this node, if it is one).
    Bound(Option<NodeId>),
    /// An equality on an indexed key (`name` or `id`), with the nodes it finds.
    Index(String, Vec<NodeId>),
    /// Every node with this label (the rarest of the pattern's labels); `None` when the label
    /// is unknown, so nothing matches.
    Label(String, Option<Sym>),
    /// Every node.
    All,
}

impl Anchor {
    fn describe(&self) -> AnchorKind {
        match self {
            Anchor::Bound(_) => AnchorKind::Bound,
            Anchor::Index(k, _) => AnchorKind::IndexSeek(k.clone()),
            Anchor::Label(l, _) => AnchorKind::LabelScan(l.clone()),
            Anchor::All => AnchorKind::AllNodes,
        }
    }
}

/// How the matcher finds the first node of a part, as EXPLAIN reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorKind {
    /// The node is bound already.
    Bound,
    /// Looked up in the index of this key.
    IndexSeek(String),
    /// Every node with this label.
    LabelScan(String),
    /// Every node.
    AllNodes,
}

/// The matcher's plan for one pattern part.
#[derive(Clone, Debug)]
pub struct PartPlan {
    /// How the first node of the walk is found.
    pub anchor: AnchorKind,
    /// True when the part is walked from its last node back to its first.
    pub reversed: bool,
    /// For each relationship in walk order: its direction as walked, and whether a
    /// variable-length step runs breadth-first over distinct end nodes.
    pub steps: Vec<(Dir, bool)>,
}

/// Whether a variable-length step only needs distinct end nodes and can run breadth-first.
fn breadth_first(distinct_ends: bool, dir: Dir, lo: u64) -> bool {
    distinct_ends && dir != Dir::Both && lo <= 1
}

/// The partial binding being extended.
struct State {
    vals: Vec<QValue>,
    bound: Vec<bool>,
    used: Vec<EdgeId>,
}

/// A pattern part laid out in the order it is walked.
struct Walk<'p> {
    part: &'p PatternPart,
    nodes: Vec<&'p NodePat>,
    rels: Vec<(&'p RelPat, Dir)>,
    reversed: bool,
}

/// The nodes and relationship segments visited so far along one part.
#[derive(Default, Clone)]
struct Trace {
    nodes: Vec<NodeId>,
    segs: Vec<Vec<EdgeId>>,
}

fn flip(d: Dir) -> Dir {
    match d {
        Dir::Out => Dir::In,
        Dir::In => Dir::Out,
        Dir::Both => Dir::Both,
    }
}

impl<'c, 'g> Matcher<'c, 'g> {
    /// A matcher; `names` are the variables of the rows it will produce.
    pub fn new(ctx: &'c Ctx<'g>, names: &'c [String], guard: &'c mut Guard) -> Self {
        Matcher {
            ctx,
            names,
            guard,
            distinct_ends: false,
            adjacency: HashMap::new(),
            adjacency_size: 0,
            starts: Vec::new(),
        }
    }

    fn slot(&self, var: &Option<String>) -> Option<usize> {
        var.as_ref()
            .and_then(|v| self.names.iter().position(|n| n == v))
    }

    /// Every extension of `row` that matches all parts of the pattern.
    pub fn match_pattern(
        &mut self,
        parts: &[PatternPart],
        row: &[QValue],
    ) -> Result<Vec<Vec<QValue>>, QueryError> {
        let mut st = State {
            vals: row.to_vec(),
            bound: vec![true; row.len()],
            used: Vec::new(),
        };
        st.vals.resize(self.names.len(), QValue::Null);
        st.bound.resize(self.names.len(), false);
        let mut out = Vec::new();
        self.parts(parts, 0, &mut st, &mut out)?;
        Ok(out)
    }

    fn parts(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        st: &mut State,
        out: &mut Vec<Vec<QValue>>,
    ) -> Result<(), QueryError> {
        let Some(part) = parts.get(pi) else {
            out.push(st.vals.clone());
            self.guard.rows(out.len())?;
            return Ok(());
        };
        if part.shortest.is_some() {
            return self.shortest(parts, pi, st, out);
        }
        let walk = self.layout(part, st)?;
        let candidates = self.candidates(walk.nodes[0], st)?;
        self.count_starts(pi, candidates.len());
        for n in candidates {
            self.guard.tick()?;
            let mut trace = Trace::default();
            self.step_node(parts, pi, &walk, 0, n, &mut trace, st, out)?;
        }
        Ok(())
    }

    fn count_starts(&mut self, pi: usize, n: usize) {
        if self.starts.len() <= pi {
            self.starts.resize(pi + 1, 0);
        }
        self.starts[pi] += n;
    }

    /// Chooses which end of the part to start from.
    fn layout<'p>(&self, part: &'p PatternPart, st: &State) -> Result<Walk<'p>, QueryError> {
        let mut nodes: Vec<&NodePat> = vec![&part.start];
        let mut rels = Vec::new();
        for (r, n) in &part.chain {
            rels.push((r, r.dir));
            nodes.push(n);
        }
        let reversed = nodes.len() > 1 && {
            let first = self.cost(nodes[0], st)?;
            let last = self.cost(nodes[nodes.len() - 1], st)?;
            last < first
        };
        if reversed {
            nodes.reverse();
            rels.reverse();
            for r in &mut rels {
                r.1 = flip(r.1);
            }
        }
        Ok(Walk {
            part,
            nodes,
            rels,
            reversed,
        })
    }

    /// A rough count of the nodes a node pattern would start from.
    fn cost(&self, n: &NodePat, st: &State) -> Result<usize, QueryError> {
        if let Some(i) = self.slot(&n.var) {
            if st.bound[i] {
                return Ok(0);
            }
        }
        if let Some(list) = self.indexed(n, st)? {
            return Ok(1 + list.len());
        }
        let g = self.ctx.graph;
        let by_label = n
            .labels
            .iter()
            .map(|l| g.sym(l).map_or(0, |s| g.label_count(s)))
            .min();
        Ok(1 + by_label.unwrap_or(g.node_count()).saturating_mul(2))
    }

    /// Nodes found through the name or id index, when the pattern requires one of those.
    fn indexed(&self, n: &NodePat, st: &State) -> Result<Option<Vec<NodeId>>, QueryError> {
        Ok(self.indexed_by(n, st)?.map(|(_, list)| list))
    }

    /// Like [`Self::indexed`], also naming the indexed key.
    fn indexed_by(
        &self,
        n: &NodePat,
        st: &State,
    ) -> Result<Option<(String, Vec<NodeId>)>, QueryError> {
        let Some(Expr::Map(entries)) = &n.props else {
            return Ok(None);
        };
        for (k, e) in entries {
            if k == crate::store::NAME || k == crate::store::ID {
                let v = eval(e, self.ctx, self.scope(st))?;
                let Ok(v) = super::expr::to_value(&v) else {
                    continue;
                };
                if let Some(list) = self.ctx.graph.nodes_with_prop(k, &v) {
                    return Ok(Some((k.clone(), list.to_vec())));
                }
            }
        }
        Ok(None)
    }

    fn scope<'s>(&self, st: &'s State) -> Scope<'s>
    where
        'c: 's,
    {
        Scope {
            names: self.names,
            values: &st.vals,
        }
    }

    /// How the nodes a walk starts from are found: the one source of truth for both matching
    /// and EXPLAIN.
    fn anchor(&self, n: &NodePat, st: &State) -> Result<Anchor, QueryError> {
        if let Some(i) = self.slot(&n.var) {
            if st.bound[i] {
                return Ok(Anchor::Bound(match &st.vals[i] {
                    QValue::Node(id) => Some(*id),
                    _ => None,
                }));
            }
        }
        if let Some((key, list)) = self.indexed_by(n, st)? {
            return Ok(Anchor::Index(key, list));
        }
        let g = self.ctx.graph;
        let mut best: Option<(&str, Sym)> = None;
        for l in &n.labels {
            match g.sym(l) {
                None => return Ok(Anchor::Label(l.clone(), None)),
                Some(s) => {
                    if best.is_none_or(|(_, b)| g.label_count(s) < g.label_count(b)) {
                        best = Some((l, s));
                    }
                }
            }
        }
        Ok(match best {
            Some((l, s)) => Anchor::Label(l.to_string(), Some(s)),
            None => Anchor::All,
        })
    }

    fn candidates(&self, n: &NodePat, st: &State) -> Result<Vec<NodeId>, QueryError> {
        let g = self.ctx.graph;
        Ok(match self.anchor(n, st)? {
            Anchor::Bound(id) => id.into_iter().collect(),
            Anchor::Index(_, list) => list,
            Anchor::Label(_, None) => Vec::new(),
            Anchor::Label(_, Some(s)) => {
                let mut v: Vec<NodeId> = g.nodes_with_label(s).collect();
                v.sort_unstable();
                v
            }
            Anchor::All => g.node_ids().collect(),
        })
    }

    /// The anchor for EXPLAIN. An indexed key compared with a value from the incoming row is
    /// looked up per row when running, though no value is known while planning.
    fn planned_anchor(&self, n: &NodePat, st: &State) -> Result<AnchorKind, QueryError> {
        let kind = self.anchor(n, st)?.describe();
        if matches!(kind, AnchorKind::Bound | AnchorKind::IndexSeek(_)) {
            return Ok(kind);
        }
        if let Some(Expr::Map(entries)) = &n.props {
            for (k, e) in entries {
                let mut from_row = false;
                e.walk(&mut |x| from_row |= matches!(x, Expr::Var(..)));
                if from_row && (k == crate::store::NAME || k == crate::store::ID) {
                    return Ok(AnchorKind::IndexSeek(k.clone()));
                }
            }
        }
        Ok(kind)
    }

    /// The plan the matcher would follow for `part` when the variables flagged in `bound` are
    /// already bound (to values not known yet), for EXPLAIN.
    pub fn plan_part(&self, part: &PatternPart, bound: &[bool]) -> Result<PartPlan, QueryError> {
        let st = State {
            vals: vec![QValue::Null; self.names.len()],
            bound: (0..self.names.len())
                .map(|i| bound.get(i).copied().unwrap_or(false))
                .collect(),
            used: Vec::new(),
        };
        if part.shortest.is_some() {
            return Ok(PartPlan {
                anchor: self.planned_anchor(&part.start, &st)?,
                steps: vec![(
                    part.chain.first().map(|(r, _)| r.dir).unwrap_or(Dir::Out),
                    false,
                )],
                reversed: false,
            });
        }
        let walk = self.layout(part, &st)?;
        let steps = walk
            .rels
            .iter()
            .map(|(r, d)| {
                let lo = r.range.map(|(lo, _)| lo.unwrap_or(1));
                (
                    *d,
                    lo.is_some_and(|lo| breadth_first(self.distinct_ends, *d, lo)),
                )
            })
            .collect();
        Ok(PartPlan {
            anchor: self.planned_anchor(walk.nodes[0], &st)?,
            steps,
            reversed: walk.reversed,
        })
    }

    fn props_ok(
        &self,
        props: &Option<Expr>,
        target: &QValue,
        st: &State,
    ) -> Result<bool, QueryError> {
        let Some(p) = props else {
            return Ok(true);
        };
        let want = eval(p, self.ctx, self.scope(st))?;
        let QValue::Map(want) = want else {
            return Ok(matches!(want, QValue::Null));
        };
        for (k, v) in &want {
            let have = super::expr::property(self.ctx, target, k)?;
            if equals(&have, v) != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn node_ok(&self, n: NodeId, pat: &NodePat, st: &State) -> Result<bool, QueryError> {
        let g = self.ctx.graph;
        let Some(node) = g.node(n) else {
            return Ok(false);
        };
        if !self.ctx.node_alive(n) {
            return Ok(false);
        }
        for l in &pat.labels {
            match g.sym(l) {
                Some(s) if node.labels.contains(&s) => {}
                _ => return Ok(false),
            }
        }
        self.props_ok(&pat.props, &QValue::Node(n), st)
    }

    /// Binds a variable, or checks it against its binding. Returns `None` on conflict and
    /// otherwise whether the slot was newly bound (so the caller can unbind it).
    fn bind(&self, st: &mut State, slot: Option<usize>, v: QValue) -> Option<bool> {
        let Some(i) = slot else {
            return Some(false);
        };
        if st.bound[i] {
            if equals(&st.vals[i], &v) == Some(true) {
                Some(false)
            } else {
                None
            }
        } else {
            st.vals[i] = v;
            st.bound[i] = true;
            Some(true)
        }
    }

    fn unbind(st: &mut State, slot: Option<usize>, fresh: bool) {
        if let (Some(i), true) = (slot, fresh) {
            st.bound[i] = false;
            st.vals[i] = QValue::Null;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn step_node(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        walk: &Walk,
        k: usize,
        n: NodeId,
        trace: &mut Trace,
        st: &mut State,
        out: &mut Vec<Vec<QValue>>,
    ) -> Result<(), QueryError> {
        let pat = walk.nodes[k];
        if !self.node_ok(n, pat, st)? {
            return Ok(());
        }
        let slot = self.slot(&pat.var);
        let Some(fresh) = self.bind(st, slot, QValue::Node(n)) else {
            return Ok(());
        };
        trace.nodes.push(n);
        if k == walk.rels.len() {
            self.finish_part(parts, pi, walk, trace, st, out)?;
        } else {
            self.step_rel(parts, pi, walk, k, n, trace, st, out)?;
        }
        trace.nodes.pop();
        Self::unbind(st, slot, fresh);
        Ok(())
    }

    fn finish_part(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        walk: &Walk,
        trace: &Trace,
        st: &mut State,
        out: &mut Vec<Vec<QValue>>,
    ) -> Result<(), QueryError> {
        let slot = self.slot(&walk.part.var);
        let fresh = if slot.is_some() {
            let mut nodes = trace.nodes.clone();
            let mut segs = trace.segs.clone();
            if walk.reversed {
                nodes.reverse();
                segs.reverse();
                for s in &mut segs {
                    s.reverse();
                }
            }
            let path = QValue::Path(PathValue {
                nodes: expand_nodes(self.ctx, &nodes, &segs),
                rels: segs.concat(),
            });
            match self.bind(st, slot, path) {
                Some(f) => f,
                None => return Ok(()),
            }
        } else {
            false
        };
        self.parts(parts, pi + 1, st, out)?;
        Self::unbind(st, slot, fresh);
        Ok(())
    }

    /// The edges leaving `cur` that a relationship pattern allows, with the node at the other
    /// end.
    fn edges(&self, cur: NodeId, rel: &RelPat, dir: Dir) -> Vec<(EdgeId, NodeId)> {
        let g = self.ctx.graph;
        let mut out = Vec::new();
        let types: Option<Vec<Sym>> = if rel.types.is_empty() {
            None
        } else {
            Some(rel.types.iter().filter_map(|t| g.sym(t)).collect())
        };
        let mut push_dir = |outgoing: bool, skip_loops: bool| match &types {
            None => {
                let it: Box<dyn Iterator<Item = (EdgeId, NodeId)>> = if outgoing {
                    Box::new(g.outgoing(cur))
                } else {
                    Box::new(g.incoming(cur))
                };
                out.extend(it.filter(|(_, o)| !(skip_loops && *o == cur)));
            }
            Some(ts) => {
                for t in ts {
                    let it: Box<dyn Iterator<Item = (EdgeId, NodeId)>> = if outgoing {
                        Box::new(g.outgoing_typed(cur, *t))
                    } else {
                        Box::new(g.incoming_typed(cur, *t))
                    };
                    out.extend(it.filter(|(_, o)| !(skip_loops && *o == cur)));
                }
            }
        };
        match dir {
            Dir::Out => push_dir(true, false),
            Dir::In => push_dir(false, false),
            Dir::Both => {
                push_dir(true, false);
                push_dir(false, true);
            }
        }
        if let Some(dead) = self.ctx.dead {
            if !dead.edges.is_empty() {
                out.retain(|(e, _)| !dead.edges.contains(e));
            }
        }
        out
    }

    /// The edges a relationship pattern allows between two given nodes. The near node's
    /// allowed edges are grouped by far node once and kept, so closing many patterns on the
    /// same node (triangles) costs one lookup each.
    fn edges_between(
        &mut self,
        cur: NodeId,
        t: NodeId,
        rel: &RelPat,
        dir: Dir,
    ) -> Vec<(EdgeId, NodeId)> {
        let key = (cur, dir, rel as *const RelPat as usize);
        if !self.adjacency.contains_key(&key) {
            if self.adjacency_size > ADJACENCY_CACHE_LIMIT {
                self.adjacency.clear();
                self.adjacency_size = 0;
            }
            let mut by_far: HashMap<NodeId, Vec<EdgeId>> = HashMap::new();
            for (e, o) in self.edges(cur, rel, dir) {
                by_far.entry(o).or_default().push(e);
                self.adjacency_size += 1;
            }
            self.adjacency.insert(key, by_far);
        }
        self.adjacency
            .get(&key)
            .and_then(|m| m.get(&t))
            .map(|es| es.iter().map(|e| (*e, t)).collect())
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn step_rel(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        walk: &Walk,
        k: usize,
        cur: NodeId,
        trace: &mut Trace,
        st: &mut State,
        out: &mut Vec<Vec<QValue>>,
    ) -> Result<(), QueryError> {
        let (rel, dir) = walk.rels[k];
        let slot = self.slot(&rel.var);
        match rel.range {
            None => {
                // When the far node is already bound, scan the smaller of the two adjacency
                // lists (this is what makes closing a triangle cheap).
                let target = self
                    .slot(&walk.nodes[k + 1].var)
                    .and_then(|i| match &st.vals[i] {
                        QValue::Node(t) if st.bound[i] => Some(*t),
                        _ => None,
                    });
                let candidates = match target {
                    Some(t) => self.edges_between(cur, t, rel, dir),
                    None => self.edges(cur, rel, dir),
                };
                for (e, next) in candidates {
                    self.guard.tick()?;
                    if st.used.contains(&e) || !self.props_ok(&rel.props, &QValue::Rel(e), st)? {
                        continue;
                    }
                    let Some(fresh) = self.bind(st, slot, QValue::Rel(e)) else {
                        continue;
                    };
                    st.used.push(e);
                    trace.segs.push(vec![e]);
                    self.step_node(parts, pi, walk, k + 1, next, trace, st, out)?;
                    trace.segs.pop();
                    st.used.pop();
                    Self::unbind(st, slot, fresh);
                }
            }
            Some((lo, hi)) => {
                let lo = lo.unwrap_or(1);
                let hi = hi.unwrap_or(u64::MAX);
                let segments = if breadth_first(self.distinct_ends, dir, lo) {
                    self.reachable(cur, rel, dir, lo, hi, st)?
                } else {
                    self.var_segments(cur, rel, dir, lo, hi, st)?
                };
                for (seg, end) in segments {
                    let mut in_order = seg.clone();
                    if walk.reversed {
                        in_order.reverse();
                    }
                    let list = QValue::List(in_order.into_iter().map(QValue::Rel).collect());
                    let Some(fresh) = self.bind(st, slot, list) else {
                        continue;
                    };
                    let before = st.used.len();
                    st.used.extend(seg.iter().copied());
                    trace.segs.push(seg);
                    self.step_node(parts, pi, walk, k + 1, end, trace, st, out)?;
                    trace.segs.pop();
                    st.used.truncate(before);
                    Self::unbind(st, slot, fresh);
                }
            }
        }
        Ok(())
    }

    /// Every trail of `lo..=hi` relationships from `start` (no relationship twice), with its end.
    fn var_segments(
        &mut self,
        start: NodeId,
        rel: &RelPat,
        dir: Dir,
        lo: u64,
        hi: u64,
        st: &State,
    ) -> Result<Vec<(Vec<EdgeId>, NodeId)>, QueryError> {
        let mut out = Vec::new();
        if lo == 0 {
            out.push((Vec::new(), start));
        }
        if hi == 0 {
            return Ok(out);
        }
        // Depth-first with an explicit stack of frames, one per relationship on the trail.
        struct Frame {
            choices: Vec<(EdgeId, NodeId)>,
            next: usize,
        }
        let mut frames = vec![Frame {
            choices: self.allowed(start, rel, dir, st)?,
            next: 0,
        }];
        let mut path: Vec<EdgeId> = Vec::new();
        while let Some(f) = frames.last_mut() {
            self.guard.tick()?;
            if f.next >= f.choices.len() {
                frames.pop();
                path.pop();
                continue;
            }
            let (e, node) = f.choices[f.next];
            f.next += 1;
            if path.contains(&e) {
                continue;
            }
            path.push(e);
            if path.len() as u64 >= lo {
                out.push((path.clone(), node));
                self.guard.rows(out.len())?;
            }
            if (path.len() as u64) < hi {
                let choices = self.allowed(node, rel, dir, st)?;
                frames.push(Frame { choices, next: 0 });
            } else {
                path.pop();
            }
        }
        Ok(out)
    }

    /// The distinct nodes at the end of some trail of `lo..=hi` directed relationships from
    /// `start` (`lo` at most 1), found breadth-first. A node's shortest path is a trail, and so
    /// is the shortest way back to `start`, so no end is missed. The trails themselves are not
    /// returned.
    fn reachable(
        &mut self,
        start: NodeId,
        rel: &RelPat,
        dir: Dir,
        lo: u64,
        hi: u64,
        st: &State,
    ) -> Result<Vec<(Vec<EdgeId>, NodeId)>, QueryError> {
        let mut dist: HashMap<NodeId, u64> = HashMap::new();
        let mut queue = VecDeque::new();
        let mut out = Vec::new();
        let mut back_to_start = false;
        dist.insert(start, 0);
        queue.push_back(start);
        if lo == 0 {
            out.push((Vec::new(), start));
        }
        while let Some(u) = queue.pop_front() {
            self.guard.tick()?;
            let du = dist[&u];
            if du >= hi {
                continue;
            }
            for (_, v) in self.allowed(u, rel, dir, st)? {
                if v == start {
                    back_to_start = true;
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = dist.entry(v) {
                    slot.insert(du + 1);
                    out.push((Vec::new(), v));
                    queue.push_back(v);
                }
            }
        }
        if back_to_start && lo == 1 {
            out.push((Vec::new(), start));
        }
        Ok(out)
    }

    /// Edges from `node` a variable-length step may take: unused and with matching properties.
    fn allowed(
        &self,
        node: NodeId,
        rel: &RelPat,
        dir: Dir,
        st: &State,
    ) -> Result<Vec<(EdgeId, NodeId)>, QueryError> {
        let mut cs = Vec::new();
        for (e, next) in self.edges(node, rel, dir) {
            if !st.used.contains(&e) && self.props_ok(&rel.props, &QValue::Rel(e), st)? {
                cs.push((e, next));
            }
        }
        Ok(cs)
    }

    /// shortestPath / allShortestPaths: breadth-first from each start candidate.
    fn shortest(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        st: &mut State,
        out: &mut Vec<Vec<QValue>>,
    ) -> Result<(), QueryError> {
        let part = &parts[pi];
        let all = part.shortest == Some(true);
        let Some((rel, end_pat)) = part.chain.first() else {
            return Err(rt(
                ErrorKind::SyntaxError,
                "InvalidShortestPath",
                "shortestPath needs one relationship pattern",
            ));
        };
        let (lo, hi) = rel.range.unwrap_or((Some(1), Some(1)));
        let lo = lo.unwrap_or(1);
        let hi = hi.unwrap_or(u64::MAX);
        let starts = self.candidates(&part.start, st)?;
        self.count_starts(pi, starts.len());
        for s in starts {
            if !self.node_ok(s, &part.start, st)? {
                continue;
            }
            let s_slot = self.slot(&part.start.var);
            let Some(s_fresh) = self.bind(st, s_slot, QValue::Node(s)) else {
                continue;
            };
            // Distances and every predecessor edge at distance - 1.
            let mut dist: HashMap<NodeId, u64> = HashMap::new();
            let mut preds: HashMap<NodeId, Vec<(EdgeId, NodeId)>> = HashMap::new();
            let mut order = Vec::new();
            let mut queue = VecDeque::new();
            dist.insert(s, 0);
            queue.push_back(s);
            // With the far end known in advance, the search stops at the level that reaches
            // the last of them.
            let mut pending: Option<std::collections::HashSet<NodeId>> =
                if self.cost(end_pat, st)? <= 64 {
                    Some(self.candidates(end_pat, st)?.into_iter().collect())
                } else {
                    None
                };
            let mut stop_level = u64::MAX;
            while let Some(u) = queue.pop_front() {
                self.guard.tick()?;
                order.push(u);
                let du = dist[&u];
                if du >= hi || du >= stop_level {
                    continue;
                }
                for (e, v) in self.edges(u, rel, rel.dir) {
                    if !self.props_ok(&rel.props, &QValue::Rel(e), st)? {
                        continue;
                    }
                    match dist.get(&v) {
                        None => {
                            dist.insert(v, du + 1);
                            preds.entry(v).or_default().push((e, u));
                            queue.push_back(v);
                            if let Some(p) = &mut pending {
                                if p.remove(&v) && p.is_empty() && du + 1 >= lo {
                                    stop_level = du + 1;
                                }
                            }
                        }
                        Some(&dv) if dv == du + 1 => preds.entry(v).or_default().push((e, u)),
                        _ => {}
                    }
                }
            }
            for t in order {
                let d = dist[&t];
                if d < lo || (d == 0 && lo > 0) {
                    continue;
                }
                if !self.node_ok(t, end_pat, st)? {
                    continue;
                }
                let e_slot = self.slot(&end_pat.var);
                let Some(e_fresh) = self.bind(st, e_slot, QValue::Node(t)) else {
                    continue;
                };
                let mut paths = Vec::new();
                enumerate_paths(t, s, &preds, &mut Vec::new(), &mut paths, all);
                for rels in paths {
                    let mut nodes = vec![s];
                    let mut cur = s;
                    for e in &rels {
                        if let Some((a, b)) = self.ctx.graph.endpoints(*e) {
                            cur = if a == cur { b } else { a };
                        }
                        nodes.push(cur);
                    }
                    let r_slot = self.slot(&rel.var);
                    let list = QValue::List(rels.iter().copied().map(QValue::Rel).collect());
                    let Some(r_fresh) = self.bind(st, r_slot, list) else {
                        continue;
                    };
                    let p_slot = self.slot(&part.var);
                    let path = QValue::Path(PathValue { nodes, rels });
                    if let Some(p_fresh) = self.bind(st, p_slot, path) {
                        self.parts(parts, pi + 1, st, out)?;
                        Self::unbind(st, p_slot, p_fresh);
                    }
                    Self::unbind(st, r_slot, r_fresh);
                }
                Self::unbind(st, e_slot, e_fresh);
            }
            Self::unbind(st, s_slot, s_fresh);
        }
        Ok(())
    }
}

/// Walks predecessor lists back from `t` to `s`, collecting shortest paths (one unless `all`).
fn enumerate_paths(
    t: NodeId,
    s: NodeId,
    preds: &HashMap<NodeId, Vec<(EdgeId, NodeId)>>,
    suffix: &mut Vec<EdgeId>,
    out: &mut Vec<Vec<EdgeId>>,
    all: bool,
) {
    if !all && !out.is_empty() {
        return;
    }
    if t == s {
        let mut p = suffix.clone();
        p.reverse();
        out.push(p);
        return;
    }
    if let Some(ps) = preds.get(&t) {
        for (e, u) in ps {
            suffix.push(*e);
            enumerate_paths(*u, s, preds, suffix, out, all);
            suffix.pop();
        }
    }
}

/// The full node sequence of a path whose pattern nodes are `nodes` and whose segments may
/// hold several relationships each.
fn expand_nodes(ctx: &Ctx, nodes: &[NodeId], segs: &[Vec<EdgeId>]) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(nodes.len());
    let Some(&first) = nodes.first() else {
        return out;
    };
    out.push(first);
    let mut cur = first;
    for (i, seg) in segs.iter().enumerate() {
        for e in seg {
            if let Some((a, b)) = ctx.graph.endpoints(*e) {
                cur = if a == cur { b } else { a };
                out.push(cur);
            }
        }
        if let Some(&n) = nodes.get(i + 1) {
            cur = n;
        }
    }
    out
}
