//! JSON of a subgraph: every node with its labels, properties and mentions, and every edge with
//! its properties and evidence.
//!
//! The document is streamed, never built in memory:
//!
//! ```json
//! {"nodes":[{"id":0,"labels":["Drug"],"properties":{"name":"ketamine"},
//!            "mentions":[{"doc":"a.txt","count":2}]}],
//!  "edges":[{"id":0,"source":0,"target":1,"type":"ANTAGONIZES",
//!            "properties":{"confidence":0.9},
//!            "evidence":[{"doc":"a.txt","sentence":"...","start":0,"end":42,"hedged":false}]}]}
//! ```
//!
//! `id`, `source` and `target` are the store's node and edge indices. JSON has no NaN or
//! infinity, so such floats are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`
//! (the spellings JavaScript's `Number()` and Python's `float()` read back).

use crate::model::Value;
use crate::output::subgraph::{LiveParts, Subgraph};
use crate::store::{EdgeId, Graph, NodeId};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::io::{self, BufWriter, Write};

/// Whether the JSON is indented for people or packed for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonLayout {
    /// One line.
    #[default]
    Compact,
    /// Indented, one field a line.
    Pretty,
}

/// A property value as JSON: null, booleans, integers, strings, lists and maps as themselves,
/// finite floats as numbers and the others as strings (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct JsonValue<'a>(pub &'a Value);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => s.serialize_str(non_finite(*f)),
            Value::String(text) => s.serialize_str(text),
            Value::List(items) => s.collect_seq(items.iter().map(JsonValue)),
            Value::Map(m) => s.collect_map(m.iter().map(|(k, v)| (k, JsonValue(v)))),
        }
    }
}

/// The text written for a float JSON cannot hold.
pub fn non_finite(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// A property list as a JSON object keyed by property name.
struct PropsJson<'a> {
    graph: &'a Graph,
    props: &'a crate::model::Props,
}

impl Serialize for PropsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.props.len()))?;
        for (k, v) in self.props {
            map.serialize_entry(self.graph.resolve(*k), &JsonValue(v))?;
        }
        map.end()
    }
}

struct NodeJson<'a> {
    graph: &'a Graph,
    id: NodeId,
}

impl Serialize for NodeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Node", 4)?;
        st.serialize_field("id", &self.id.index())?;
        let labels: Vec<&str> = self.graph.node_labels(self.id).collect();
        st.serialize_field("labels", &labels)?;
        match self.graph.node(self.id) {
            Some(node) => {
                st.serialize_field(
                    "properties",
                    &PropsJson {
                        graph: self.graph,
                        props: &node.props,
                    },
                )?;
                st.serialize_field("mentions", &Mentions(&node.mentions))?;
            }
            None => {
                st.serialize_field("properties", &serde_json::Map::new())?;
                st.serialize_field("mentions", &[(); 0])?;
            }
        }
        st.end()
    }
}

struct Mentions<'a>(&'a [(crate::model::DocName, u32)]);

impl Serialize for Mentions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Mention<'b> {
            doc: &'b str,
            count: u32,
        }
        s.collect_seq(
            self.0
                .iter()
                .map(|(doc, count)| Mention { doc, count: *count }),
        )
    }
}

struct EdgeJson<'a> {
    graph: &'a Graph,
    id: EdgeId,
    source: NodeId,
    target: NodeId,
}

impl Serialize for EdgeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Edge", 6)?;
        st.serialize_field("id", &self.id.index())?;
        st.serialize_field("source", &self.source.index())?;
        st.serialize_field("target", &self.target.index())?;
        st.serialize_field("type", self.graph.edge_type(self.id).unwrap_or_default())?;
        match self.graph.edge(self.id) {
            Some(edge) => {
                st.serialize_field(
                    "properties",
                    &PropsJson {
                        graph: self.graph,
                        props: &edge.props,
                    },
                )?;
                st.serialize_field("evidence", &edge.evidence)?;
            }
            None => {
                st.serialize_field("properties", &serde_json::Map::new())?;
                st.serialize_field("evidence", &[(); 0])?;
            }
        }
        st.end()
    }
}

struct NodesJson<'a> {
    graph: &'a Graph,
    nodes: &'a [NodeId],
}

impl Serialize for NodesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let graph = self.graph;
        s.collect_seq(self.nodes.iter().map(|&id| NodeJson { graph, id }))
    }
}

struct EdgesJson<'a> {
    graph: &'a Graph,
    edges: &'a [(EdgeId, NodeId, NodeId)],
}

impl Serialize for EdgesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let graph = self.graph;
        s.collect_seq(self.edges.iter().map(|&(id, source, target)| EdgeJson {
            graph,
            id,
            source,
            target,
        }))
    }
}

/// The whole document, serialised lazily from the graph.
struct GraphJson<'a> {
    graph: &'a Graph,
    nodes: &'a [NodeId],
    edges: &'a [(EdgeId, NodeId, NodeId)],
}

impl Serialize for GraphJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Graph", 2)?;
        st.serialize_field(
            "nodes",
            &NodesJson {
                graph: self.graph,
                nodes: self.nodes,
            },
        )?;
        st.serialize_field(
            "edges",
            &EdgesJson {
                graph: self.graph,
                edges: self.edges,
            },
        )?;
        st.end()
    }
}

/// Writes `sub` as one JSON document followed by a newline. Nodes and edges appear in index
/// order; edges whose ends are not both in the subgraph are left out.
pub fn write_json(
    graph: &Graph,
    sub: &Subgraph,
    layout: JsonLayout,
    out: impl Write,
) -> io::Result<()> {
    // Writers emit many small pieces: buffer them, whatever `out` is.
    let mut out = BufWriter::new(out);
    let LiveParts { nodes, edges } = sub.live_parts(graph);
    let doc = GraphJson {
        graph,
        nodes: &nodes,
        edges: &edges,
    };
    match layout {
        JsonLayout::Compact => serde_json::to_writer(&mut out, &doc)?,
        JsonLayout::Pretty => serde_json::to_writer_pretty(&mut out, &doc)?,
    }
    writeln!(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &Value) -> String {
        serde_json::to_string(&JsonValue(v)).unwrap_or_default()
    }

    #[test]
    fn floats_json_cannot_hold_become_strings() {
        assert_eq!(json(&Value::Float(f64::NAN)), r#""NaN""#);
        assert_eq!(json(&Value::Float(f64::INFINITY)), r#""Infinity""#);
        assert_eq!(json(&Value::Float(f64::NEG_INFINITY)), r#""-Infinity""#);
        assert_eq!(json(&Value::Float(0.5)), "0.5");
        assert_eq!(json(&Value::Float(2.0)), "2.0");
    }

    #[test]
    fn nested_values_keep_their_shape() {
        let v = Value::List(vec![
            Value::Int(1),
            Value::Null,
            Value::Map([("k".to_string(), Value::Bool(true))].into()),
        ]);
        assert_eq!(json(&v), r#"[1,null,{"k":true}]"#);
    }
}
