//! The property-graph store: petgraph's `StableDiGraph` with an interner and indexes that every
//! change keeps right.
//!
//! The store is open, as openCypher requires: any labels, any relationship types, any property
//! keys, and any number of nodes with the same name. Merging entities is ingestion's business
//! (see [`crate::ingest`]), not the store's.

mod adjacency;
mod bulk;
mod index;
mod interner;
pub mod persist;

pub use adjacency::Adjacent;
pub(crate) use bulk::EdgeSink;
pub use index::{fold, IndexKey, NodeId, NodeList};
pub use interner::Interner;

use crate::model::{prop_get, prop_set, DocName, Edge, Evidence, Node, Props, Sym, Value};
use adjacency::{Adjacency, EdgeEnds};
use index::{IndexedKeys, NodeIndexes};
use petgraph::stable_graph::{EdgeIndex, StableDiGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// An edge handle, stable across deletions of other edges.
pub type EdgeId = EdgeIndex<u32>;

/// The property key holding a node's canonical name.
pub const NAME: &str = "name";
/// The property key holding a node's integer id (from CSV import).
pub const ID: &str = "id";
/// The property key holding a node's aliases, a list of strings.
pub const ALIASES: &str = "aliases";
/// The property key holding an edge's confidence, a float.
pub const CONFIDENCE: &str = "confidence";
/// The property key holding a node's external identifier, such as `MESH:D009270`.
pub const XREF: &str = "xref";

/// Why a store operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A node handle that names no live node.
    #[error("node {0} does not exist")]
    NoSuchNode(u32),
    /// An edge handle that names no live edge.
    #[error("relationship {0} does not exist")]
    NoSuchEdge(u32),
    /// Deleting a node that still has relationships, without DETACH.
    #[error("node {0} still has relationships; delete them first or use DETACH DELETE")]
    NodeHasEdges(u32),
    /// Records that do not form a valid graph (a symbol or endpoint out of range).
    #[error("invalid graph records: {0}")]
    InvalidRecords(String),
}

/// Counts of what a graph holds, by label, type and property key, sorted by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Number of nodes per label.
    pub labels: BTreeMap<String, usize>,
    /// Number of edges per relationship type.
    pub types: BTreeMap<String, usize>,
    /// Number of nodes holding each property key.
    pub node_keys: BTreeMap<String, usize>,
    /// Number of edges holding each property key.
    pub edge_keys: BTreeMap<String, usize>,
}

/// The graph store: nodes and edges with labels, types, properties and evidence.
#[derive(Clone, Debug)]
pub struct Graph {
    // Adjacency only: node and edge data live in `nodes` and `edges`, indexed by petgraph's
    // indices, so that its slots stay small: inserting millions of edges (each touching two
    // random node slots) stays in cache, and a bulk load can fill the edge table on another
    // thread than the one linking petgraph's lists.
    g: StableDiGraph<(), (), u32>,
    // The same edges laid out for reading; every edge change goes to both.
    adj: Adjacency,
    nodes: Vec<Option<Node>>,
    edges: Vec<Option<Edge>>,
    interner: Interner,
    keys: IndexedKeys,
    idx: NodeIndexes,
    // Bitmaps over edge indices (labels have theirs in `idx`): no hashing per element, sorted
    // iteration, and a bulk load of millions of edges appends rather than inserts.
    by_type: FxHashMap<Sym, RoaringBitmap>,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::with_interner(Interner::default())
    }

    fn with_interner(mut interner: Interner) -> Self {
        let key_name = interner.intern(NAME);
        let key_id = interner.intern(ID);
        let key_aliases = interner.intern(ALIASES);
        Graph {
            g: StableDiGraph::default(),
            adj: Adjacency::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
            interner,
            keys: IndexedKeys {
                name: key_name,
                id: key_id,
                aliases: key_aliases,
            },
            idx: NodeIndexes::default(),
            by_type: FxHashMap::default(),
        }
    }

    // ----- symbols -----

    /// The symbol for a label, type or key, creating it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        self.interner.intern(s)
    }

    /// The symbol for a label, type or key, if the graph has ever seen it.
    pub fn sym(&self, s: &str) -> Option<Sym> {
        self.interner.get(s)
    }

    /// The text of a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.interner.resolve(sym)
    }

    /// The interner, for persistence and completion.
    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    // ----- counts and iteration -----

    /// Number of live nodes.
    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }

    /// Number of live edges.
    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }

    /// Every live node, in index order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.g.node_indices()
    }

    /// Every live edge, in index order.
    pub fn edge_ids(&self) -> impl Iterator<Item = EdgeId> + '_ {
        self.g.edge_indices()
    }

    /// One past the largest node index ever used: sizes dense per-node tables.
    pub fn node_bound(&self) -> usize {
        self.g.node_bound()
    }

    /// One past the largest edge index ever used: sizes dense per-edge tables.
    pub fn edge_bound(&self) -> usize {
        self.g.edge_bound()
    }

    // ----- reading -----

    /// A node, if it is live.
    pub fn node(&self, n: NodeId) -> Option<&Node> {
        self.nodes.get(n.index())?.as_ref()
    }

    /// An edge, if it is live.
    pub fn edge(&self, e: EdgeId) -> Option<&Edge> {
        self.edges.get(e.index())?.as_ref()
    }

    /// The live edge `e`, for changing it.
    fn edge_mut(&mut self, e: EdgeId) -> Result<&mut Edge, StoreError> {
        self.edges
            .get_mut(e.index())
            .and_then(Option::as_mut)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))
    }

    /// An edge's (source, target), if it is live.
    pub fn endpoints(&self, e: EdgeId) -> Option<(NodeId, NodeId)> {
        self.g.edge_endpoints(e)
    }

    /// A node property by key text.
    pub fn node_prop(&self, n: NodeId, key: &str) -> Option<&Value> {
        let key = self.interner.get(key)?;
        prop_get(&self.node(n)?.props, key)
    }

    /// An edge property by key text.
    pub fn edge_prop(&self, e: EdgeId, key: &str) -> Option<&Value> {
        self.edge_prop_sym(e, self.interner.get(key)?)
    }

    /// An edge property by the key's symbol.
    pub fn edge_prop_sym(&self, e: EdgeId, key: Sym) -> Option<&Value> {
        prop_get(&self.edge(e)?.props, key)
    }

    /// A node's canonical name, when it has a string `name`.
    pub fn node_name(&self, n: NodeId) -> Option<&str> {
        prop_get(&self.node(n)?.props, self.keys.name)?.as_str()
    }

    /// A node's label texts, sorted by symbol.
    pub fn node_labels(&self, n: NodeId) -> impl Iterator<Item = &str> + '_ {
        self.node(n)
            .into_iter()
            .flat_map(|node| node.labels.iter())
            .map(|l| self.interner.resolve(*l))
    }

    /// True when the node carries the label. Answered from the label's bitmap, a few
    /// kilobytes per label, rather than from the node itself: a pattern that filters the far
    /// ends of many edges by label then reads no node data.
    pub fn has_label(&self, n: NodeId, label: Sym) -> bool {
        self.idx
            .by_label
            .get(&label)
            .is_some_and(|set| set.contains(n.index() as u32))
    }

    /// An edge's type text.
    pub fn edge_type(&self, e: EdgeId) -> Option<&str> {
        self.edge(e).map(|edge| self.interner.resolve(edge.ty))
    }

    /// A node's properties as a map from key text to value.
    pub fn node_props_map(&self, n: NodeId) -> BTreeMap<String, Value> {
        self.props_map(self.node(n).map(|node| &node.props))
    }

    /// An edge's properties as a map from key text to value.
    pub fn edge_props_map(&self, e: EdgeId) -> BTreeMap<String, Value> {
        self.props_map(self.edge(e).map(|edge| &edge.props))
    }

    fn props_map(&self, props: Option<&Props>) -> BTreeMap<String, Value> {
        props
            .into_iter()
            .flatten()
            .map(|(k, v)| (self.interner.resolve(*k).to_string(), v.clone()))
            .collect()
    }

    // ----- adjacency -----

    /// Edges leaving `n`, with their targets, grouped by type.
    pub fn outgoing(&self, n: NodeId) -> Adjacent<'_> {
        self.adj.edges(n.index() as u32, true, None)
    }

    /// Edges entering `n`, with their sources, grouped by type.
    pub fn incoming(&self, n: NodeId) -> Adjacent<'_> {
        self.adj.edges(n.index() as u32, false, None)
    }

    /// Edges leaving `n` of one type, with their targets; edges of other types are not touched.
    pub fn outgoing_typed(&self, n: NodeId, ty: Sym) -> Adjacent<'_> {
        self.adj.edges(n.index() as u32, true, Some(ty))
    }

    /// Edges entering `n` of one type, with their sources.
    pub fn incoming_typed(&self, n: NodeId, ty: Sym) -> Adjacent<'_> {
        self.adj.edges(n.index() as u32, false, Some(ty))
    }

    /// Reads the adjacency rows of `nodes` (outgoing or incoming) in one tight loop, so that
    /// expanding them next finds them in the cache: a walk over many scattered nodes then has
    /// many memory reads in flight at once instead of one at a time.
    pub fn prefetch_edges(&self, nodes: &[u32], outgoing: bool) {
        std::hint::black_box(self.adj.touch(nodes, outgoing));
    }

    /// Number of edges leaving `n`.
    pub fn out_degree(&self, n: NodeId) -> usize {
        self.adj.degree(n.index() as u32, true, None)
    }

    /// Number of edges entering `n`.
    pub fn in_degree(&self, n: NodeId) -> usize {
        self.adj.degree(n.index() as u32, false, None)
    }

    /// Number of edges of type `ty` leaving `n`.
    pub fn out_degree_typed(&self, n: NodeId, ty: Sym) -> usize {
        self.adj.degree(n.index() as u32, true, Some(ty))
    }

    /// Number of edges of type `ty` entering `n`.
    pub fn in_degree_typed(&self, n: NodeId, ty: Sym) -> usize {
        self.adj.degree(n.index() as u32, false, Some(ty))
    }

    /// True when `n` has any edge, in or out.
    pub fn has_edges(&self, n: NodeId) -> bool {
        self.out_degree(n) > 0 || self.in_degree(n) > 0
    }

    /// Lays the adjacency out afresh when edges changed since it was last laid out. Bulk
    /// builders call this once at the end; reads are right without it, only slower.
    pub fn compact(&mut self) {
        if !self.adj.is_compact() {
            self.adj = Adjacency::build(self.g.node_bound(), &self.edge_ends());
        }
    }

    /// Like [`Graph::compact`], but only when enough edges changed for the rebuild to pay
    /// off: what to call after each editing statement.
    pub fn settle(&mut self) {
        if self.adj.needs_compaction() {
            self.compact();
        }
    }

    /// Every live edge's ends and type, in index order.
    fn edge_ends(&self) -> Vec<EdgeEnds> {
        self.g
            .edge_references()
            .filter_map(|e| {
                Some(EdgeEnds {
                    edge: e.id().index() as u32,
                    src: e.source().index() as u32,
                    dst: e.target().index() as u32,
                    ty: self.edge(e.id())?.ty,
                })
            })
            .collect()
    }

    // ----- indexes -----

    /// Nodes carrying a label.
    pub fn nodes_with_label(&self, label: Sym) -> impl Iterator<Item = NodeId> + '_ {
        self.idx
            .by_label
            .get(&label)
            .into_iter()
            .flatten()
            .map(|i| NodeId::new(i as usize))
    }

    /// Number of nodes carrying a label.
    pub fn label_count(&self, label: Sym) -> usize {
        self.idx
            .by_label
            .get(&label)
            .map_or(0, |s| s.len() as usize)
    }

    /// Edges of a type.
    pub fn edges_with_type(&self, ty: Sym) -> impl Iterator<Item = EdgeId> + '_ {
        self.by_type
            .get(&ty)
            .into_iter()
            .flatten()
            .map(|i| EdgeId::new(i as usize))
    }

    /// Number of edges of a type.
    pub fn type_count(&self, ty: Sym) -> usize {
        self.by_type.get(&ty).map_or(0, |s| s.len() as usize)
    }

    /// Nodes whose `name` equals `value` (exactly, as openCypher compares).
    pub fn nodes_named(&self, name: &str) -> NodeList {
        self.nodes_with_prop(NAME, &Value::String(name.to_string()))
            .unwrap_or_default()
    }

    /// Nodes whose property `key` equals `value`, when `key` is indexed (`name`, `id`) and the
    /// value indexable; `None` means the caller must scan.
    pub fn nodes_with_prop(&self, key: &str, value: &Value) -> Option<NodeList> {
        let (index, key) = match key {
            NAME => (&self.idx.names, self.keys.name),
            ID => (&self.idx.ids, self.keys.id),
            _ => return None,
        };
        let candidates = index.candidates(value)?;
        Some(
            candidates
                .iter()
                .copied()
                .filter(|n| {
                    self.node(*n)
                        .and_then(|node| prop_get(&node.props, key))
                        .is_some_and(|v| index::same_key(v, value))
                })
                .collect(),
        )
    }

    /// Nodes whose `name` is a string starting with `prefix`, in index order: what
    /// `WHERE n.name STARTS WITH 'flu'` can start from instead of a scan.
    pub fn nodes_with_name_prefix(&self, prefix: &str) -> Vec<NodeId> {
        let mut found: Vec<NodeId> = self
            .idx
            .name_prefixes
            .candidates(prefix)
            .into_iter()
            .filter(|n| self.node_name(*n).is_some_and(|s| s.starts_with(prefix)))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Nodes whose property `key` (`name` or `id`) no other node's equals, as far as the
    /// index tells without comparing values: each is alone under its value's hash, so no other
    /// node holds an equal value. A node with an unindexable value is not listed; neither is
    /// one that shares a hash with another, even when their values differ. `None` for other
    /// keys. What grouping nodes by that property can skip hashing for.
    pub fn nodes_alone_in_index(&self, key: &str) -> Option<Vec<NodeId>> {
        let index = match key {
            NAME => &self.idx.names,
            ID => &self.idx.ids,
            _ => return None,
        };
        Some(index.postings.alone())
    }

    /// Nodes whose name or one of whose aliases equals `text`, case-insensitively.
    pub fn resolve_alias(&self, text: &str) -> NodeList {
        self.idx
            .aliases
            .candidates(text)
            .iter()
            .copied()
            .filter(|n| {
                self.node(*n).is_some_and(|node| {
                    index::alias_texts(node, self.keys).any(|t| index::same_folded(t, text))
                })
            })
            .collect()
    }

    fn index_node(&mut self, n: NodeId) {
        if let Some(node) = self.nodes.get(n.index()).and_then(Option::as_ref) {
            self.idx.add(self.keys, n, node);
        }
    }

    fn unindex_node(&mut self, n: NodeId) {
        if let Some(node) = self.nodes.get(n.index()).and_then(Option::as_ref) {
            self.idx.remove(self.keys, n, node);
        }
    }

    fn node_mut(&mut self, n: NodeId) -> Result<&mut Node, StoreError> {
        node_slot(&mut self.nodes, n)
    }

    // ----- writing -----

    /// Adds a node with the given labels and properties; labels are sorted and deduplicated,
    /// null properties dropped.
    pub fn add_node(&mut self, labels: &[&str], props: &[(&str, Value)]) -> NodeId {
        let mut node = Node::default();
        for l in labels {
            let sym = self.intern(l);
            node.labels.push(sym);
        }
        for (k, v) in props {
            let key = self.intern(k);
            prop_set(&mut node.props, key, v.clone());
        }
        self.insert_node(node)
    }

    /// Adds a prepared node whose symbols come from this graph's interner.
    pub fn insert_node(&mut self, mut node: Node) -> NodeId {
        bulk::normalise_node(&mut node);
        let n = self.g.add_node(());
        if self.nodes.len() <= n.index() {
            self.nodes.resize_with(n.index() + 1, || None);
        }
        self.nodes[n.index()] = Some(node);
        self.index_node(n);
        n
    }

    /// Adds an edge of type `ty` from `src` to `dst`.
    pub fn add_edge(
        &mut self,
        src: NodeId,
        dst: NodeId,
        ty: &str,
        props: &[(&str, Value)],
    ) -> Result<EdgeId, StoreError> {
        let ty = self.intern(ty);
        let mut p = Props::new();
        for (k, v) in props {
            let key = self.intern(k);
            prop_set(&mut p, key, v.clone());
        }
        self.insert_edge(
            src,
            dst,
            Edge {
                ty,
                props: p,
                evidence: Vec::new(),
            },
        )
    }

    /// Adds a prepared edge whose symbols come from this graph's interner.
    pub fn insert_edge(
        &mut self,
        src: NodeId,
        dst: NodeId,
        mut edge: Edge,
    ) -> Result<EdgeId, StoreError> {
        for n in [src, dst] {
            if !self.g.contains_node(n) {
                return Err(StoreError::NoSuchNode(n.index() as u32));
            }
        }
        bulk::normalise_props(&mut edge.props);
        let ty = edge.ty;
        let e = self.g.add_edge(src, dst, ());
        if self.edges.len() <= e.index() {
            self.edges.resize_with(e.index() + 1, || None);
        }
        self.edges[e.index()] = Some(edge);
        let slot = e.index() as u32;
        self.adj
            .add(slot, src.index() as u32, dst.index() as u32, ty);
        // The common case, a type already seen, needs no entry (and no growth check).
        match self.by_type.get_mut(&ty) {
            Some(set) => {
                set.insert(slot);
            }
            None => {
                self.by_type.insert(ty, RoaringBitmap::from_iter([slot]));
            }
        }
        Ok(e)
    }

    /// Removes an edge, returning it.
    pub fn remove_edge(&mut self, e: EdgeId) -> Result<Edge, StoreError> {
        let (src, dst) = self
            .g
            .edge_endpoints(e)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
        self.adj
            .remove(e.index() as u32, src.index() as u32, dst.index() as u32);
        self.g.remove_edge(e);
        let edge = self
            .edges
            .get_mut(e.index())
            .and_then(Option::take)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
        if let Some(set) = self.by_type.get_mut(&edge.ty) {
            set.remove(e.index() as u32);
            if set.is_empty() {
                self.by_type.remove(&edge.ty);
            }
        }
        Ok(edge)
    }

    /// Removes a node that has no edges; refuses one that still has some.
    pub fn remove_node(&mut self, n: NodeId) -> Result<Node, StoreError> {
        if !self.g.contains_node(n) {
            return Err(StoreError::NoSuchNode(n.index() as u32));
        }
        if self.has_edges(n) {
            return Err(StoreError::NodeHasEdges(n.index() as u32));
        }
        self.unindex_node(n);
        self.g.remove_node(n);
        self.nodes[n.index()]
            .take()
            .ok_or(StoreError::NoSuchNode(n.index() as u32))
    }

    /// Removes a node and every edge touching it, returning the node and the removed edges.
    pub fn detach_remove_node(
        &mut self,
        n: NodeId,
    ) -> Result<(Node, Vec<(EdgeId, Edge)>), StoreError> {
        if !self.g.contains_node(n) {
            return Err(StoreError::NoSuchNode(n.index() as u32));
        }
        let mut incident: Vec<EdgeId> = self
            .outgoing(n)
            .map(|(e, _)| e)
            .chain(self.incoming(n).map(|(e, _)| e))
            .collect();
        incident.sort_unstable();
        incident.dedup();
        let mut removed = Vec::with_capacity(incident.len());
        for e in incident {
            removed.push((e, self.remove_edge(e)?));
        }
        Ok((self.remove_node(n)?, removed))
    }

    /// Sets (or, with null, removes) a node property, keeping indexes right. Returns the
    /// previous value.
    pub fn set_node_prop(
        &mut self,
        n: NodeId,
        key: &str,
        value: Value,
    ) -> Result<Option<Value>, StoreError> {
        let key = self.intern(key);
        self.set_node_prop_sym(n, key, value)
    }

    /// [`Graph::set_node_prop`] with an interned key.
    pub fn set_node_prop_sym(
        &mut self,
        n: NodeId,
        key: Sym,
        value: Value,
    ) -> Result<Option<Value>, StoreError> {
        if !self.g.contains_node(n) {
            return Err(StoreError::NoSuchNode(n.index() as u32));
        }
        let indexed = self.keys.covers(key);
        if indexed {
            self.unindex_node(n);
        }
        let node = self.node_mut(n)?;
        let old = prop_set(&mut node.props, key, value);
        if indexed {
            self.index_node(n);
        }
        Ok(old)
    }

    /// Sets (or, with null, removes) an edge property. Returns the previous value.
    pub fn set_edge_prop(
        &mut self,
        e: EdgeId,
        key: &str,
        value: Value,
    ) -> Result<Option<Value>, StoreError> {
        let key = self.intern(key);
        self.set_edge_prop_sym(e, key, value)
    }

    /// [`Graph::set_edge_prop`] with the key's symbol, for a writer that sets one key on many
    /// edges and looks its text up once.
    pub fn set_edge_prop_sym(
        &mut self,
        e: EdgeId,
        key: Sym,
        value: Value,
    ) -> Result<Option<Value>, StoreError> {
        let edge = self.edge_mut(e)?;
        Ok(prop_set(&mut edge.props, key, value))
    }

    /// Adds a label to a node; returns whether it was new.
    pub fn add_label(&mut self, n: NodeId, label: &str) -> Result<bool, StoreError> {
        let sym = self.intern(label);
        let node = node_slot(&mut self.nodes, n)?;
        match node.labels.binary_search(&sym) {
            Ok(_) => Ok(false),
            Err(i) => {
                node.labels.insert(i, sym);
                self.idx
                    .by_label
                    .entry(sym)
                    .or_default()
                    .insert(n.index() as u32);
                Ok(true)
            }
        }
    }

    /// Removes a label from a node; returns whether it was there.
    pub fn remove_label(&mut self, n: NodeId, label: &str) -> Result<bool, StoreError> {
        let node = node_slot(&mut self.nodes, n)?;
        let Some(sym) = self.interner.get(label) else {
            return Ok(false);
        };
        match node.labels.binary_search(&sym) {
            Err(_) => Ok(false),
            Ok(i) => {
                node.labels.remove(i);
                if let Some(set) = self.idx.by_label.get_mut(&sym) {
                    set.remove(n.index() as u32);
                    if set.is_empty() {
                        self.idx.by_label.remove(&sym);
                    }
                }
                Ok(true)
            }
        }
    }

    /// Adds evidence to an edge unless the same evidence is already there; returns whether it
    /// was new.
    pub fn add_evidence(&mut self, e: EdgeId, evidence: Evidence) -> Result<bool, StoreError> {
        let edge = self.edge_mut(e)?;
        if edge.evidence.contains(&evidence) {
            return Ok(false);
        }
        edge.evidence.push(evidence);
        Ok(true)
    }

    /// Appends evidence that the caller knows the edge does not hold yet, without the linear
    /// duplicate check of [`Graph::add_evidence`]: ingestion keeps its own fingerprints of the
    /// evidence of each edge, which a long list would otherwise make quadratic.
    pub fn push_new_evidence(&mut self, e: EdgeId, evidence: Evidence) -> Result<(), StoreError> {
        let edge = self.edge_mut(e)?;
        edge.evidence.push(evidence);
        Ok(())
    }

    /// Replaces an edge's evidence list.
    pub fn set_evidence(&mut self, e: EdgeId, evidence: Vec<Evidence>) -> Result<(), StoreError> {
        let edge = self.edge_mut(e)?;
        edge.evidence = evidence;
        Ok(())
    }

    /// Adds `count` mentions of a node in document `doc`.
    pub fn add_mentions(&mut self, n: NodeId, doc: &str, count: u32) -> Result<(), StoreError> {
        self.put_mentions(n, doc, || doc.into(), count)
    }

    /// Adds `count` mentions of node `n` in the document named `doc`; `name` makes the
    /// name to keep when the node has no mention of it yet.
    fn put_mentions(
        &mut self,
        n: NodeId,
        doc: &str,
        name: impl FnOnce() -> DocName,
        count: u32,
    ) -> Result<(), StoreError> {
        let node = self.node_mut(n)?;
        // A build writes each node's mentions in document order: a document after the last
        // one goes at the end, without a search through the list.
        if node.mentions.last().is_none_or(|(d, _)| &**d < doc) {
            node.mentions.push((name(), count));
            return Ok(());
        }
        match node.mentions.binary_search_by(|(d, _)| (**d).cmp(doc)) {
            Ok(i) => node.mentions[i].1 = node.mentions[i].1.saturating_add(count),
            Err(i) => node.mentions.insert(i, (name(), count)),
        }
        Ok(())
    }

    /// Records the mentions of node `n` in several documents, given in the order of their
    /// names, each name once. A build gives a node's mentions so; when they all come after the
    /// node's last document they are appended without a comparison each.
    pub fn add_mentions_in_order<D: AsRef<str> + Into<DocName> + Clone>(
        &mut self,
        n: NodeId,
        mentions: &[(D, u32)],
    ) -> Result<(), StoreError> {
        let node = self.node_mut(n)?;
        let Some((first, _)) = mentions.first() else {
            return Ok(());
        };
        if node
            .mentions
            .last()
            .is_none_or(|(d, _)| &**d < first.as_ref())
        {
            node.mentions
                .extend(mentions.iter().map(|(d, c)| (d.clone().into(), *c)));
            return Ok(());
        }
        for (d, c) in mentions {
            self.put_mentions(n, d.as_ref(), || d.clone().into(), *c)?;
        }
        Ok(())
    }

    /// Forgets the mentions of a node in document `doc`.
    pub fn clear_mentions(&mut self, n: NodeId, doc: &str) -> Result<(), StoreError> {
        let node = self.node_mut(n)?;
        node.mentions.retain(|(d, _)| &**d != doc);
        Ok(())
    }

    // ----- summaries -----

    /// Counts by label, type and property key.
    pub fn schema(&self) -> Schema {
        let mut s = Schema::default();
        for (label, set) in &self.idx.by_label {
            s.labels
                .insert(self.resolve(*label).to_string(), set.len() as usize);
        }
        for (ty, set) in &self.by_type {
            s.types
                .insert(self.resolve(*ty).to_string(), set.len() as usize);
        }
        for n in self.node_ids() {
            for (k, _) in self.node(n).map_or(&[][..], |node| &node.props[..]) {
                *s.node_keys.entry(self.resolve(*k).to_string()).or_default() += 1;
            }
        }
        for e in self.edge_ids() {
            for (k, _) in self.edge(e).map_or(&[][..], |edge| &edge.props[..]) {
                *s.edge_keys.entry(self.resolve(*k).to_string()).or_default() += 1;
            }
        }
        s
    }

    /// Rebuilds every index from scratch and reports the first difference from the live ones:
    /// the check that tests run after random sequences of changes.
    pub fn verify_indexes(&self) -> Result<(), String> {
        let mut by_type: FxHashMap<Sym, RoaringBitmap> = FxHashMap::default();
        for e in self.g.edge_indices() {
            let Some(edge) = self.edge(e) else {
                return Err(format!("edge {} has no data", e.index()));
            };
            by_type.entry(edge.ty).or_default().insert(e.index() as u32);
        }
        if by_type != self.by_type {
            return Err("type index differs from a rebuild".into());
        }
        if self.edges.iter().flatten().count() != self.g.edge_count() {
            return Err("the edge table holds data for a removed edge".into());
        }
        // The live indexes were kept by every change; compare them with ones built in bulk,
        // the way loading builds them.
        let bulk = NodeIndexes::build(self.keys, &self.nodes);
        if bulk.by_label != self.idx.by_label {
            return Err("label index differs from a bulk build".into());
        }
        let pairs = [
            ("name", &bulk.names.postings, &self.idx.names.postings),
            (
                "name prefix",
                &bulk.name_prefixes.postings,
                &self.idx.name_prefixes.postings,
            ),
            ("id", &bulk.ids.postings, &self.idx.ids.postings),
            ("alias", &bulk.aliases.postings, &self.idx.aliases.postings),
        ];
        for (what, built, live) in pairs {
            if built.entries() != live.entries() {
                return Err(format!("{what} index differs from a rebuild"));
            }
        }
        self.verify_adjacency()
    }

    /// Checks the read-side adjacency against petgraph's lists, node by node and direction by
    /// direction, including the grouping by type that typed expansion relies on.
    fn verify_adjacency(&self) -> Result<(), String> {
        for n in self.g.node_indices() {
            for (dir, outgoing) in [(Direction::Outgoing, true), (Direction::Incoming, false)] {
                let mut truth: Vec<(u32, u32)> = self
                    .g
                    .edges_directed(n, dir)
                    .map(|e| {
                        let far = if outgoing { e.target() } else { e.source() };
                        (e.id().index() as u32, far.index() as u32)
                    })
                    .collect();
                truth.sort_unstable();
                let read = |it: Adjacent| -> Vec<(u32, u32)> {
                    let mut v: Vec<(u32, u32)> = it
                        .map(|(e, o)| (e.index() as u32, o.index() as u32))
                        .collect();
                    v.sort_unstable();
                    v
                };
                let all = if outgoing {
                    self.outgoing(n)
                } else {
                    self.incoming(n)
                };
                if read(all) != truth {
                    return Err(format!(
                        "adjacency of node {} differs from petgraph",
                        n.index()
                    ));
                }
                let degree = if outgoing {
                    self.out_degree(n)
                } else {
                    self.in_degree(n)
                };
                if degree != truth.len() {
                    return Err(format!("degree of node {} is wrong", n.index()));
                }
                let mut types: Vec<Sym> = truth
                    .iter()
                    .filter_map(|(e, _)| self.edge(EdgeId::new(*e as usize)).map(|e| e.ty))
                    .collect();
                types.sort_unstable();
                types.dedup();
                let mut typed_total = 0;
                for ty in types {
                    let it = if outgoing {
                        self.outgoing_typed(n, ty)
                    } else {
                        self.incoming_typed(n, ty)
                    };
                    let got = read(it);
                    if got
                        .iter()
                        .any(|(e, _)| self.edge(EdgeId::new(*e as usize)).map(|e| e.ty) != Some(ty))
                    {
                        return Err(format!(
                            "typed adjacency of node {} has another type",
                            n.index()
                        ));
                    }
                    typed_total += got.len();
                }
                if typed_total != truth.len() {
                    return Err(format!(
                        "typed adjacency of node {} misses edges",
                        n.index()
                    ));
                }
            }
        }
        Ok(())
    }

    // ----- records, for persistence -----

    /// The graph as dense records: the symbol table, the nodes in index order, and the edges as
    /// (source position, target position, edge) grouped by source. Deleted slots are squeezed
    /// out, so the same graph always yields the same records.
    pub fn to_records(&self) -> GraphRecords {
        let mut position = vec![u32::MAX; self.g.node_bound()];
        let mut nodes = Vec::with_capacity(self.g.node_count());
        for (i, n) in self.g.node_indices().enumerate() {
            position[n.index()] = i as u32;
            nodes.push(self.node(n).cloned().unwrap_or_default());
        }
        let mut edges: Vec<(u32, u32, Edge)> = self
            .g
            .edge_indices()
            .filter_map(|e| {
                let (s, t) = self.g.edge_endpoints(e)?;
                Some((
                    position[s.index()],
                    position[t.index()],
                    self.edge(e)?.clone(),
                ))
            })
            .collect();
        // A stable sort keeps the edges of one source in their original order.
        edges.sort_by_key(|(s, _, _)| *s);
        GraphRecords {
            symbols: self.interner.strings().to_vec(),
            nodes,
            edges,
        }
    }

    /// Builds a graph from its symbol table and nodes, then the edges `feed` pushes into the
    /// sink as it reads them (interning new types and keys in the interner it is given); `fail`
    /// turns the store's refusal into the caller's error. Nodes are indexed and edges inserted
    /// on other threads meanwhile: the bulk path of CSV import.
    pub(crate) fn build_streaming<E>(
        symbols: Vec<String>,
        nodes: Vec<Node>,
        fail: impl Fn(StoreError) -> E,
        feed: impl FnOnce(&mut EdgeSink, &mut Interner) -> Result<(), E>,
    ) -> Result<Graph, E> {
        Ok(bulk::build(symbols, nodes, fail, feed)?.finish())
    }

    /// Builds a graph from records, checking every symbol and endpoint, so that records read
    /// from a damaged file are refused rather than trusted.
    pub fn from_records(records: GraphRecords) -> Result<Graph, StoreError> {
        let GraphRecords {
            symbols,
            nodes,
            edges,
        } = records;
        let built = bulk::build(
            symbols,
            nodes,
            |e| e,
            |sink, _| {
                sink.reserve(edges.len())?;
                // Edges are handed over from the back of a reversed list, which is released
                // as it empties, so the pending edges and the graph's copy do not both stay
                // whole in memory.
                let mut edges = edges;
                edges.reverse();
                let mut since_shrink = 0usize;
                while let Some((s, t, edge)) = edges.pop() {
                    sink.push(s, t, edge)?;
                    since_shrink += 1;
                    if since_shrink == SHRINK_EVERY {
                        edges.shrink_to_fit();
                        since_shrink = 0;
                    }
                }
                Ok(())
            },
        )?;
        Ok(built.finish())
    }
}

/// Edges handed to the bulk builder between two releases of the pending list's unused tail.
const SHRINK_EVERY: usize = 1 << 20;

/// The live node in slot `n` of the node table.
fn node_slot(nodes: &mut [Option<Node>], n: NodeId) -> Result<&mut Node, StoreError> {
    nodes
        .get_mut(n.index())
        .and_then(Option::as_mut)
        .ok_or(StoreError::NoSuchNode(n.index() as u32))
}

/// A graph as plain records: what a .kg file holds.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GraphRecords {
    /// Labels, types and property keys, in symbol order.
    pub symbols: Vec<String>,
    /// The nodes, in order; an edge names its ends by position in this list.
    pub nodes: Vec<Node>,
    /// The edges as (source position, target position, edge), grouped by source.
    pub edges: Vec<(u32, u32, Edge)>,
}
