//! Curation: hand-made corrections applied after every build — facts to reject and facts to
//! add — from graphs/curation.tsv and the user's own files.

use crate::error::Error;
use crate::ingest::{EntitySpec, Ingest};
use crate::model::Evidence;
use crate::store::{EdgeId, Graph, NodeId};

/// The built-in curation file.
pub const BUILTIN: &str = include_str!("../../graphs/curation.tsv");

/// One curation line.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Remove the fact (subject, relation, object) wherever the names resolve.
    Reject {
        /// Subject name or alias.
        subject: String,
        /// Relationship type.
        relation: String,
        /// Object name or alias.
        object: String,
    },
    /// Add a fact between two entities, creating them as needed.
    Add {
        /// Subject name.
        subject: String,
        /// Subject label.
        subject_label: String,
        /// Relationship type.
        relation: String,
        /// Object name.
        object: String,
        /// Object label.
        object_label: String,
        /// Where the rule was written, kept as the fact's evidence.
        source: String,
        /// The line, kept as the fact's evidence sentence.
        line: String,
    },
}

/// Parses a curation file; malformed lines are reported as `file:line: message` and skipped.
pub fn parse(file: &str, text: &str) -> (Vec<Rule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut issues = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let bad = |m: &str| format!("{file}:{}: {m}", i + 1);
        match cols.first().map(|c| c.to_ascii_lowercase()).as_deref() {
            Some("reject") if cols.len() == 4 && cols[1..].iter().all(|c| !c.is_empty()) => {
                rules.push(Rule::Reject {
                    subject: cols[1].to_string(),
                    relation: cols[2].to_ascii_uppercase(),
                    object: cols[3].to_string(),
                })
            }
            Some("add") if cols.len() == 6 && cols[1..].iter().all(|c| !c.is_empty()) => {
                rules.push(Rule::Add {
                    subject: cols[1].to_string(),
                    subject_label: cols[2].to_string(),
                    relation: cols[3].to_ascii_uppercase(),
                    object: cols[4].to_string(),
                    object_label: cols[5].to_string(),
                    source: file.to_string(),
                    line: line.to_string(),
                })
            }
            Some("reject") => issues.push(bad(
                "expected reject<TAB>subject<TAB>RELATION<TAB>object",
            )),
            Some("add") => issues.push(bad(
                "expected add<TAB>subject<TAB>subject_label<TAB>RELATION<TAB>object<TAB>object_label",
            )),
            _ => issues.push(bad("a curation line starts with `reject` or `add`")),
        }
    }
    (rules, issues)
}

fn nodes_for(g: &Graph, name: &str) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = g.nodes_named(name).to_vec();
    out.extend(g.resolve_alias(name).iter().copied());
    out.sort();
    out.dedup();
    out
}

/// Adds the facts of `add` rules, through ingestion so that names merge as usual.
pub fn apply_adds(ingest: &mut Ingest, rules: &[Rule]) -> Result<(), Error> {
    for rule in rules {
        if let Rule::Add {
            subject,
            subject_label,
            relation,
            object,
            object_label,
            source,
            line,
        } = rule
        {
            let s = ingest.entity(&EntitySpec::new(subject, subject_label));
            let o = ingest.entity(&EntitySpec::new(object, object_label));
            let evidence = Evidence {
                doc: source.as_str().into(),
                sentence: line.clone(),
                start: 0,
                end: 0,
                hedged: false,
            };
            ingest.fact(s, relation, o, 1.0, Some(evidence))?;
        }
    }
    Ok(())
}

/// Removes the facts of `reject` rules; returns how many edges went.
pub fn apply_rejects(graph: &mut Graph, rules: &[Rule]) -> Result<usize, Error> {
    let mut removed = 0;
    for rule in rules {
        if let Rule::Reject {
            subject,
            relation,
            object,
        } = rule
        {
            let Some(ty) = graph.sym(relation) else {
                continue;
            };
            let objects = nodes_for(graph, object);
            let mut doomed: Vec<EdgeId> = Vec::new();
            for s in nodes_for(graph, subject) {
                doomed.extend(
                    graph
                        .outgoing_typed(s, ty)
                        .filter(|(_, t)| objects.contains(t))
                        .map(|(e, _)| e),
                );
            }
            for e in doomed {
                graph.remove_edge(e)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}
