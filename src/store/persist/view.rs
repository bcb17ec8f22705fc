//! A graph's records by reference, for saving without cloning every node and edge: it
//! serialises exactly as the [`GraphRecords`](crate::store::GraphRecords) that
//! [`Graph::to_records`] would build, in the same order.

use crate::model::{Edge, Node};
use crate::store::Graph;
use serde::Serialize;

/// The symbols, the live nodes in index order, and the edges as (source position, target
/// position, edge) grouped by source, all borrowed from the graph.
#[derive(Serialize)]
#[serde(rename = "GraphRecords")]
pub(super) struct RecordsView<'g> {
    symbols: &'g [String],
    nodes: Vec<&'g Node>,
    edges: Vec<(u32, u32, &'g Edge)>,
}

impl<'g> RecordsView<'g> {
    /// The view of a graph, in the order [`Graph::to_records`] uses.
    pub(super) fn of(graph: &'g Graph) -> Self {
        let mut position = vec![u32::MAX; graph.node_bound()];
        let mut nodes = Vec::with_capacity(graph.node_count());
        for n in graph.node_ids() {
            if let Some(node) = graph.node(n) {
                position[n.index()] = nodes.len() as u32;
                nodes.push(node);
            }
        }
        let mut edges = Vec::with_capacity(graph.edge_count());
        for e in graph.edge_ids() {
            if let (Some((s, t)), Some(edge)) = (graph.endpoints(e), graph.edge(e)) {
                edges.push((position[s.index()], position[t.index()], edge));
            }
        }
        // Stable, as in to_records: the edges of one source keep their index order.
        edges.sort_by_key(|(s, _, _)| *s);
        RecordsView {
            symbols: graph.interner().strings(),
            nodes,
            edges,
        }
    }
}
