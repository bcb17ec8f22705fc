//! `pharmakg import`: nodes.csv and edges.csv into a .kg file.

use super::graph_file;
use super::progress::{Bar, Unit};
use super::ImportArgs;
use crate::error::Error;

/// Imports the two CSV files and saves the graph; reports the counts on stderr.
pub fn run(a: &ImportArgs) -> Result<(), Error> {
    let mut total = 0;
    for path in [&a.nodes, &a.edges] {
        let meta = std::fs::metadata(path).map_err(|e| Error::File {
            path: path.clone(),
            message: graph_file::one_line(&e.to_string()),
        })?;
        if meta.is_dir() {
            return Err(Error::File {
                path: path.clone(),
                message: "is a folder, not a CSV file".into(),
            });
        }
        total += meta.len();
    }
    let bar = Bar::new("importing", total, Unit::Bytes);
    let result = crate::import::import_csv(&a.nodes, &a.edges, Some(&bar));
    bar.finish();
    let graph = result?;
    graph_file::save(&graph, &a.output)?;
    eprintln!(
        "imported {} nodes and {} edges into {}",
        graph.node_count(),
        graph.edge_count(),
        a.output.display()
    );
    Ok(())
}
