//! The property-graph store: petgraph's `StableDiGraph` with an interner and indexes that every
//! change keeps right.
//!
//! The store is open, as openCypher requires: any labels, any relationship types, any property
//! keys, and any number of nodes with the same name. Merging entities is ingestion's business
//! (see [`crate::ingest`]), not the store's.

mod index;
mod interner;
pub mod persist;

pub use index::{fold, IndexKey, NodeId, NodeList};
pub use interner::Interner;

use crate::model::{prop_get, prop_set, Edge, Evidence, Node, Props, Sym, Value};
use index::{AliasIndex, ValueIndex};
use petgraph::stable_graph::{EdgeIndex, StableDiGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, NodeIndexable};
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
    // Adjacency only: node data lives in `nodes`, so that petgraph's node slots stay small and
    // inserting millions of edges (each touching two random slots) stays in cache.
    g: StableDiGraph<(), Edge, u32>,
    nodes: Vec<Option<Node>>,
    interner: Interner,
    key_name: Sym,
    key_id: Sym,
    key_aliases: Sym,
    names: ValueIndex,
    ids: ValueIndex,
    aliases: AliasIndex,
    // Bitmaps over node and edge indices: no hashing per element, sorted iteration, and a
    // bulk load of millions of edges appends rather than inserts.
    by_label: FxHashMap<Sym, RoaringBitmap>,
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
            nodes: Vec::new(),
            interner,
            key_name,
            key_id,
            key_aliases,
            names: ValueIndex::default(),
            ids: ValueIndex::default(),
            aliases: AliasIndex::default(),
            by_label: FxHashMap::default(),
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
        self.g.edge_weight(e)
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
        let key = self.interner.get(key)?;
        prop_get(&self.edge(e)?.props, key)
    }

    /// A node's canonical name, when it has a string `name`.
    pub fn node_name(&self, n: NodeId) -> Option<&str> {
        prop_get(&self.node(n)?.props, self.key_name)?.as_str()
    }

    /// A node's label texts, sorted by symbol.
    pub fn node_labels(&self, n: NodeId) -> impl Iterator<Item = &str> + '_ {
        self.node(n)
            .into_iter()
            .flat_map(|node| node.labels.iter())
            .map(|l| self.interner.resolve(*l))
    }

    /// True when the node carries the label.
    pub fn has_label(&self, n: NodeId, label: Sym) -> bool {
        self.node(n)
            .is_some_and(|node| node.labels.contains(&label))
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

    /// Edges leaving `n`, with their targets.
    pub fn outgoing(&self, n: NodeId) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        self.g
            .edges_directed(n, Direction::Outgoing)
            .map(|e| (e.id(), e.target()))
    }

    /// Edges entering `n`, with their sources.
    pub fn incoming(&self, n: NodeId) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        self.g
            .edges_directed(n, Direction::Incoming)
            .map(|e| (e.id(), e.source()))
    }

    /// Edges leaving `n` of one type, with their targets; other edges are skipped by type only.
    pub fn outgoing_typed(
        &self,
        n: NodeId,
        ty: Sym,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        self.g
            .edges_directed(n, Direction::Outgoing)
            .filter(move |e| e.weight().ty == ty)
            .map(|e| (e.id(), e.target()))
    }

    /// Edges entering `n` of one type, with their sources.
    pub fn incoming_typed(
        &self,
        n: NodeId,
        ty: Sym,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        self.g
            .edges_directed(n, Direction::Incoming)
            .filter(move |e| e.weight().ty == ty)
            .map(|e| (e.id(), e.source()))
    }

    /// Number of edges leaving `n`.
    pub fn out_degree(&self, n: NodeId) -> usize {
        self.g.edges_directed(n, Direction::Outgoing).count()
    }

    /// Number of edges entering `n`.
    pub fn in_degree(&self, n: NodeId) -> usize {
        self.g.edges_directed(n, Direction::Incoming).count()
    }

    /// True when `n` has any edge, in or out.
    pub fn has_edges(&self, n: NodeId) -> bool {
        self.g.neighbors_undirected(n).next().is_some()
    }

    // ----- indexes -----

    /// Nodes carrying a label.
    pub fn nodes_with_label(&self, label: Sym) -> impl Iterator<Item = NodeId> + '_ {
        self.by_label
            .get(&label)
            .into_iter()
            .flatten()
            .map(|i| NodeId::new(i as usize))
    }

    /// Number of nodes carrying a label.
    pub fn label_count(&self, label: Sym) -> usize {
        self.by_label.get(&label).map_or(0, |s| s.len() as usize)
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
    pub fn nodes_named(&self, name: &str) -> &[NodeId] {
        self.names
            .get(&Value::String(name.to_string()))
            .unwrap_or(&[])
    }

    /// Nodes whose property `key` equals `value`, when `key` is indexed (`name`, `id`) and the
    /// value indexable; `None` means the caller must scan.
    pub fn nodes_with_prop(&self, key: &str, value: &Value) -> Option<&[NodeId]> {
        match key {
            NAME => self.names.get(value),
            ID => self.ids.get(value),
            _ => None,
        }
    }

    /// Nodes whose name or one of whose aliases equals `text`, case-insensitively.
    pub fn resolve_alias(&self, text: &str) -> &[NodeId] {
        self.aliases.get(text)
    }

    /// Every case-folded name and alias with its nodes (for completion).
    pub fn alias_entries(&self) -> impl Iterator<Item = (&String, &NodeList)> {
        self.aliases.entries()
    }

    fn index_node(&mut self, n: NodeId) {
        let Some(node) = self.nodes.get(n.index()).and_then(Option::as_ref) else {
            return;
        };
        let slot = n.index() as u32;
        for label in &node.labels {
            match self.by_label.get_mut(label) {
                Some(set) => {
                    set.insert(slot);
                }
                None => {
                    self.by_label
                        .insert(*label, RoaringBitmap::from_iter([slot]));
                }
            }
        }
        if let Some(v) = prop_get(&node.props, self.key_name) {
            self.names.insert(v, n);
        }
        if let Some(v) = prop_get(&node.props, self.key_id) {
            self.ids.insert(v, n);
        }
        for text in alias_texts(node, self.key_name, self.key_aliases) {
            self.aliases.insert(text, n);
        }
    }

    fn unindex_node(&mut self, n: NodeId) {
        let Some(node) = self.nodes.get(n.index()).and_then(Option::as_ref) else {
            return;
        };
        let slot = n.index() as u32;
        for label in &node.labels {
            if let Some(set) = self.by_label.get_mut(label) {
                set.remove(slot);
                if set.is_empty() {
                    self.by_label.remove(label);
                }
            }
        }
        if let Some(v) = prop_get(&node.props, self.key_name) {
            self.names.remove(v, n);
        }
        if let Some(v) = prop_get(&node.props, self.key_id) {
            self.ids.remove(v, n);
        }
        for text in alias_texts(node, self.key_name, self.key_aliases) {
            self.aliases.remove(text, n);
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
        node.labels.sort_unstable();
        node.labels.dedup();
        node.props.sort_by_key(|(k, _)| *k);
        node.props.dedup_by_key(|(k, _)| *k);
        node.props.retain(|(_, v)| !v.is_null());
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
        edge.props.sort_by_key(|(k, _)| *k);
        edge.props.dedup_by_key(|(k, _)| *k);
        edge.props.retain(|(_, v)| !v.is_null());
        let ty = edge.ty;
        let e = self.g.add_edge(src, dst, edge);
        let slot = e.index() as u32;
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
        let edge = self
            .g
            .remove_edge(e)
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
        let indexed = key == self.key_name || key == self.key_id || key == self.key_aliases;
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
        let edge = self
            .g
            .edge_weight_mut(e)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
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
                self.by_label
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
                if let Some(set) = self.by_label.get_mut(&sym) {
                    set.remove(n.index() as u32);
                    if set.is_empty() {
                        self.by_label.remove(&sym);
                    }
                }
                Ok(true)
            }
        }
    }

    /// Adds evidence to an edge unless the same evidence is already there; returns whether it
    /// was new.
    pub fn add_evidence(&mut self, e: EdgeId, evidence: Evidence) -> Result<bool, StoreError> {
        let edge = self
            .g
            .edge_weight_mut(e)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
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
        let edge = self
            .g
            .edge_weight_mut(e)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
        edge.evidence.push(evidence);
        Ok(())
    }

    /// Replaces an edge's evidence list.
    pub fn set_evidence(&mut self, e: EdgeId, evidence: Vec<Evidence>) -> Result<(), StoreError> {
        let edge = self
            .g
            .edge_weight_mut(e)
            .ok_or(StoreError::NoSuchEdge(e.index() as u32))?;
        edge.evidence = evidence;
        Ok(())
    }

    /// Adds `count` mentions of a node in document `doc`.
    pub fn add_mentions(&mut self, n: NodeId, doc: &str, count: u32) -> Result<(), StoreError> {
        let node = self.node_mut(n)?;
        match node.mentions.binary_search_by(|(d, _)| d.as_str().cmp(doc)) {
            Ok(i) => node.mentions[i].1 = node.mentions[i].1.saturating_add(count),
            Err(i) => node.mentions.insert(i, (doc.to_string(), count)),
        }
        Ok(())
    }

    /// Forgets the mentions of a node in document `doc`.
    pub fn clear_mentions(&mut self, n: NodeId, doc: &str) -> Result<(), StoreError> {
        let node = self.node_mut(n)?;
        node.mentions.retain(|(d, _)| d != doc);
        Ok(())
    }

    // ----- summaries -----

    /// Counts by label, type and property key.
    pub fn schema(&self) -> Schema {
        let mut s = Schema::default();
        for (label, set) in &self.by_label {
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
            for (k, _) in &self.g[e].props {
                *s.edge_keys.entry(self.resolve(*k).to_string()).or_default() += 1;
            }
        }
        s
    }

    /// Rebuilds every index from scratch and reports the first difference from the live ones:
    /// the check that tests run after random sequences of changes.
    pub fn verify_indexes(&self) -> Result<(), String> {
        let mut fresh = Graph::with_interner(self.interner.clone());
        fresh.g = self.g.clone();
        fresh.nodes = self.nodes.clone();
        for n in self.g.node_indices() {
            fresh.index_node(n);
        }
        for e in self.g.edge_indices() {
            fresh
                .by_type
                .entry(self.g[e].ty)
                .or_default()
                .insert(e.index() as u32);
        }
        if fresh.by_label != self.by_label {
            return Err("label index differs from a rebuild".into());
        }
        if fresh.by_type != self.by_type {
            return Err("type index differs from a rebuild".into());
        }
        let norm = |entries: Vec<(String, Vec<NodeId>)>| {
            let mut v: Vec<(String, Vec<NodeId>)> = entries
                .into_iter()
                .map(|(k, mut l)| {
                    l.sort_unstable();
                    (k, l)
                })
                .collect();
            v.sort();
            v
        };
        let value_entries = |idx: &ValueIndex| {
            norm(
                idx.entries()
                    .map(|(k, l)| (format!("{k:?}"), l.to_vec()))
                    .collect(),
            )
        };
        if value_entries(&fresh.names) != value_entries(&self.names) {
            return Err("name index differs from a rebuild".into());
        }
        if value_entries(&fresh.ids) != value_entries(&self.ids) {
            return Err("id index differs from a rebuild".into());
        }
        let alias_entries = |idx: &AliasIndex| {
            norm(
                idx.entries()
                    .map(|(k, l)| (k.clone(), l.to_vec()))
                    .collect(),
            )
        };
        if alias_entries(&fresh.aliases) != alias_entries(&self.aliases) {
            return Err("alias index differs from a rebuild".into());
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
            .map(|e| {
                let (s, t) = self.g.edge_endpoints(e).expect("live edge");
                (position[s.index()], position[t.index()], self.g[e].clone())
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

    /// Builds a graph from records, checking every symbol and endpoint, so that records read
    /// from a damaged file are refused rather than trusted.
    pub fn from_records(records: GraphRecords) -> Result<Graph, StoreError> {
        let GraphRecords {
            symbols,
            nodes,
            edges,
        } = records;
        let interner = Interner::from_strings(symbols).map_err(StoreError::InvalidRecords)?;
        let mut graph = Graph::with_interner(interner);
        let check = |sym: Sym, what: &str| {
            if graph.interner.contains(sym) {
                Ok(())
            } else {
                Err(StoreError::InvalidRecords(format!(
                    "{what} symbol {} out of range",
                    sym.0
                )))
            }
        };
        for node in &nodes {
            for l in &node.labels {
                check(*l, "label")?;
            }
            for (k, _) in &node.props {
                check(*k, "property key")?;
            }
        }
        for (_, _, edge) in &edges {
            check(edge.ty, "type")?;
            for (k, _) in &edge.props {
                check(*k, "property key")?;
            }
        }
        let node_total = nodes.len();
        graph.g.reserve_nodes(node_total);
        graph.nodes.reserve(node_total);
        graph.g.reserve_edges(edges.len());
        for node in nodes {
            graph.insert_node(node);
        }
        for (s, t, edge) in edges {
            if s as usize >= node_total || t as usize >= node_total {
                return Err(StoreError::InvalidRecords(format!(
                    "relationship endpoint {} out of range",
                    s.max(t)
                )));
            }
            graph.insert_edge(NodeId::new(s as usize), NodeId::new(t as usize), edge)?;
        }
        Ok(graph)
    }
}

/// The live node in slot `n` of the node table.
fn node_slot(nodes: &mut [Option<Node>], n: NodeId) -> Result<&mut Node, StoreError> {
    nodes
        .get_mut(n.index())
        .and_then(Option::as_mut)
        .ok_or(StoreError::NoSuchNode(n.index() as u32))
}

/// The texts a node answers to: its name and its aliases.
fn alias_texts(node: &Node, key_name: Sym, key_aliases: Sym) -> impl Iterator<Item = &str> {
    let name = match prop_get(&node.props, key_name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let aliases = match prop_get(&node.props, key_aliases) {
        Some(Value::List(items)) => items.as_slice(),
        _ => &[],
    };
    name.into_iter()
        .chain(aliases.iter().filter_map(Value::as_str))
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
