//! Decoding a graph file's records straight into a [`Graph`]: the nodes are gathered and
//! handed to [`Graph::from_records`], then each edge is checked and inserted as soon as it is
//! decoded, so that the millions of edges of a large file never sit in a second list.
//!
//! The layout read is exactly [`GraphRecords`]'s serde form (a struct of symbols, nodes and
//! edges), so files stay interchangeable with plain records.

use super::checked::{FileEdge, FileNode};
use crate::model::{Edge, Node};
use crate::store::{Graph, GraphRecords, NodeId, StoreError};
use serde::de::{DeserializeSeed, Deserializer, Error as _, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Builds a graph while decoding. A refusal by the store is kept in `failure`, so that the
/// caller reports it in the store's own words rather than as a decoder message.
pub(super) struct GraphSeed<'f> {
    pub(super) failure: &'f RefCell<Option<StoreError>>,
}

impl<'de> DeserializeSeed<'de> for GraphSeed<'_> {
    type Value = Graph;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Graph, D::Error> {
        deserializer.deserialize_struct("GraphRecords", &["symbols", "nodes", "edges"], self)
    }
}

impl<'de> Visitor<'de> for GraphSeed<'_> {
    type Value = Graph;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("graph records: symbols, nodes and edges")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Graph, A::Error> {
        let symbols: Vec<String> = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(0, &self))?;
        let nodes: Vec<FileNode> = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(1, &self))?;
        let records = GraphRecords {
            symbols,
            nodes: nodes.into_iter().map(Node::from).collect(),
            edges: Vec::new(),
        };
        let mut graph = Graph::from_records(records).map_err(|e| self.fail(e))?;
        let edges = EdgesSeed {
            graph: &mut graph,
            failure: self.failure,
        };
        seq.next_element_seed(edges)?
            .ok_or_else(|| A::Error::invalid_length(2, &self))?;
        Ok(graph)
    }
}

impl GraphSeed<'_> {
    fn fail<E: serde::de::Error>(&self, e: StoreError) -> E {
        let message = e.to_string();
        *self.failure.borrow_mut() = Some(e);
        E::custom(message)
    }
}

/// Inserts the edge list into a graph that already holds its nodes.
struct EdgesSeed<'g, 'f> {
    graph: &'g mut Graph,
    failure: &'f RefCell<Option<StoreError>>,
}

impl<'de> DeserializeSeed<'de> for EdgesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EdgesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of edges")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let nodes = self.graph.node_count();
        let fail = |e: StoreError| {
            let message = e.to_string();
            *self.failure.borrow_mut() = Some(e);
            A::Error::custom(message)
        };
        while let Some((src, dst, edge)) = seq.next_element::<(u32, u32, FileEdge)>()? {
            let edge = Edge::from(edge);
            // The same checks as Graph::from_records, edge by edge.
            let interner = self.graph.interner();
            if !interner.contains(edge.ty) {
                return Err(fail(StoreError::InvalidRecords(format!(
                    "type symbol {} out of range",
                    edge.ty.0
                ))));
            }
            if let Some((k, _)) = edge.props.iter().find(|(k, _)| !interner.contains(*k)) {
                return Err(fail(StoreError::InvalidRecords(format!(
                    "property key symbol {} out of range",
                    k.0
                ))));
            }
            if src as usize >= nodes || dst as usize >= nodes {
                return Err(fail(StoreError::InvalidRecords(format!(
                    "relationship endpoint {} out of range",
                    src.max(dst)
                ))));
            }
            self.graph
                .insert_edge(NodeId::new(src as usize), NodeId::new(dst as usize), edge)
                .map_err(fail)?;
        }
        Ok(())
    }
}
