//! Writers of results and graphs: tables, JSON, CSV, TSV and Graphviz.
//!
//! Every writer takes `impl Write` (or a folder), so the library never prints.

pub mod csv;
pub mod dot;
pub mod json;
pub mod render;
pub mod results;
pub mod subgraph;
pub mod table;
pub mod tsv;

pub use subgraph::Subgraph;
