//! Ingestion: the one writer that merges extracted entities and facts into the store.
//!
//! The store allows any number of nodes with one name; merging is decided here, in one place:
//! an entity joins the node that already carries its external id, or else the node of the same
//! label that answers to its name or one of its aliases (case-insensitively); a repeated fact
//! (subject, TYPE, object) joins the existing edge and adds its evidence.

use crate::model::{DocName, Evidence, Sym, Value};
use crate::store::{fold, EdgeId, Graph, NodeId, StoreError, ALIASES, CONFIDENCE, NAME, XREF};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::hash::{Hash, Hasher};

/// An entity as extraction names it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntitySpec {
    /// The canonical name.
    pub name: String,
    /// The entity type, a SCHEMA.md label such as `Drug`.
    pub label: String,
    /// An external identifier such as `MESH:D007649`, when known.
    pub xref: Option<String>,
    /// Other names the entity answers to.
    pub aliases: Vec<String>,
}

impl EntitySpec {
    /// An entity with a name and a label and nothing else.
    pub fn new(name: &str, label: &str) -> Self {
        EntitySpec {
            name: name.to_string(),
            label: label.to_string(),
            ..Default::default()
        }
    }
}

/// Merges entities and facts into a graph.
pub struct Ingest<'g> {
    graph: &'g mut Graph,
    by_xref: FxHashMap<String, NodeId>,
    /// The document whose evidence is arriving, and the fingerprints of the evidence it has
    /// given so far: evidence can only repeat evidence of its own document, and a build gives
    /// each document's facts together, so this small set is all most facts need.
    current: CurrentDocument,
    /// Documents whose evidence came earlier in this ingestion.
    earlier: FxHashSet<DocName>,
    /// Documents the graph held evidence from when ingestion began; gathered when first
    /// needed.
    held: Option<FxHashSet<DocName>>,
    /// Fingerprints of the evidence held by the edges in `fingerprinted` (and of evidence
    /// since removed: a stale fingerprint only costs an exact comparison), for evidence of a
    /// document the edges may already hold. A fact repeated over thousands of documents would
    /// otherwise compare its evidence with every earlier one.
    fingerprints: FxHashSet<(EdgeId, u64)>,
    /// Edges whose evidence has been fingerprinted.
    fingerprinted: FxHashSet<EdgeId>,
    /// The symbol of the `confidence` key, once a fact has interned it.
    confidence: Option<Sym>,
}

/// The document whose evidence is arriving.
#[derive(Default)]
struct CurrentDocument {
    name: Option<DocName>,
    /// Whether an edge may hold evidence of this document from before it began to arrive.
    seen_before: bool,
    /// (edge, fingerprint) of the evidence this document has given.
    fingerprints: FxHashSet<(EdgeId, u64)>,
}

fn fingerprint(evidence: &Evidence) -> u64 {
    let mut h = FxHasher::default();
    evidence.hash(&mut h);
    h.finish()
}

/// Combines the confidence of an edge with that of a new, independent sentence: the chance that
/// at least one of them is right.
pub fn combine_confidence(old: f64, new: f64) -> f64 {
    let clamp = |c: f64| if c.is_nan() { 0.0 } else { c.clamp(0.0, 1.0) };
    1.0 - (1.0 - clamp(old)) * (1.0 - clamp(new))
}

impl<'g> Ingest<'g> {
    /// Starts ingesting into `graph`, learning the external ids it already holds.
    pub fn new(graph: &'g mut Graph) -> Self {
        let mut by_xref = FxHashMap::default();
        for n in graph.node_ids() {
            if let Some(Value::String(x)) = graph.node_prop(n, XREF) {
                by_xref.entry(x.clone()).or_insert(n);
            }
        }
        Ingest {
            graph,
            by_xref,
            current: CurrentDocument::default(),
            earlier: FxHashSet::default(),
            held: None,
            fingerprints: FxHashSet::default(),
            fingerprinted: FxHashSet::default(),
            confidence: None,
        }
    }

    /// The graph being written.
    pub fn graph(&self) -> &Graph {
        self.graph
    }

    /// The node for an entity, merged into an existing one when its external id, name or an
    /// alias already belongs to a node of the same label; created otherwise.
    pub fn entity(&mut self, spec: &EntitySpec) -> NodeId {
        if let Some(found) = self.find(spec) {
            self.enrich(found, spec);
            return found;
        }
        let mut props: Vec<(&str, Value)> = vec![(NAME, Value::from(spec.name.as_str()))];
        let aliases = self.new_aliases(None, spec);
        if !aliases.is_empty() {
            props.push((ALIASES, Value::List(aliases)));
        }
        if let Some(x) = &spec.xref {
            props.push((XREF, Value::from(x.as_str())));
        }
        let n = self.graph.add_node(&[spec.label.as_str()], &props);
        if let Some(x) = &spec.xref {
            self.by_xref.insert(x.clone(), n);
        }
        n
    }

    fn find(&self, spec: &EntitySpec) -> Option<NodeId> {
        if let Some(n) = spec.xref.as_ref().and_then(|x| self.by_xref.get(x)) {
            return Some(*n);
        }
        let label = self.graph.sym(&spec.label)?;
        std::iter::once(&spec.name)
            .chain(&spec.aliases)
            .flat_map(|text| self.graph.resolve_alias(text))
            .filter(|n| self.graph.has_label(*n, label))
            .min()
    }

    /// The aliases of `spec` that the node (if any) does not answer to yet, as values.
    fn new_aliases(&self, node: Option<NodeId>, spec: &EntitySpec) -> Vec<Value> {
        let mut known: Vec<String> = Vec::new();
        if let Some(n) = node {
            known.extend(self.graph.node_name(n).map(fold));
            if let Some(Value::List(items)) = self.graph.node_prop(n, ALIASES) {
                known.extend(items.iter().filter_map(Value::as_str).map(fold));
            }
        } else {
            known.push(fold(&spec.name));
        }
        let mut out = Vec::new();
        for alias in &spec.aliases {
            let key = fold(alias);
            if key.is_empty() || known.contains(&key) {
                continue;
            }
            known.push(key);
            out.push(Value::from(alias.as_str()));
        }
        out
    }

    /// Adds what `spec` knows that the node does not: its name as an alias, new aliases, the
    /// external id.
    fn enrich(&mut self, n: NodeId, spec: &EntitySpec) {
        let mut with_name = spec.clone();
        with_name.aliases.insert(0, spec.name.clone());
        let added = self.new_aliases(Some(n), &with_name);
        if !added.is_empty() {
            let mut list = match self.graph.node_prop(n, ALIASES) {
                Some(Value::List(items)) => items.clone(),
                _ => Vec::new(),
            };
            list.extend(added);
            let _ = self.graph.set_node_prop(n, ALIASES, Value::List(list));
        }
        if let Some(x) = &spec.xref {
            if self.graph.node_prop(n, XREF).is_none() {
                let _ = self.graph.set_node_prop(n, XREF, Value::from(x.as_str()));
                self.by_xref.insert(x.clone(), n);
            }
        }
    }

    /// Records a fact. A repeated (subject, relation, object) joins the existing edge: new
    /// evidence is added and raises the confidence; the same evidence twice changes nothing.
    pub fn fact(
        &mut self,
        subject: NodeId,
        relation: &str,
        object: NodeId,
        confidence: f64,
        evidence: Option<Evidence>,
    ) -> Result<EdgeId, StoreError> {
        let existing = self.graph.sym(relation).and_then(|ty| {
            self.graph
                .outgoing_typed(subject, ty)
                .find(|(_, t)| *t == object)
                .map(|(e, _)| e)
        });
        match existing {
            Some(e) => {
                let is_new = match evidence {
                    Some(ev) => self.add_evidence(e, ev)?,
                    None => false,
                };
                let key = *self
                    .confidence
                    .get_or_insert_with(|| self.graph.intern(CONFIDENCE));
                let old = self
                    .graph
                    .edge_prop_sym(e, key)
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0);
                let updated = if is_new {
                    combine_confidence(old, confidence)
                } else {
                    old.max(confidence)
                };
                self.graph
                    .set_edge_prop_sym(e, key, Value::Float(updated))?;
                Ok(e)
            }
            None => {
                let e = self.graph.add_edge(
                    subject,
                    object,
                    relation,
                    &[(CONFIDENCE, Value::Float(confidence))],
                )?;
                if let Some(ev) = evidence {
                    self.add_evidence(e, ev)?;
                }
                Ok(e)
            }
        }
    }

    /// Adds evidence to an edge unless it holds it already; true when added.
    fn add_evidence(&mut self, e: EdgeId, evidence: Evidence) -> Result<bool, StoreError> {
        if self.current.name.as_deref() != Some(&*evidence.doc) {
            self.begin_document(evidence.doc.clone());
        }
        let print = fingerprint(&evidence);
        if !self.current.seen_before {
            if self.current.fingerprints.insert((e, print)) || !self.holds(e, &evidence) {
                if self.fingerprinted.contains(&e) {
                    self.fingerprints.insert((e, print));
                }
                self.graph.push_new_evidence(e, evidence)?;
                return Ok(true);
            }
            return Ok(false);
        }
        if self.fingerprinted.insert(e) {
            if let Some(edge) = self.graph.edge(e) {
                self.fingerprints
                    .extend(edge.evidence.iter().map(|x| (e, fingerprint(x))));
            }
        }
        if !self.fingerprints.insert((e, print)) && self.holds(e, &evidence) {
            return Ok(false);
        }
        self.graph.push_new_evidence(e, evidence)?;
        Ok(true)
    }

    /// Whether edge `e` holds `evidence`, compared for real after a fingerprint matched (it
    /// may be stale, or a collision); latest first, since a repeat usually comes from the
    /// document just read.
    fn holds(&self, e: EdgeId, evidence: &Evidence) -> bool {
        self.graph
            .edge(e)
            .is_some_and(|edge| edge.evidence.iter().rev().any(|x| x == evidence))
    }

    /// Starts taking the evidence of document `doc`.
    fn begin_document(&mut self, doc: DocName) {
        let graph = &*self.graph;
        let held = self.held.get_or_insert_with(|| {
            graph
                .edge_ids()
                .filter_map(|e| graph.edge(e))
                .flat_map(|edge| edge.evidence.iter().map(|ev| ev.doc.clone()))
                .collect()
        });
        let seen_before = held.contains(&doc) || self.earlier.contains(&doc);
        if let Some(done) = self.current.name.take() {
            self.earlier.insert(done);
        }
        self.current.name = Some(doc);
        self.current.seen_before = seen_before;
        self.current.fingerprints.clear();
    }

    /// Records that document `doc` mentions node `n` `count` times.
    pub fn mention(&mut self, n: NodeId, doc: &str, count: u32) -> Result<(), StoreError> {
        self.graph.add_mentions(n, doc, count)
    }

    /// Records that node `n` is mentioned in several documents: (document, count), in the
    /// order of the documents' names, each name once.
    pub fn mentions_in_order<D: AsRef<str> + Into<DocName> + Clone>(
        &mut self,
        n: NodeId,
        mentions: &[(D, u32)],
    ) -> Result<(), StoreError> {
        self.graph.add_mentions_in_order(n, mentions)
    }

    /// Takes a document out of the graph before it is read again: its evidence and mentions go,
    /// edges left with no evidence go, and nodes left with no mention and no edge go.
    /// Edges and nodes that never had evidence or mentions (added by hand) stay.
    pub fn remove_document(&mut self, doc: &str) -> Result<(), StoreError> {
        let edges: Vec<EdgeId> = self.graph.edge_ids().collect();
        for e in edges {
            let Some(edge) = self.graph.edge(e) else {
                continue;
            };
            if !edge.evidence.iter().any(|ev| &*ev.doc == doc) {
                continue;
            }
            let kept: Vec<Evidence> = edge
                .evidence
                .iter()
                .filter(|ev| &*ev.doc != doc)
                .cloned()
                .collect();
            if kept.is_empty() {
                self.graph.remove_edge(e)?;
            } else {
                self.graph.set_evidence(e, kept)?;
            }
        }
        let nodes: Vec<NodeId> = self.graph.node_ids().collect();
        for n in nodes {
            let Some(node) = self.graph.node(n) else {
                continue;
            };
            if !node.mentions.iter().any(|(d, _)| &**d == doc) {
                continue;
            }
            self.graph.clear_mentions(n, doc)?;
            let orphan = self.graph.node(n).is_some_and(|x| x.mentions.is_empty())
                && !self.graph.has_edges(n);
            if orphan {
                if let Some(Value::String(x)) = self.graph.node_prop(n, XREF) {
                    let x = x.clone();
                    if self.by_xref.get(&x) == Some(&n) {
                        self.by_xref.remove(&x);
                    }
                }
                self.graph.remove_node(n)?;
            }
        }
        Ok(())
    }
}
