//! `pharmakg stats` and the shell's `:stats` and `:schema`: counts of what a graph holds.

use crate::store::persist::FileInfo;
use crate::store::Graph;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Writes `nodes: N` and `edges: N`, then the counts by label and type, then the file's size
/// and format version when known. Every count is a plain integer.
pub fn write_stats(graph: &Graph, file: Option<&FileInfo>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "nodes: {}", graph.node_count())?;
    writeln!(out, "edges: {}", graph.edge_count())?;
    let schema = graph.schema();
    write_counts(out, "labels", &schema.labels)?;
    write_counts(out, "types", &schema.types)?;
    if let Some(info) = file {
        writeln!(out, "file size (bytes): {}", info.size)?;
        writeln!(out, "format version: {}", info.version)?;
    }
    Ok(())
}

/// Writes the labels, relationship types and property keys with their counts.
pub fn write_schema(graph: &Graph, out: &mut dyn Write) -> io::Result<()> {
    let schema = graph.schema();
    write_counts(out, "labels", &schema.labels)?;
    write_counts(out, "types", &schema.types)?;
    write_counts(out, "node properties", &schema.node_keys)?;
    write_counts(out, "relationship properties", &schema.edge_keys)
}

fn write_counts(
    out: &mut dyn Write,
    title: &str,
    counts: &BTreeMap<String, usize>,
) -> io::Result<()> {
    writeln!(out, "{title}:")?;
    for (name, n) in counts {
        writeln!(out, "  {name}: {n}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    #[test]
    fn stats_start_with_node_and_edge_counts() {
        let mut g = Graph::new();
        let a = g.add_node(&["Drug"], &[("name", Value::from("a"))]);
        let b = g.add_node(&["Drug"], &[("name", Value::from("b"))]);
        let c = g.add_node(&["Enzyme"], &[]);
        g.add_edge(a, c, "METABOLIZED_BY", &[]).unwrap();
        g.add_edge(b, c, "METABOLIZED_BY", &[]).unwrap();
        g.add_edge(a, b, "INTERACTS_WITH", &[]).unwrap();
        let mut out = Vec::new();
        let info = FileInfo {
            version: 1,
            size: 321,
        };
        write_stats(&g, Some(&info), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "nodes: 3");
        assert_eq!(lines[1], "edges: 3");
        assert!(lines.contains(&"  Drug: 2"));
        assert!(lines.contains(&"  METABOLIZED_BY: 2"));
        assert!(lines.contains(&"file size (bytes): 321"));
        assert!(lines.contains(&"format version: 1"));
    }

    #[test]
    fn schema_lists_property_keys() {
        let mut g = Graph::new();
        let a = g.add_node(&["Drug"], &[("name", Value::from("a"))]);
        g.add_edge(a, a, "INTERACTS_WITH", &[("confidence", Value::Float(0.5))])
            .unwrap();
        let mut out = Vec::new();
        write_schema(&g, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("node properties:\n  name: 1\n"), "{text}");
        assert!(
            text.contains("relationship properties:\n  confidence: 1\n"),
            "{text}"
        );
    }
}
