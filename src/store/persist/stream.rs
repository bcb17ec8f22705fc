//! Decoding a graph file's records straight into a graph: the nodes are gathered and
//! handed to the bulk builder (which indexes them on a second thread), then each edge is
//! checked and inserted as soon as it is decoded, so that the millions of edges of a large file
//! never sit in a second list.
//!
//! The layout read is exactly [`GraphRecords`]'s serde form (a struct of symbols, nodes and
//! edges), so files stay interchangeable with plain records.

use super::checked::{FileEdge, FileNode};
use crate::model::{Edge, Node};
use crate::store::bulk::{self, EdgeSink, Unfinished};
use crate::store::StoreError;
use serde::de::{DeserializeSeed, Deserializer, Error as _, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Builds a graph while decoding. A refusal by the store is kept in `failure`, so that the
/// caller reports it in the store's own words rather than as a decoder message.
pub(super) struct GraphSeed<'f> {
    pub(super) failure: &'f RefCell<Option<StoreError>>,
    /// The most edges the payload can hold, so that a forged count reserves nothing more.
    pub(super) max_edges: usize,
}

impl<'de> DeserializeSeed<'de> for GraphSeed<'_> {
    type Value = Unfinished;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Unfinished, D::Error> {
        deserializer.deserialize_struct("GraphRecords", &["symbols", "nodes", "edges"], self)
    }
}

impl<'de> Visitor<'de> for GraphSeed<'_> {
    type Value = Unfinished;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("graph records: symbols, nodes and edges")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unfinished, A::Error> {
        let symbols: Vec<String> = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(0, &self))?;
        let nodes: Vec<FileNode> = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(1, &self))?;
        let nodes = nodes.into_iter().map(Node::from).collect();
        bulk::build(
            symbols,
            nodes,
            |e| self.fail(e),
            |sink, _| {
                let edges = EdgesSeed {
                    sink,
                    max_edges: self.max_edges,
                };
                seq.next_element_seed(edges)?
                    .ok_or_else(|| A::Error::invalid_length(2, &self))
            },
        )
    }
}

impl GraphSeed<'_> {
    fn fail<E: serde::de::Error>(&self, e: StoreError) -> E {
        let message = e.to_string();
        *self.failure.borrow_mut() = Some(e);
        E::custom(message)
    }
}

/// Feeds the edge list to the loader as it is decoded.
struct EdgesSeed<'l> {
    sink: &'l mut EdgeSink,
    max_edges: usize,
}

impl<'de> DeserializeSeed<'de> for EdgesSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EdgesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of edges")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // The declared count is trusted only as far as the payload could hold that many edges.
        let hint = seq.size_hint().unwrap_or(0).min(self.max_edges);
        self.sink.reserve(hint).map_err(A::Error::custom)?;
        while let Some((src, dst, edge)) = seq.next_element::<(u32, u32, FileEdge)>()? {
            self.sink
                .push(src, dst, Edge::from(edge))
                .map_err(A::Error::custom)?;
        }
        Ok(())
    }
}
