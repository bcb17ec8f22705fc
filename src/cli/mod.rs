//! The command line: `pharmakg [GRAPH]`, `repl`, `query`, `build`, `import`, `export`, `stats`.
//!
//! Results go to stdout, messages to stderr. Every failure comes back to `main` as an
//! [`Error`], which prints it once and exits with 1; clap's usage errors exit with 2.

pub mod build;
pub mod export;
pub mod exporters;
pub mod graph_file;
pub mod import;
pub mod progress;
pub mod query;
pub mod stats;

use crate::error::Error;
use crate::output::results::ResultFormat;
use clap::{Args, Parser, Subcommand};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Typed knowledge graphs from pharmacology and addiction-medicine text, explored with a subset
/// of openCypher. With no command, opens the interactive shell on GRAPH (or on the built-in
/// pharmacology graph).
#[derive(Debug, Parser)]
#[command(name = "pharmakg", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; the shell when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The graph file (.kg) to open in the shell; the built-in graph when omitted.
    pub graph: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interactive shell on a graph (the built-in graph when none is given).
    Repl(ReplArgs),
    /// Run a query (or a script of them) against a graph and print the results.
    Query(QueryArgs),
    /// Read text files into a graph.
    Build(BuildArgs),
    /// Import a graph from nodes.csv and edges.csv.
    Import(ImportArgs),
    /// Write a graph (or the part around one entity) as DOT, SVG, PNG, JSON, TSV or CSV.
    Export(ExportArgs),
    /// Count a graph's nodes and relationships, by label and type.
    Stats(StatsArgs),
}

/// Arguments of `pharmakg repl`.
#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The graph file (.kg) to open; the built-in graph when omitted.
    pub graph: Option<PathBuf>,
}

/// Arguments of `pharmakg query`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["query", "file"])))]
pub struct QueryArgs {
    /// The graph file (.kg).
    pub graph: PathBuf,
    /// The statement to run.
    pub query: Option<String>,
    /// Run a script of `;`-separated statements from FILE (`//` comments allowed).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "query"
    )]
    pub file: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
    pub format: ResultFormat,
    /// A query parameter, used as $name; the value reads as a literal (1, 0.5, true, null,
    /// 'text' or bare text). Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Write changes back to GRAPH (otherwise they are dropped).
    #[arg(long)]
    pub save: bool,
    /// Stop a query whose result grows past N rows.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Stop a query that runs longer than SECS seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Time a read query: one warm-up, then N runs; prints
    /// `runs=N median_ms=X min_ms=Y rows=R` on stderr.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: Option<u32>,
}

/// Arguments of `pharmakg build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Text files and folders to read (.txt, .md, .html, PubTator).
    #[arg(required = true, value_name = "FILES|FOLDERS")]
    pub inputs: Vec<PathBuf>,
    /// The graph file to write.
    #[arg(short, long, value_name = "GRAPH.kg")]
    pub output: PathBuf,
    /// An extra lexicon file (TSV), added to the built-in lexicon. Repeatable.
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    /// An extra curation file, applied after the built-in one. Repeatable.
    #[arg(long = "curation", value_name = "FILE")]
    pub curation: Vec<PathBuf>,
    /// Start from this existing graph instead of an empty one.
    #[arg(long, value_name = "EXISTING.kg")]
    pub into: Option<PathBuf>,
}

/// Arguments of `pharmakg import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The nodes file: id,label,name[,more properties].
    #[arg(long, value_name = "NODES.csv")]
    pub nodes: PathBuf,
    /// The edges file: src,dst,type,confidence[,more properties].
    #[arg(long, value_name = "EDGES.csv")]
    pub edges: PathBuf,
    /// The graph file to write.
    #[arg(short, long, value_name = "GRAPH.kg")]
    pub output: PathBuf,
}

/// Arguments of `pharmakg export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The graph file (.kg).
    pub graph: PathBuf,
    /// The output format.
    #[arg(long, value_enum)]
    pub format: export::ExportFormat,
    /// The file to write (a folder for csv and neo4j); stdout when omitted.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// Export only the part around this entity (a name or alias).
    #[arg(long, value_name = "NAME")]
    pub around: Option<String>,
    /// How many hops around --around to include.
    #[arg(long, value_name = "K", default_value_t = 1, requires = "around")]
    pub depth: usize,
    /// Graphviz layout direction for dot, svg and png (LR, RL, TB, BT).
    #[arg(long, value_name = "DIR", ignore_case = true, value_parser = ["LR", "RL", "TB", "BT"])]
    pub rankdir: Option<String>,
}

/// Arguments of `pharmakg stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The graph file (.kg).
    pub graph: PathBuf,
}

/// Runs the parsed command line; the exit code is for outcomes that are not errors of their
/// own (a scripted shell session in which some statement failed).
pub fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        None => crate::repl::run(cli.graph.as_deref()),
        Some(Command::Repl(a)) => crate::repl::run(a.graph.as_deref()),
        Some(Command::Query(a)) => query::run(&a).map(|()| ExitCode::SUCCESS),
        Some(Command::Build(a)) => build::run(&a).map(|()| ExitCode::SUCCESS),
        Some(Command::Import(a)) => import::run(&a).map(|()| ExitCode::SUCCESS),
        Some(Command::Export(a)) => run_export(&a).map(|()| ExitCode::SUCCESS),
        Some(Command::Stats(a)) => run_stats(&a).map(|()| ExitCode::SUCCESS),
    }
}

fn run_export(a: &ExportArgs) -> Result<(), Error> {
    let graph = graph_file::load(&a.graph)?;
    let req = export::ExportRequest {
        format: a.format,
        target: a.output.as_deref(),
        around: a.around.as_deref(),
        depth: a.depth,
        rankdir: a.rankdir.as_deref(),
    };
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    export::export(&graph, &req, &mut lock)
}

fn run_stats(a: &StatsArgs) -> Result<(), Error> {
    let graph = graph_file::load(&a.graph)?;
    let info = crate::store::persist::file_info(&a.graph).map_err(|e| Error::File {
        path: a.graph.clone(),
        message: graph_file::one_line(&e.to_string()),
    })?;
    let mut buf = Vec::new();
    stats::write_stats(&graph, Some(&info), &mut buf).map_err(stdout_error)?;
    write_stdout(&buf)
}

/// Writes bytes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(stdout_error(e)),
        _ => Ok(()),
    }
}

/// An error writing results to stdout.
pub fn stdout_error(e: io::Error) -> Error {
    Error::Other(format!("writing to stdout: {e}"))
}
