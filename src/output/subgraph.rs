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

/// What [`Subgraph::live_parts`] finds: nodes and edges in index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveParts {
    /// The live nodes.
    pub nodes: Vec<NodeId>,
    /// The live edges among them, as (edge, source, target).
    pub edges: Vec<(EdgeId, NodeId, NodeId)>,
}

impl Subgraph {
    /// The whole graph.
    pub fn all(graph: &Graph) -> Subgraph {
        Subgraph {
            nodes: graph.node_ids().collect(),
            edges: graph.edge_ids().collect(),
        }
    }

    /// The parts of the subgraph that are still in `graph`: live nodes, and live edges whose
    /// two ends are among them, each with its (source, target). Writers export these, so a
    /// subgraph that went stale after deletions is written as far as it still holds.
    pub fn live_parts(&self, graph: &Graph) -> LiveParts {
        let nodes = self
            .nodes
            .iter()
            .copied()
            .filter(|n| graph.node(*n).is_some())
            .collect();
        let edges = self
            .edges
            .iter()
            .filter_map(|e| {
                let (s, t) = graph.endpoints(*e)?;
                (self.nodes.contains(&s) && self.nodes.contains(&t)).then_some((*e, s, t))
            })
            .collect();
        LiveParts { nodes, edges }
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
