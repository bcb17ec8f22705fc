//! Building a whole graph at once from its records: what loading a file and importing CSV do.
//!
//! Inserting edges one by one keeps every index right after every edge, which a whole graph
//! does not need. Here three threads share the work: the caller decodes edges, a second thread
//! inserts them (petgraph's insertion plus two appends each), a third indexes the nodes; the
//! read-side adjacency and the type bitmaps are laid out once at the end.

use super::adjacency::{Adjacency, EdgeEnds};
use super::index::NodeIndexes;
use super::{Graph, Interner, StoreError};
use crate::model::{Edge, Node, Props, Sym};
use petgraph::stable_graph::StableDiGraph;
use roaring::RoaringBitmap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Takes a graph's edges in order, checking each against the nodes and symbols it may name.
struct EdgeLoader {
    g: StableDiGraph<(), (), u32>,
    edges: Vec<Option<Edge>>,
    ends: Vec<EdgeEnds>,
    by_type: Vec<Vec<u32>>,
    node_total: u32,
}

impl EdgeLoader {
    fn reserve(&mut self, additional: usize) {
        self.g.reserve_edges(additional);
        self.edges.reserve(additional);
        self.ends.reserve(additional);
    }

    /// Reads the node slots a batch's edges will link, in a tight loop of independent loads.
    /// Edges arrive grouped by source, so their targets are random slots of a table larger than
    /// the cache; read one at a time inside petgraph's insertion, each costs a full memory
    /// round trip, while here many are in flight at once and insertion then finds them cached.
    fn warm(&self, edges: &[(u32, u32, Edge)]) {
        let mut live = 0usize;
        for (_, dst, _) in edges {
            live += usize::from(self.g.contains_node((*dst).into()));
        }
        std::hint::black_box(live);
    }

    fn push(&mut self, src: u32, dst: u32, mut edge: Edge) -> Result<(), StoreError> {
        let ty = edge.ty;
        if src >= self.node_total || dst >= self.node_total {
            return Err(StoreError::InvalidRecords(format!(
                "relationship endpoint {} out of range",
                src.max(dst)
            )));
        }
        normalise_props(&mut edge.props);
        let e = self.g.add_edge(src.into(), dst.into(), ()).index() as u32;
        // A graph built in bulk has no free slots, so petgraph numbers edges in order.
        debug_assert_eq!(e as usize, self.edges.len());
        self.edges.push(Some(edge));
        self.ends.push(EdgeEnds {
            edge: e,
            src,
            dst,
            ty,
        });
        let slot = ty.0 as usize;
        if self.by_type.len() <= slot {
            self.by_type.resize_with(slot + 1, Vec::new);
        }
        self.by_type[slot].push(e);
        Ok(())
    }
}

/// Edges whose target slots are read ahead of inserting them: enough for many reads to be in
/// flight, few enough that what they bring stays in the cache until insertion.
const WARM_AHEAD: usize = 256;

/// What the decoding thread hands the inserting one.
enum Batch {
    /// Room for this many more edges.
    Reserve(usize),
    /// Edges as (source position, target position, edge).
    Edges(Vec<(u32, u32, Edge)>),
}

/// Edges handed over per batch: large enough that the hand-over costs nothing per edge,
/// small enough that the two threads overlap from the start.
const BATCH: usize = 1 << 14;

/// Where the caller puts a graph's edges: they are checked and inserted on a second thread
/// while the caller goes on decoding the next ones.
pub(crate) struct EdgeSink {
    batch: Vec<(u32, u32, Edge)>,
    to_inserter: SyncSender<Batch>,
    /// Emptied batches coming back, so that their memory is reused rather than allocated and
    /// faulted in afresh for every batch.
    spare: Receiver<Vec<(u32, u32, Edge)>>,
    /// Symbols an edge may name: those of the interner handed to the feeder.
    symbols: usize,
}

impl EdgeSink {
    /// Makes room for `additional` more edges (a size the caller has bounded by its input).
    pub(crate) fn reserve(&mut self, additional: usize) -> Result<(), StoreError> {
        self.send(Batch::Reserve(additional))
    }

    /// Adds an edge between the nodes at positions `src` and `dst` of the node list. A
    /// refusal may surface one batch late; the build then reports the edge that was refused.
    pub(crate) fn push(&mut self, src: u32, dst: u32, edge: Edge) -> Result<(), StoreError> {
        if edge.ty.0 as usize >= self.symbols {
            return Err(out_of_range("type", edge.ty));
        }
        if let Some((k, _)) = edge
            .props
            .iter()
            .find(|(k, _)| k.0 as usize >= self.symbols)
        {
            return Err(out_of_range("property key", *k));
        }
        self.batch.push((src, dst, edge));
        if self.batch.len() == BATCH {
            let next = self
                .spare
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH));
            let full = std::mem::replace(&mut self.batch, next);
            self.send(Batch::Edges(full))?;
        }
        Ok(())
    }

    /// Lets edges name the first `symbols` symbols, after the feeder interned new ones.
    pub(crate) fn allow_symbols(&mut self, symbols: usize) {
        self.symbols = symbols;
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        let rest = std::mem::take(&mut self.batch);
        self.send(Batch::Edges(rest))
    }

    fn send(&self, batch: Batch) -> Result<(), StoreError> {
        // The inserter only hangs up after refusing an edge; its own error is the one reported.
        self.to_inserter
            .send(batch)
            .map_err(|_| StoreError::InvalidRecords("an earlier edge was refused".into()))
    }
}

/// A graph built in bulk whose read-side adjacency is still to be laid out: the caller may
/// free its input first, since laying it out is the step that needs the most memory.
pub(crate) struct Unfinished {
    graph: Graph,
    ends: Vec<EdgeEnds>,
}

impl Unfinished {
    /// Lays out the adjacency and returns the graph.
    pub(crate) fn finish(self) -> Graph {
        let Unfinished { mut graph, ends } = self;
        graph.adj = Adjacency::build_parallel(graph.node_bound(), &ends);
        graph
    }
}

/// Builds a graph from its symbol table and nodes, then the edges that `feed` pushes; `fail`
/// turns the store's refusal into the caller's error type. The nodes are indexed and the
/// edges inserted on two more threads while `feed` decodes. `feed` gets the graph's interner
/// for symbols that only its edges bring (it then widens the sink's range with
/// [`EdgeSink::allow_symbols`]).
pub(crate) fn build<E>(
    symbols: Vec<String>,
    nodes: Vec<Node>,
    fail: impl Fn(StoreError) -> E,
    feed: impl FnOnce(&mut EdgeSink, &mut Interner) -> Result<(), E>,
) -> Result<Unfinished, E> {
    let interner =
        Interner::from_strings(symbols).map_err(|m| fail(StoreError::InvalidRecords(m)))?;
    let mut graph = Graph::with_interner(interner);
    let symbols = graph.interner.strings().len();
    let mut table = Vec::with_capacity(nodes.len());
    for mut node in nodes {
        if let Some(l) = node.labels.iter().find(|l| l.0 as usize >= symbols) {
            return Err(fail(out_of_range("label", *l)));
        }
        if let Some((k, _)) = node.props.iter().find(|(k, _)| k.0 as usize >= symbols) {
            return Err(fail(out_of_range("property key", *k)));
        }
        normalise_node(&mut node);
        table.push(Some(node));
    }
    let node_total = table.len();
    let mut g = StableDiGraph::with_capacity(node_total, 0);
    for _ in 0..node_total {
        g.add_node(());
    }
    let mut loader = EdgeLoader {
        g,
        edges: Vec::new(),
        ends: Vec::new(),
        by_type: Vec::new(),
        node_total: node_total as u32,
    };
    let keys = graph.keys;
    let (idx, fed, inserted) = std::thread::scope(|s| {
        let nodes = &table;
        let indexing = s.spawn(move || NodeIndexes::build(keys, nodes));
        let (to_inserter, batches) = sync_channel::<Batch>(4);
        let (give_back, spare) = sync_channel(8);
        let inserting = s.spawn(move || -> Result<EdgeLoader, StoreError> {
            for batch in batches {
                match batch {
                    Batch::Reserve(n) => loader.reserve(n),
                    Batch::Edges(mut edges) => {
                        let mut rest = edges.drain(..);
                        loop {
                            let chunk = rest.as_slice();
                            if chunk.is_empty() {
                                break;
                            }
                            let n = chunk.len().min(WARM_AHEAD);
                            loader.warm(&chunk[..n]);
                            for (src, dst, edge) in rest.by_ref().take(n) {
                                loader.push(src, dst, edge)?;
                            }
                        }
                        drop(rest);
                        // The decoder may have stopped waiting for spares; that is fine.
                        let _ = give_back.try_send(edges);
                    }
                }
            }
            Ok(loader)
        });
        let mut sink = EdgeSink {
            batch: Vec::with_capacity(BATCH),
            to_inserter,
            spare,
            symbols,
        };
        let fed = feed(&mut sink, &mut graph.interner).and_then(|()| sink.flush().map_err(&fail));
        drop(sink);
        let inserted = inserting.join();
        let idx = indexing.join();
        (idx, fed, inserted)
    });
    let loader = match inserted {
        Ok(Ok(loader)) => loader,
        Ok(Err(refused)) => return Err(fail(refused)),
        Err(_) => {
            return Err(fail(StoreError::InvalidRecords(
                "edge insertion failed".into(),
            )))
        }
    };
    fed?;
    let idx = idx.unwrap_or_else(|_| NodeIndexes::build(keys, &table));
    let EdgeLoader {
        g,
        edges,
        ends,
        by_type,
        ..
    } = loader;
    graph.by_type = by_type
        .into_iter()
        .enumerate()
        .filter(|(_, edges)| !edges.is_empty())
        .map(|(ty, edges)| {
            let bitmap = RoaringBitmap::from_sorted_iter(edges).unwrap_or_default();
            (Sym(ty as u32), bitmap)
        })
        .collect();
    graph.g = g;
    graph.edges = edges;
    graph.nodes = table;
    graph.idx = idx;
    Ok(Unfinished { graph, ends })
}

fn out_of_range(what: &str, sym: Sym) -> StoreError {
    StoreError::InvalidRecords(format!("{what} symbol {} out of range", sym.0))
}

/// Puts a node in the store's form: labels sorted and unique, properties sorted by key,
/// unique, without nulls.
pub(crate) fn normalise_node(node: &mut Node) {
    node.labels.sort_unstable();
    node.labels.dedup();
    normalise_props(&mut node.props);
}

/// Sorts properties by key, keeps the first of a repeated key and drops nulls.
pub(crate) fn normalise_props(props: &mut Props) {
    if props.len() > 1 {
        props.sort_by_key(|(k, _)| *k);
        props.dedup_by_key(|(k, _)| *k);
    }
    props.retain(|(_, v)| !v.is_null());
}
