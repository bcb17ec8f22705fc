//! Query results: a typed table whose cells may be nodes, relationships and paths.

use crate::store::{EdgeId, NodeId};
use std::collections::BTreeMap;

/// A value a query produces: a property value, or a graph element or path.
#[derive(Clone, Debug, PartialEq)]
pub enum QValue {
    /// null.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    List(Vec<QValue>),
    /// A map.
    Map(BTreeMap<String, QValue>),
    /// A node of the graph.
    Node(NodeId),
    /// A relationship of the graph.
    Rel(EdgeId),
    /// A path: nodes and the relationships between consecutive ones.
    Path(PathValue),
}

/// A path: `nodes.len() == rels.len() + 1`; each relationship joins its neighbours in either
/// direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathValue {
    /// The nodes along the path.
    pub nodes: Vec<NodeId>,
    /// The relationships along the path.
    pub rels: Vec<EdgeId>,
}

/// A query's result: named columns and rows of values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    /// Column names: the alias, or the item's source text.
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<QValue>>,
}
