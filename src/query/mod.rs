//! A subset of openCypher: parsing, planning and execution over the store.

pub mod ast;
pub mod error;
pub mod exec;
pub mod expr;
pub mod funcs;
pub mod matcher;
pub mod parser;
pub mod plan;
pub mod result;

pub use error::{ErrorKind, Phase, QueryError};
pub use result::{PathValue, QValue, QueryResult};

use crate::model::Value;
use crate::store::Graph;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Limits and cancellation for one query.
#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// The most rows a result may hold before the query stops with an error.
    pub max_rows: usize,
    /// The longest a query may run before it stops with an error.
    pub timeout: Duration,
    /// Set to true from elsewhere (Ctrl-C) to cancel the running query.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            max_rows: 1_000_000,
            timeout: Duration::from_secs(60),
            cancel: None,
        }
    }
}

/// Parses and checks a statement without running it.
pub fn prepare(query: &str) -> Result<ast::Query, QueryError> {
    let q = parser::parse(query)?;
    plan::check(&q)?;
    Ok(q)
}

/// Runs one statement against the graph. A failed statement leaves the graph as it was.
pub fn execute(
    graph: &mut Graph,
    query: &str,
    params: &BTreeMap<String, Value>,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    let q = prepare(query)?;
    exec::Executor::new(graph, params, opts).run(&q)
}
