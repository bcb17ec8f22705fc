//! Pattern matching: finds every way a MATCH pattern binds against the graph for one input row.
//!
//! Each pattern part is walked from its cheaper end (a bound variable, then an indexed `name`
//! or `id` equality, then the rarest label, then every node) along the adjacency lists.
//! Relationships are never used twice within one match; variable-length segments expand
//! depth-first, and shortest paths breadth-first. Matches are handed to a sink one at a time
//! (the caller may fold them rather than store them); expansion reuses its edge buffers, and a
//! relationship closing onto a bound node is looked up in the near node's sorted edges.

use super::ast::*;
use super::error::{ErrorKind, QueryError};
use super::exec::Guard;
use super::expr::{equals, eval, rt, Ctx, Scope};
use super::result::{PathValue, QValue};
use crate::model::Sym;
use crate::store::{EdgeId, NodeId};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;
use std::rc::Rc;

/// Finds matches of a pattern for rows whose variables are `names`.
pub struct Matcher<'c, 'g> {
    ctx: &'c Ctx<'g>,
    names: &'c [String],
    guard: &'c mut Guard,
    /// Variable-length steps only need each end node once (the caller checked that duplicate
    /// rows cannot change the answer), so they run breadth-first with a visited set.
    pub distinct_ends: bool,
    /// Per label checked on nodes reached over edges: a bitmap of its nodes once enough checks
    /// were made, so that a check reads one bit instead of the node's record.
    label_bits: FxHashMap<Sym, LabelBits>,
    /// Resolved symbols per pattern part, keyed by the part's address.
    syms: Vec<(usize, Rc<PartSyms>)>,
    /// Spare edge buffers, one taken per expansion step in progress, so that expanding does
    /// not allocate.
    bufs: Vec<Vec<(EdgeId, NodeId)>>,
    /// The allowed edges of the node patterns were last closed on, as (far node, edge) sorted,
    /// keyed by (node, direction, relationship pattern address); see
    /// [`Self::edges_between_into`].
    #[allow(clippy::type_complexity)]
    closing: Option<((NodeId, Dir, usize), Vec<(NodeId, EdgeId)>)>,
    /// The far nodes of a long `closing` list.
    marks: Marks,
    /// Nodes each pattern part's walk started from, summed over every call (for PROFILE).
    pub starts: Vec<usize>,
}

/// Receives each complete match: the row's values, one per variable of the matcher.
pub type Sink<'s> = dyn FnMut(&[QValue]) -> Result<(), QueryError> + 's;

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

/// The key an [`AnchorKind::IndexSeek`] names when it seeks by a prefix of `name`.
pub const NAME_PREFIX: &str = "name STARTS WITH";

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

/// A pattern part laid out in the order it is walked: position `k` of the walk is position
/// `k` of the pattern, or `len - k` when the walk runs from the last node back.
struct Walk<'p> {
    part: &'p PatternPart,
    reversed: bool,
    /// Whether the nodes and relationships visited are needed (for a path variable).
    trace: bool,
    syms: Rc<PartSyms>,
}

/// A part's labels and relationship types as symbols, resolved once per part rather than per
/// node or edge visited. The graph does not change while a pattern is matched.
struct PartSyms {
    /// Per node in pattern order; `None` when some label is unknown, so nothing matches.
    labels: Vec<Option<Vec<Sym>>>,
    /// Per relationship in pattern order; `None` when any type is allowed.
    types: Vec<Option<Vec<Sym>>>,
    /// Row slots of the node variables, in pattern order.
    node_slots: Vec<Option<usize>>,
    /// Row slots of the relationship variables, in pattern order.
    rel_slots: Vec<Option<usize>>,
    /// Row slot of the path variable.
    path_slot: Option<usize>,
    /// Per node in pattern order: true when the pattern has no properties, so that a node
    /// reached over a live edge matches when it has the labels, unless this query deleted it.
    open: Vec<bool>,
}

impl<'p> Walk<'p> {
    /// Number of relationships.
    fn len(&self) -> usize {
        self.part.chain.len()
    }

    fn node_index(&self, k: usize) -> usize {
        if self.reversed {
            self.len() - k
        } else {
            k
        }
    }

    /// The `k`-th node pattern in walk order.
    fn node(&self, k: usize) -> &'p NodePat {
        match self.node_index(k) {
            0 => &self.part.start,
            i => &self.part.chain[i - 1].1,
        }
    }

    /// The labels the `k`-th node must carry.
    fn labels(&self, k: usize) -> Option<&[Sym]> {
        self.syms.labels[self.node_index(k)].as_deref()
    }

    /// The row slot of the `k`-th node's variable.
    fn node_slot(&self, k: usize) -> Option<usize> {
        self.syms.node_slots[self.node_index(k)]
    }

    /// The row slot of the `k`-th relationship's variable.
    fn rel_slot(&self, k: usize) -> Option<usize> {
        self.syms.rel_slots[self.rel_index(k)]
    }

    fn rel_index(&self, k: usize) -> usize {
        if self.reversed {
            self.len() - 1 - k
        } else {
            k
        }
    }

    /// The `k`-th relationship pattern in walk order, with the direction it is walked in.
    fn rel(&self, k: usize) -> (&'p RelPat, Dir) {
        let r = &self.part.chain[self.rel_index(k)].0;
        (r, if self.reversed { flip(r.dir) } else { r.dir })
    }

    /// The types the `k`-th relationship may have, `None` for any.
    fn types(&self, k: usize) -> Option<&[Sym]> {
        self.syms.types[self.rel_index(k)].as_deref()
    }
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
            syms: Vec::new(),
            label_bits: FxHashMap::default(),
            bufs: Vec::new(),
            closing: None,
            marks: Marks::default(),
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
        let mut found = Vec::new();
        let mut collect = |r: &[QValue]| {
            found.push(r.to_vec());
            Ok(())
        };
        self.for_each_match(parts, row, &mut collect)?;
        Ok(found)
    }

    /// Hands every extension of `row` that matches all parts of the pattern to `out`, one at a
    /// time, so that a consumer that folds them (an aggregation) never holds them all.
    pub fn for_each_match(
        &mut self,
        parts: &[PatternPart],
        row: &[QValue],
        out: &mut Sink<'_>,
    ) -> Result<(), QueryError> {
        let mut st = State {
            vals: row.to_vec(),
            bound: vec![true; row.len()],
            used: Vec::new(),
        };
        st.vals.resize(self.names.len(), QValue::Null);
        st.bound.resize(self.names.len(), false);
        self.parts(parts, 0, &mut st, out)
    }

    fn parts(
        &mut self,
        parts: &[PatternPart],
        pi: usize,
        st: &mut State,
        out: &mut Sink<'_>,
    ) -> Result<(), QueryError> {
        let Some(part) = parts.get(pi) else {
            return out(&st.vals);
        };
        if part.shortest.is_some() {
            return self.shortest(parts, pi, st, out);
        }
        let walk = self.layout(part, st)?;
        // A bound first node needs no candidate list.
        if let Some(i) = walk.node_slot(0).filter(|&i| st.bound[i]) {
            let QValue::Node(n) = st.vals[i] else {
                self.count_starts(pi, 0);
                return Ok(());
            };
            self.count_starts(pi, 1);
            let mut trace = Trace::default();
            return self.step_node(parts, pi, &walk, 0, n, &mut trace, st, out);
        }
        let candidates = self.candidates(walk.node(0), st)?;
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
    fn layout<'p>(&mut self, part: &'p PatternPart, st: &State) -> Result<Walk<'p>, QueryError> {
        let syms = self.part_syms(part);
        let bound = |i: Option<usize>| i.is_some_and(|i| st.bound[i]);
        // A bound node costs nothing to start from, so a bound end settles the choice.
        let reversed = match part.chain.last() {
            None => false,
            Some(_) if bound(syms.node_slots[0]) => false,
            Some(_) if bound(syms.node_slots[part.chain.len()]) => true,
            Some((_, last)) => self.cost(last, st)? < self.cost(&part.start, st)?,
        };
        Ok(Walk {
            part,
            reversed,
            trace: part.var.is_some(),
            syms,
        })
    }

    /// The part's labels and types as symbols (cached per part).
    fn part_syms(&mut self, part: &PatternPart) -> Rc<PartSyms> {
        let key = part as *const PatternPart as usize;
        if let Some((_, s)) = self.syms.iter().find(|(k, _)| *k == key) {
            return s.clone();
        }
        let g = self.ctx.graph;
        let labels = std::iter::once(&part.start)
            .chain(part.chain.iter().map(|(_, n)| n))
            .map(|n| n.labels.iter().map(|l| g.sym(l)).collect())
            .collect();
        let types = part.chain.iter().map(|(r, _)| self.rel_types(r)).collect();
        let nodes = || std::iter::once(&part.start).chain(part.chain.iter().map(|(_, n)| n));
        let s = Rc::new(PartSyms {
            labels,
            types,
            node_slots: nodes().map(|n| self.slot(&n.var)).collect(),
            rel_slots: part.chain.iter().map(|(r, _)| self.slot(&r.var)).collect(),
            path_slot: self.slot(&part.var),
            open: nodes().map(|n| n.props.is_none()).collect(),
        });
        self.syms.push((key, s.clone()));
        s
    }

    /// The types a relationship pattern allows, as symbols (unknown ones dropped, since no
    /// edge has them); `None` when any type is allowed.
    fn rel_types(&self, rel: &RelPat) -> Option<Vec<Sym>> {
        if rel.types.is_empty() {
            return None;
        }
        let mut ts: Vec<Sym> = rel
            .types
            .iter()
            .filter_map(|t| self.ctx.graph.sym(t))
            .collect();
        ts.sort_unstable();
        ts.dedup();
        Some(ts)
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
        if let Some(Expr::Map(entries)) = &n.props {
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
        }
        // A prefix that does not evaluate is left to the WHERE it came from, which reports it.
        if let Some(Ok(v)) = n
            .name_prefix
            .as_ref()
            .map(|e| eval(e, self.ctx, self.scope(st)))
        {
            // STARTS WITH anything but a string is null for every node: nothing matches.
            let found = match v {
                QValue::String(p) => self.ctx.graph.nodes_with_name_prefix(&p),
                _ => Vec::new(),
            };
            return Ok(Some((NAME_PREFIX.to_string(), found)));
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
        let reversed = match part.chain.last() {
            Some((_, last)) => self.cost(last, &st)? < self.cost(&part.start, &st)?,
            None => false,
        };
        let mut steps: Vec<(Dir, bool)> = part
            .chain
            .iter()
            .map(|(r, _)| {
                let d = if reversed { flip(r.dir) } else { r.dir };
                let lo = r.range.map(|(lo, _)| lo.unwrap_or(1));
                (
                    d,
                    lo.is_some_and(|lo| breadth_first(self.distinct_ends, d, lo)),
                )
            })
            .collect();
        let first = match (reversed, part.chain.last()) {
            (true, Some((_, last))) => last,
            _ => &part.start,
        };
        if reversed {
            steps.reverse();
        }
        Ok(PartPlan {
            anchor: self.planned_anchor(first, &st)?,
            steps,
            reversed,
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
        // The usual single-entry map is compared without building a map value.
        if let Expr::Map(entries) = p {
            if let [(k, e)] = entries.as_slice() {
                let want = eval(e, self.ctx, self.scope(st))?;
                let have = super::expr::property(self.ctx, target, k)?;
                return Ok(equals(&have, &want) == Some(true));
            }
        }
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
        let labels: Option<Vec<Sym>> = pat.labels.iter().map(|l| g.sym(l)).collect();
        self.node_ok_syms(n, pat, labels.as_deref(), st)
    }

    /// Like [`Self::node_ok`] with the pattern's labels already resolved (`None`: some label
    /// is unknown).
    fn node_ok_syms(
        &self,
        n: NodeId,
        pat: &NodePat,
        labels: Option<&[Sym]>,
        st: &State,
    ) -> Result<bool, QueryError> {
        let Some(node) = self.ctx.graph.node(n) else {
            return Ok(false);
        };
        if !self.ctx.node_alive(n) {
            return Ok(false);
        }
        let Some(labels) = labels else {
            return Ok(false);
        };
        if !labels.iter().all(|s| node.labels.contains(s)) {
            return Ok(false);
        }
        self.props_ok(&pat.props, &QValue::Node(n), st)
    }

    /// Whether live node `n` carries `label`.
    fn has_label(&mut self, n: NodeId, label: Sym) -> bool {
        let g = self.ctx.graph;
        let lb = self.label_bits.entry(label).or_default();
        if let Some(bits) = &lb.bits {
            return bits
                .get(n.index() / 64)
                .is_some_and(|w| w & (1 << (n.index() % 64)) != 0);
        }
        lb.checks += 1;
        // Building costs one step per node with the label: worth it once checks outnumber
        // them enough.
        if lb.checks >= LABEL_BITS_MIN_CHECKS && g.label_count(label) <= lb.checks * 16 {
            let mut bits = vec![0u64; g.node_bound().div_ceil(64)];
            for m in g.nodes_with_label(label) {
                if let Some(w) = bits.get_mut(m.index() / 64) {
                    *w |= 1 << (m.index() % 64);
                }
            }
            lb.bits = Some(bits);
        }
        g.has_label(n, label)
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
            put(&mut st.vals[i], v);
            st.bound[i] = true;
            Some(true)
        }
    }

    /// [`Self::bind`] for a node, without building and dropping a value when the slot is bound.
    fn bind_node(st: &mut State, slot: Option<usize>, n: NodeId) -> Option<bool> {
        let Some(i) = slot else {
            return Some(false);
        };
        if st.bound[i] {
            return match st.vals[i] {
                QValue::Node(m) if m == n => Some(false),
                _ => None,
            };
        }
        put(&mut st.vals[i], QValue::Node(n));
        st.bound[i] = true;
        Some(true)
    }

    fn unbind(st: &mut State, slot: Option<usize>, fresh: bool) {
        if let (Some(i), true) = (slot, fresh) {
            st.bound[i] = false;
            put(&mut st.vals[i], QValue::Null);
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
        out: &mut Sink<'_>,
    ) -> Result<(), QueryError> {
        let pat = walk.node(k);
        // `n` is in the store: it came from an index, an earlier binding or the far end of a
        // live edge (the store drops a node's edges with it, and this query's deletions wait
        // for its end). A pattern without properties only needs the deleted set and labels.
        let ok = if walk.syms.open[walk.node_index(k)] {
            self.ctx
                .dead
                .is_none_or(|d| d.nodes.is_empty() || !d.nodes.contains(&n))
                && match walk.labels(k) {
                    None => false,
                    Some(ls) => ls.iter().all(|l| self.has_label(n, *l)),
                }
        } else {
            self.node_ok_syms(n, pat, walk.labels(k), st)?
        };
        if !ok {
            return Ok(());
        }
        let slot = walk.node_slot(k);
        let Some(fresh) = Self::bind_node(st, slot, n) else {
            return Ok(());
        };
        if walk.trace {
            trace.nodes.push(n);
        }
        if k == walk.len() {
            self.finish_part(parts, pi, walk, trace, st, out)?;
        } else {
            self.step_rel(parts, pi, walk, k, n, trace, st, out)?;
        }
        if walk.trace {
            trace.nodes.pop();
        }
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
        out: &mut Sink<'_>,
    ) -> Result<(), QueryError> {
        let slot = walk.syms.path_slot;
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
        let mut out = Vec::new();
        self.edges_into(cur, self.rel_types(rel).as_deref(), dir, &mut out);
        out
    }

    /// Appends to `out` the live edges at `cur` in direction `dir` whose type is one of
    /// `types` (any when `None`), each with the node at the other end. An undirected step
    /// takes a self-loop once.
    fn edges_into(
        &self,
        cur: NodeId,
        types: Option<&[Sym]>,
        dir: Dir,
        out: &mut Vec<(EdgeId, NodeId)>,
    ) {
        let g = self.ctx.graph;
        let start = out.len();
        let push_dir = |outgoing: bool, skip_loops: bool, out: &mut Vec<(EdgeId, NodeId)>| {
            let keep = |(_, o): &(EdgeId, NodeId)| !(skip_loops && *o == cur);
            match (types, outgoing) {
                (None, true) => out.extend(g.outgoing(cur).filter(keep)),
                (None, false) => out.extend(g.incoming(cur).filter(keep)),
                (Some(ts), true) => {
                    for t in ts {
                        out.extend(g.outgoing_typed(cur, *t).filter(keep));
                    }
                }
                (Some(ts), false) => {
                    for t in ts {
                        out.extend(g.incoming_typed(cur, *t).filter(keep));
                    }
                }
            }
        };
        match dir {
            Dir::Out => push_dir(true, false, out),
            Dir::In => push_dir(false, false, out),
            Dir::Both => {
                push_dir(true, false, out);
                push_dir(false, true, out);
            }
        }
        if let Some(dead) = self.ctx.dead {
            if !dead.edges.is_empty() {
                let mut i = start;
                while i < out.len() {
                    if dead.edges.contains(&out[i].0) {
                        out.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
        }
    }

    /// Appends to `out` the allowed edges between `cur` and a given node `t`. The allowed
    /// edges of `cur`, sorted by far node, are kept for the next call: closing many patterns
    /// on one node (every triangle through it) then costs a binary search each, whatever the
    /// degree of either node.
    #[allow(clippy::too_many_arguments)]
    fn edges_between_into(
        &mut self,
        cur: NodeId,
        t: NodeId,
        rel: &RelPat,
        types: Option<&[Sym]>,
        dir: Dir,
        out: &mut Vec<(EdgeId, NodeId)>,
    ) {
        let key = (cur, dir, rel as *const RelPat as usize);
        if self.closing.as_ref().is_none_or(|(k, _)| *k != key) {
            let mut list = self.closing.take().map(|(_, l)| l).unwrap_or_default();
            let start = out.len();
            self.edges_into(cur, types, dir, out);
            list.clear();
            list.extend(out.drain(start..).map(|(e, o)| (o, e)));
            list.sort_unstable();
            self.marks.index(&list, self.ctx.graph.node_bound());
            self.closing = Some((key, list));
        }
        if let Some((_, list)) = &self.closing {
            if !self.marks.may_hold(t) {
                return;
            }
            let i = list.partition_point(|(o, _)| *o < t);
            out.extend(
                list[i..]
                    .iter()
                    .take_while(|(o, _)| *o == t)
                    .map(|(_, e)| (*e, t)),
            );
        }
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
        out: &mut Sink<'_>,
    ) -> Result<(), QueryError> {
        let (rel, dir) = walk.rel(k);
        let slot = walk.rel_slot(k);
        match rel.range {
            None => {
                let target = walk.node_slot(k + 1).and_then(|i| match &st.vals[i] {
                    QValue::Node(t) if st.bound[i] => Some(*t),
                    _ => None,
                });
                let mut buf = self.bufs.pop().unwrap_or_default();
                buf.clear();
                match target {
                    Some(t) => self.edges_between_into(cur, t, rel, walk.types(k), dir, &mut buf),
                    None => self.edges_into(cur, walk.types(k), dir, &mut buf),
                }
                for &(e, next) in &buf {
                    self.guard.tick()?;
                    if st.used.contains(&e) || !self.props_ok(&rel.props, &QValue::Rel(e), st)? {
                        continue;
                    }
                    let fresh = match slot {
                        None => false,
                        Some(_) => match self.bind(st, slot, QValue::Rel(e)) {
                            Some(fresh) => fresh,
                            None => continue,
                        },
                    };
                    st.used.push(e);
                    if walk.trace {
                        trace.segs.push(vec![e]);
                    }
                    self.step_node(parts, pi, walk, k + 1, next, trace, st, out)?;
                    if walk.trace {
                        trace.segs.pop();
                    }
                    st.used.pop();
                    Self::unbind(st, slot, fresh);
                }
                self.bufs.push(buf);
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
                    self.guard.tick()?;
                    let list = match slot {
                        Some(_) => {
                            let mut in_order = seg.clone();
                            if walk.reversed {
                                in_order.reverse();
                            }
                            QValue::List(in_order.into_iter().map(QValue::Rel).collect())
                        }
                        None => QValue::Null,
                    };
                    let Some(fresh) = self.bind(st, slot, list) else {
                        continue;
                    };
                    let before = st.used.len();
                    st.used.extend(seg.iter().copied());
                    if walk.trace {
                        trace.segs.push(seg);
                    }
                    self.step_node(parts, pi, walk, k + 1, end, trace, st, out)?;
                    if walk.trace {
                        trace.segs.pop();
                    }
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
        let mut dist: FxHashMap<NodeId, u64> = FxHashMap::default();
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
        out: &mut Sink<'_>,
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
            // Distances, and the predecessor edges at distance - 1: every one of them for
            // allShortestPaths, the first found for shortestPath, which needs one path only.
            let mut dist: FxHashMap<NodeId, u64> = FxHashMap::default();
            let mut preds: FxHashMap<NodeId, Vec<(EdgeId, NodeId)>> = FxHashMap::default();
            let mut order = vec![s];
            let mut queue = VecDeque::new();
            dist.insert(s, 0);
            queue.push_back(s);
            // With the far end known in advance, the search stops at the level that reaches
            // the last of them (for shortestPath, as soon as it is reached).
            let targets: Option<FxHashSet<NodeId>> = if self.cost(end_pat, st)? <= 64 {
                Some(self.candidates(end_pat, st)?.into_iter().collect())
            } else {
                None
            };
            let mut pending = targets.clone();
            let mut stop_level = u64::MAX;
            let types = self.rel_types(rel);
            let mut buf = Vec::new();
            'search: while let Some(u) = queue.pop_front() {
                self.guard.tick()?;
                let du = dist[&u];
                if du >= hi || du >= stop_level {
                    continue;
                }
                buf.clear();
                self.edges_into(u, types.as_deref(), rel.dir, &mut buf);
                for &(e, v) in &buf {
                    if !self.props_ok(&rel.props, &QValue::Rel(e), st)? {
                        continue;
                    }
                    match dist.get(&v) {
                        None => {
                            dist.insert(v, du + 1);
                            preds.entry(v).or_default().push((e, u));
                            queue.push_back(v);
                            order.push(v);
                            if let Some(p) = &mut pending {
                                if p.remove(&v) && p.is_empty() && du + 1 >= lo {
                                    if !all {
                                        break 'search;
                                    }
                                    stop_level = du + 1;
                                }
                            }
                        }
                        Some(&dv) if all && dv == du + 1 => {
                            preds.entry(v).or_default().push((e, u))
                        }
                        _ => {}
                    }
                }
            }
            if let Some(ts) = &targets {
                order.retain(|t| ts.contains(t));
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

/// Stores `v` in `slot`. Slots mostly hold null, nodes and relationships, which own nothing:
/// those are overwritten without a call to drop them.
fn put(slot: &mut QValue, v: QValue) {
    if matches!(slot, QValue::Null | QValue::Node(_) | QValue::Rel(_)) {
        std::mem::forget(std::mem::replace(slot, v));
    } else {
        *slot = v;
    }
}

/// A label's node bitmap, built once its checks justify it.
#[derive(Default)]
struct LabelBits {
    checks: usize,
    bits: Option<Vec<u64>>,
}

/// Checks of one label made by reading node records before a bitmap may be built.
const LABEL_BITS_MIN_CHECKS: usize = 1024;

/// The far nodes of the current list of closing edges as a bitmap, so that the common answer
/// "no edge to that node" costs one bit (a bitmap of every node stays in cache; the list of a
/// hub would not) and only real closings search the list.
#[derive(Default)]
struct Marks {
    bits: Vec<u64>,
    /// The words set for the current list, to clear when it changes.
    words: Vec<usize>,
    /// True when the current list is marked.
    active: bool,
}

/// Lists shorter than this are binary-searched directly: they span a few cache lines.
const MARK_MIN_LIST: usize = 16;
/// The most nodes a bitmap covers.
const MARK_MAX_NODES: usize = 1 << 28;

impl Marks {
    /// Marks the far nodes of `list` when it is long enough to be worth it.
    fn index(&mut self, list: &[(NodeId, EdgeId)], node_bound: usize) {
        for w in self.words.drain(..) {
            if let Some(x) = self.bits.get_mut(w) {
                *x = 0;
            }
        }
        self.active = list.len() >= MARK_MIN_LIST && node_bound <= MARK_MAX_NODES;
        if !self.active {
            return;
        }
        let words = node_bound.div_ceil(64);
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
        for (o, _) in list {
            let w = o.index() / 64;
            if let Some(x) = self.bits.get_mut(w) {
                if *x == 0 {
                    self.words.push(w);
                }
                *x |= 1 << (o.index() % 64);
            }
        }
    }

    /// False when the current list is marked and holds no edge to `t`.
    fn may_hold(&self, t: NodeId) -> bool {
        !self.active
            || self
                .bits
                .get(t.index() / 64)
                .is_some_and(|x| x & (1 << (t.index() % 64)) != 0)
    }
}

/// Walks predecessor lists back from `t` to `s`, collecting shortest paths (one unless `all`).
fn enumerate_paths(
    t: NodeId,
    s: NodeId,
    preds: &FxHashMap<NodeId, Vec<(EdgeId, NodeId)>>,
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
