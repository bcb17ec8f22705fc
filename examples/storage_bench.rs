//! Times the storage path on one data set: CSV import, .kg save, .kg load.
//!
//! Usage: `storage_bench <nodes.csv> <edges.csv> <out.kg> [import|load|phases|all]`
//!
//! Prints `key=value` lines (seconds, counts, file size) for the comparison script; run it
//! under `/usr/bin/time -v` to see peak memory. `load` only loads an existing .kg file, so its
//! peak memory is that of loading alone.

use pharmakg::store::persist;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: storage_bench <nodes.csv> <edges.csv> <out.kg> [import|load|phases|all]");
        return ExitCode::from(2);
    }
    let (nodes, edges, kg) = (
        PathBuf::from(&args[0]),
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
    );
    let mode = args.get(3).map_or("all", String::as_str);
    match run(&nodes, &edges, &kg, mode) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    nodes: &std::path::Path,
    edges: &std::path::Path,
    kg: &std::path::Path,
    mode: &str,
) -> Result<(), pharmakg::Error> {
    if mode == "import" || mode == "all" {
        let t = Instant::now();
        let graph = pharmakg::import::import_csv(nodes, edges, None)?;
        println!("import_s={:.3}", t.elapsed().as_secs_f64());
        println!("nodes={}", graph.node_count());
        println!("edges={}", graph.edge_count());
        let t = Instant::now();
        persist::save(&graph, kg)?;
        println!("save_s={:.3}", t.elapsed().as_secs_f64());
        println!("kg_bytes={}", persist::file_info(kg)?.size);
    }
    if mode == "load" || mode == "all" {
        let t = Instant::now();
        let graph = persist::load(kg)?;
        println!("load_s={:.3}", t.elapsed().as_secs_f64());
        println!("loaded_nodes={}", graph.node_count());
        println!("loaded_edges={}", graph.edge_count());
    }
    if mode == "phases" {
        // Where loading spends its time: reading, checking and decoding, then building.
        let t = Instant::now();
        let bytes = std::fs::read(kg).map_err(|e| pharmakg::Error::Other(e.to_string()))?;
        println!("read_s={:.3}", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let records = persist::records_from_bytes(&bytes, kg)?;
        println!("decode_s={:.3}", t.elapsed().as_secs_f64());
        drop(bytes);
        let t = Instant::now();
        let graph = pharmakg::Graph::from_records(records)?;
        println!("build_s={:.3}", t.elapsed().as_secs_f64());
        println!("loaded_edges={}", graph.edge_count());
    }
    Ok(())
}
