//! Adjacency laid out for reading: each node's edges in one contiguous run per direction
//! (compressed sparse rows), grouped by relationship type, so that expanding a node reads
//! consecutive memory and a typed expansion touches only the edges of its type.
//!
//! petgraph's linked lists stay the store's record of the graph and take every change; walking
//! them costs a cache miss per edge on a large graph, so reads go through these rows instead.
//! Changes made after the rows were built sit in a small overlay (edges added per node, edges
//! removed as a bitmap) that reads merge in, until [`Adjacency::needs_compaction`] says a rebuild
//! pays off.

use crate::model::Sym;
use crate::store::{EdgeId, NodeId};
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// One edge as seen from one of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    edge: u32,
    other: u32,
    ty: Sym,
}

/// An edge's ends and type, the input of a rebuild.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EdgeEnds {
    /// The edge's index.
    pub edge: u32,
    /// Its source node's index.
    pub src: u32,
    /// Its target node's index.
    pub dst: u32,
    /// Its type.
    pub ty: Sym,
}

/// One direction's rows: node `n`'s entries are `entries[offsets[n]..offsets[n + 1]]`, sorted
/// by type, then by edge index.
#[derive(Clone, Debug, Default)]
struct Rows {
    offsets: Vec<u32>,
    entries: Vec<Entry>,
}

impl Rows {
    /// Rows keyed by `key(edge)` (its source or its target), with `other(edge)` at the far end.
    fn build(
        node_bound: usize,
        edges: &[EdgeEnds],
        key: impl Fn(&EdgeEnds) -> u32,
        other: impl Fn(&EdgeEnds) -> u32,
    ) -> Rows {
        let mut offsets = vec![0u32; node_bound + 1];
        for e in edges {
            offsets[key(e) as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let placeholder = Entry {
            edge: 0,
            other: 0,
            ty: Sym(0),
        };
        let mut entries = vec![placeholder; edges.len()];
        for e in edges {
            let slot = &mut fill[key(e) as usize];
            entries[*slot as usize] = Entry {
                edge: e.edge,
                other: other(e),
                ty: e.ty,
            };
            *slot += 1;
        }
        for n in 0..node_bound {
            let run = &mut entries[offsets[n] as usize..offsets[n + 1] as usize];
            if run
                .windows(2)
                .any(|w| (w[0].ty, w[0].edge) > (w[1].ty, w[1].edge))
            {
                run.sort_unstable_by_key(|x| (x.ty, x.edge));
            }
        }
        Rows { offsets, entries }
    }

    /// Node `n`'s entries; empty for a node added after the rows were built.
    fn of(&self, n: u32) -> &[Entry] {
        let n = n as usize;
        match (self.offsets.get(n), self.offsets.get(n + 1)) {
            (Some(&a), Some(&b)) => &self.entries[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Node `n`'s entries of one type.
    fn typed(&self, n: u32, ty: Sym) -> &[Entry] {
        let run = self.of(n);
        let start = run.partition_point(|x| x.ty < ty);
        let end = start + run[start..].partition_point(|x| x.ty == ty);
        &run[start..end]
    }
}

/// Edges added since the rows were built, per node, in the order they were added.
type Added = FxHashMap<u32, SmallVec<[Entry; 2]>>;

/// Both directions' rows plus the overlay of later changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Adjacency {
    out: Rows,
    inc: Rows,
    added_out: Added,
    added_in: Added,
    /// Edges in the rows that have been removed since.
    removed: RoaringBitmap,
    /// Edges in the overlay.
    added_len: usize,
}

impl Adjacency {
    /// The adjacency of a graph whose live edges are `edges`, with node indices below
    /// `node_bound`.
    pub(crate) fn build(node_bound: usize, edges: &[EdgeEnds]) -> Adjacency {
        Adjacency {
            out: Rows::build(node_bound, edges, |e| e.src, |e| e.dst),
            inc: Rows::build(node_bound, edges, |e| e.dst, |e| e.src),
            ..Adjacency::default()
        }
    }

    /// Builds the two directions on two threads: what loading a large file waits for.
    pub(crate) fn build_parallel(node_bound: usize, edges: &[EdgeEnds]) -> Adjacency {
        let (out, inc) = std::thread::scope(|s| {
            let inc = s.spawn(|| Rows::build(node_bound, edges, |e| e.dst, |e| e.src));
            let out = Rows::build(node_bound, edges, |e| e.src, |e| e.dst);
            (out, inc.join())
        });
        let inc = inc.unwrap_or_else(|_| Rows::build(node_bound, edges, |e| e.dst, |e| e.src));
        Adjacency {
            out,
            inc,
            ..Adjacency::default()
        }
    }

    /// Records a new edge.
    pub(crate) fn add(&mut self, edge: u32, src: u32, dst: u32, ty: Sym) {
        self.added_out.entry(src).or_default().push(Entry {
            edge,
            other: dst,
            ty,
        });
        self.added_in.entry(dst).or_default().push(Entry {
            edge,
            other: src,
            ty,
        });
        self.added_len += 1;
    }

    /// Records that an edge from `src` to `dst` is gone.
    pub(crate) fn remove(&mut self, edge: u32, src: u32, dst: u32) {
        // An edge index freed and reused may be both in the rows (its old edge, already
        // removed) and in the overlay (the new one): the overlay holds the live one.
        let from_overlay =
            take(&mut self.added_out, src, edge) | take(&mut self.added_in, dst, edge);
        if from_overlay {
            self.added_len -= 1;
        } else {
            self.removed.insert(edge);
        }
    }

    /// True when the overlay has grown to a sixteenth of the rows: a rebuild then costs little
    /// per change, and reads stay near their best.
    pub(crate) fn needs_compaction(&self) -> bool {
        let changed = self.added_len + self.removed.len() as usize;
        changed > 0 && changed * 16 >= self.out.entries.len().max(4096)
    }

    /// True when nothing changed since the rows were built.
    pub(crate) fn is_compact(&self) -> bool {
        self.added_len == 0 && self.removed.is_empty()
    }

    fn rows(&self, outgoing: bool) -> (&Rows, &Added) {
        if outgoing {
            (&self.out, &self.added_out)
        } else {
            (&self.inc, &self.added_in)
        }
    }

    /// Reads the rows of `nodes` a cache line at a time and returns a value made from them
    /// (only so that the reads are kept).
    pub(crate) fn touch(&self, nodes: &[u32], outgoing: bool) -> u32 {
        let (rows, _) = self.rows(outgoing);
        let mut seen = 0;
        for &n in nodes {
            // Five 12-byte entries span less than a 64-byte line, so every line is read.
            for x in rows.of(n).iter().step_by(5) {
                seen ^= x.other;
            }
        }
        seen
    }

    /// Edges leaving (`outgoing`) or entering node `n`, of type `ty` when given.
    pub(crate) fn edges(&self, n: u32, outgoing: bool, ty: Option<Sym>) -> Adjacent<'_> {
        let (rows, added) = self.rows(outgoing);
        let run = match ty {
            Some(t) => rows.typed(n, t),
            None => rows.of(n),
        };
        let extra = if added.is_empty() {
            &[][..]
        } else {
            added.get(&n).map_or(&[][..], |v| v.as_slice())
        };
        Adjacent {
            run: run.iter(),
            removed: (!self.removed.is_empty()).then_some(&self.removed),
            extra: extra.iter(),
            ty,
        }
    }

    /// Number of edges leaving (`outgoing`) or entering `n`, of type `ty` when given.
    pub(crate) fn degree(&self, n: u32, outgoing: bool, ty: Option<Sym>) -> usize {
        let it = self.edges(n, outgoing, ty);
        if it.removed.is_none() && it.extra.len() == 0 {
            it.run.len()
        } else {
            it.count()
        }
    }
}

/// Removes `edge` from node `n`'s overlay list; true when it was there.
fn take(added: &mut Added, n: u32, edge: u32) -> bool {
    let Some(list) = added.get_mut(&n) else {
        return false;
    };
    let Some(i) = list.iter().position(|x| x.edge == edge) else {
        return false;
    };
    list.remove(i);
    if list.is_empty() {
        added.remove(&n);
    }
    true
}

/// An iterator over one node's edges in one direction: (edge, node at the far end).
pub struct Adjacent<'a> {
    run: std::slice::Iter<'a, Entry>,
    removed: Option<&'a RoaringBitmap>,
    extra: std::slice::Iter<'a, Entry>,
    ty: Option<Sym>,
}

impl Iterator for Adjacent<'_> {
    type Item = (EdgeId, NodeId);

    fn next(&mut self) -> Option<Self::Item> {
        for x in self.run.by_ref() {
            if self.removed.is_some_and(|r| r.contains(x.edge)) {
                continue;
            }
            return Some(pair(x));
        }
        for x in self.extra.by_ref() {
            if self.ty.is_none_or(|t| t == x.ty) {
                return Some(pair(x));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let exact = self.removed.is_none() && self.ty.is_none();
        let upper = self.run.len() + self.extra.len();
        (if exact { upper } else { 0 }, Some(upper))
    }
}

fn pair(x: &Entry) -> (EdgeId, NodeId) {
    (EdgeId::new(x.edge as usize), NodeId::new(x.other as usize))
}
