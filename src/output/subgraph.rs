//! A part of the graph to export: a node set and the edges among them.

use crate::store::{EdgeId, Graph, NodeId};
use std::collections::BTreeSet;

/// A node set with the edges among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subgraph {
    /// The nodes.
    pub nodes: BTreeSet<NodeId>,
    /// The edges, each with both ends in `nodes`.
    pub edges: BTreeSet<EdgeId>,
}

impl Subgraph {
    /// The whole graph.
    pub fn all(graph: &Graph) -> Subgraph {
        Subgraph {
            nodes: graph.node_ids().collect(),
            edges: graph.edge_ids().collect(),
        }
    }

    /// The given nodes with every edge among them.
    pub fn induced(graph: &Graph, nodes: impl IntoIterator<Item = NodeId>) -> Subgraph {
        let nodes: BTreeSet<NodeId> = nodes.into_iter().collect();
        let edges = nodes
            .iter()
            .flat_map(|n| graph.outgoing(*n))
            .filter(|(_, t)| nodes.contains(t))
            .map(|(e, _)| e)
            .collect();
        Subgraph { nodes, edges }
    }

    /// Every node within `depth` hops of `center`, in either direction, with the edges among them.
    pub fn around(graph: &Graph, center: NodeId, depth: usize) -> Subgraph {
        let mut seen = BTreeSet::from([center]);
        let mut frontier = vec![center];
        for _ in 0..depth {
            let mut next = Vec::new();
            for n in frontier {
                for (_, m) in graph.outgoing(n).chain(graph.incoming(n)) {
                    if seen.insert(m) {
                        next.push(m);
                    }
                }
            }
            frontier = next;
        }
        Subgraph::induced(graph, seen)
    }
}
