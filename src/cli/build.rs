//! `pharmakg build`: text files into a graph, with a summary of what was read.

use super::graph_file;
use super::progress::{Bar, Unit};
use super::BuildArgs;
use crate::error::Error;
use crate::extract::{build_into, BuildReport, BuildRequest};
use crate::store::Graph;
use std::io::{self, Write};

/// Builds (or extends, with `--into`) a graph from the inputs, saves it and prints the summary
/// on stderr.
pub fn run(a: &BuildArgs) -> Result<(), Error> {
    for input in a.inputs.iter().chain(&a.lexicons).chain(&a.curation) {
        if !input.exists() {
            return Err(Error::File {
                path: input.clone(),
                message: "no such file or folder".into(),
            });
        }
    }
    let mut graph = match &a.into {
        Some(existing) => graph_file::load(existing)?,
        None => Graph::new(),
    };
    let request = BuildRequest {
        inputs: a.inputs.clone(),
        lexicons: a.lexicons.clone(),
        curation: a.curation.clone(),
    };
    let bar = Bar::new("reading", 0, Unit::Files);
    let result = build_into(&mut graph, &request, &|done, total| bar.update(done, total));
    bar.finish();
    let report = result?;
    graph.compact();
    graph_file::save(&graph, &a.output)?;
    let mut err = io::stderr().lock();
    // The graph is written; a failure to print the summary is not worth failing for.
    let _ = write_summary(&report, &graph, &a.output.display().to_string(), &mut err);
    Ok(())
}

/// Writes the build summary: what was read, the facts by type, and any skipped files and
/// warnings.
pub fn write_summary(
    report: &BuildReport,
    graph: &Graph,
    target: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "read {} documents, {} sentences, {} entity mentions",
        report.documents, report.sentences, report.mentions
    )?;
    let facts: usize = report.facts_by_type.values().sum();
    writeln!(out, "added {facts} facts:")?;
    for (ty, n) in &report.facts_by_type {
        writeln!(out, "  {ty}: {n}")?;
    }
    for (path, why) in &report.skipped {
        writeln!(out, "skipped {}: {why}", path.display())?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(
        out,
        "wrote {target}: {} nodes, {} edges",
        graph.node_count(),
        graph.edge_count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lists_facts_skips_and_warnings() {
        let mut report = BuildReport {
            documents: 2,
            sentences: 10,
            mentions: 7,
            ..Default::default()
        };
        report.facts_by_type.insert("TREATS".into(), 3);
        report.facts_by_type.insert("CAUSES".into(), 1);
        report
            .skipped
            .push(("notes.bin".into(), "not a text file".into()));
        report.warnings.push("a.txt: invalid UTF-8 replaced".into());
        let mut out = Vec::new();
        write_summary(&report, &Graph::new(), "g.kg", &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("read 2 documents, 10 sentences, 7 entity mentions\n"));
        assert!(
            text.contains("added 4 facts:\n  CAUSES: 1\n  TREATS: 3\n"),
            "{text}"
        );
        assert!(text.contains("skipped notes.bin: not a text file"));
        assert!(text.contains("warning: a.txt: invalid UTF-8 replaced"));
        assert!(text.ends_with("wrote g.kg: 0 nodes, 0 edges\n"));
    }
}
