//! pharmakg: typed knowledge graphs from pharmacology and addiction-medicine text.
//!
//! Text flows one way: [`extract`] reads documents into candidate facts, [`ingest`] merges them
//! into the [`store`], [`query`] answers a subset of openCypher over it, and [`output`] writes
//! tables, JSON, CSV, TSV and Graphviz. The [`repl`] and [`cli`] are thin shells over these.

pub mod cli;
pub mod error;
pub mod extract;
pub mod import;
pub mod ingest;
pub mod model;
pub mod output;
pub mod query;
pub mod repl;
pub mod store;

pub use error::Error;
pub use model::{Edge, Evidence, Node, Sym, Value};
pub use store::{EdgeId, Graph, NodeId};
