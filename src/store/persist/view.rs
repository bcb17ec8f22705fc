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
        let edges = group_by_source(edges, nodes.len());
        RecordsView {
            symbols: graph.interner().strings(),
            nodes,
            edges,
        }
    }
}

/// The edges grouped by source position, keeping index order within a source, as
/// [`Graph::to_records`] sorts them. A counting sort: one pass to count, one to place, where a
/// comparison sort of millions of edges imported in file order would take most of the save.
fn group_by_source<T: Copy>(edges: Vec<(u32, u32, T)>, nodes: usize) -> Vec<(u32, u32, T)> {
    if edges.is_sorted_by_key(|(s, _, _)| *s) {
        return edges;
    }
    let mut next = vec![0usize; nodes + 1];
    for (s, _, _) in &edges {
        next[*s as usize + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    let mut grouped = edges.clone();
    for edge in edges {
        let slot = &mut next[edge.0 as usize];
        grouped[*slot] = edge;
        *slot += 1;
    }
    grouped
}
