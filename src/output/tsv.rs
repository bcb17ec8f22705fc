//! Tab-separated tables of facts and of entity mentions, one record a line, never quoted.
//!
//! Fields are made safe rather than quoted: every run of whitespace (tabs and line breaks
//! included) becomes one space, and then a backslash is written `\\`. Tab and line-break
//! characters therefore never reach the file; should one survive, it is written `\t`, `\n` or
//! `\r`, so a line is always one record and a tab always a field boundary.

use crate::model::Value;
use crate::output::subgraph::{LiveParts, Subgraph};
use crate::store::{Graph, NodeId, XREF};
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

/// The columns of the facts table, in order.
pub const FACTS_HEADER: [&str; 10] = [
    "doc",
    "subject",
    "subject_label",
    "subject_id",
    "relation",
    "object",
    "object_label",
    "object_id",
    "hedged",
    "sentence",
];

/// The columns of the entities table, in order.
pub const ENTITIES_HEADER: [&str; 3] = ["doc", "name", "label"];

/// A field as it is written: whitespace runs collapsed to one space, then backslash, tab and
/// line breaks escaped.
pub fn field(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                collapsed.push(' ');
            }
            in_space = true;
        } else {
            collapsed.push(c);
            in_space = false;
        }
    }
    let mut out = String::with_capacity(collapsed.len());
    for c in collapsed.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A property value as plain text: strings as they are, other values as openCypher prints
/// them.
pub fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn write_row<const N: usize>(out: &mut impl Write, fields: [&str; N]) -> io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\t")?;
        }
        out.write_all(field(f).as_bytes())?;
    }
    out.write_all(b"\n")
}

/// What a facts row says about one end of an edge.
struct End {
    name: String,
    label: String,
    xref: String,
}

fn end(graph: &Graph, n: NodeId) -> End {
    End {
        name: graph
            .node_prop(n, crate::store::NAME)
            .map(plain_text)
            .unwrap_or_default(),
        label: graph.node_labels(n).next().unwrap_or_default().to_string(),
        xref: graph.node_prop(n, XREF).map(plain_text).unwrap_or_default(),
    }
}

/// Writes the facts table: a header, then one row per (edge, document it was read from), or
/// a single row with empty `doc` and `sentence` for an edge without evidence.
///
/// When a document gives an edge several sentences, its row shows the earliest one in the
/// document, and `hedged` is `true` only if every sentence of that document hedges. Rows come
/// in edge index order, then document order.
pub fn write_facts(graph: &Graph, sub: &Subgraph, out: impl Write) -> io::Result<()> {
    // Writers emit many small pieces: buffer them, whatever `out` is.
    let mut out = BufWriter::new(out);
    write_row(&mut out, FACTS_HEADER)?;
    let LiveParts { edges, .. } = sub.live_parts(graph);
    for (e, s, t) in edges {
        let Some(edge) = graph.edge(e) else { continue };
        let (subj, obj) = (end(graph, s), end(graph, t));
        let relation = graph.resolve(edge.ty);
        let row = |out: &mut _, doc: &str, hedged: bool, sentence: &str| {
            write_row(
                out,
                [
                    doc,
                    &subj.name,
                    &subj.label,
                    &subj.xref,
                    relation,
                    &obj.name,
                    &obj.label,
                    &obj.xref,
                    if hedged { "true" } else { "false" },
                    sentence,
                ],
            )
        };
        if edge.evidence.is_empty() {
            row(&mut out, "", false, "")?;
            continue;
        }
        // Per document: the earliest sentence, and whether all of that document hedges.
        let mut by_doc: BTreeMap<&str, (&crate::model::Evidence, bool)> = BTreeMap::new();
        for ev in &edge.evidence {
            by_doc
                .entry(&*ev.doc)
                .and_modify(|(first, hedged)| {
                    if (ev.start, ev.end, &ev.sentence) < (first.start, first.end, &first.sentence)
                    {
                        *first = ev;
                    }
                    *hedged &= ev.hedged;
                })
                .or_insert((ev, ev.hedged));
        }
        for (doc, (first, hedged)) in by_doc {
            row(&mut out, doc, hedged, &first.sentence)?;
        }
    }
    out.flush()
}

/// Writes the entities table: a header, then one row per (node, document that mentions it),
/// in node index order, then document order. Nodes no document mentions have no row.
pub fn write_entities(graph: &Graph, sub: &Subgraph, out: impl Write) -> io::Result<()> {
    // Writers emit many small pieces: buffer them, whatever `out` is.
    let mut out = BufWriter::new(out);
    write_row(&mut out, ENTITIES_HEADER)?;
    let LiveParts { nodes, .. } = sub.live_parts(graph);
    for n in nodes {
        let Some(node) = graph.node(n) else { continue };
        let End { name, label, .. } = end(graph, n);
        for (doc, _) in &node.mentions {
            write_row(&mut out, [doc, &name, &label])?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_before_backslashes_are_escaped() {
        assert_eq!(field("a \t\n  b"), "a b");
        assert_eq!(field("C:\\dir\tx"), "C:\\\\dir x");
        assert_eq!(field("\r\n"), " ");
        assert_eq!(field("plain"), "plain");
    }

    #[test]
    fn plain_text_leaves_strings_unquoted() {
        assert_eq!(plain_text(&Value::from("MESH:D1")), "MESH:D1");
        assert_eq!(plain_text(&Value::Int(7)), "7");
    }
}
