//! A subset of openCypher: parsing, planning and execution over the store.

pub mod aggregate;
pub mod ast;
pub mod error;
pub mod exec;
pub mod explain;
pub mod expr;
pub mod funcs;
pub mod matcher;
pub mod parser;
pub mod plan;
pub mod prop_groups;
pub mod result;
pub mod shortcut;
pub mod two_hop;

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

/// Parses and checks a statement, EXPLAIN or PROFILE prefix included, without running it.
pub fn prepare_statement(query: &str) -> Result<ast::Statement, QueryError> {
    let st = parser::parse_statement(query)?;
    plan::check(&st.query)?;
    Ok(st)
}

/// Runs one statement against the graph. A failed statement leaves the graph as it was.
/// `EXPLAIN` returns the plan (one `plan` row per operator) without running the query;
/// `PROFILE` runs it and returns the plan with the rows and time measured.
pub fn execute(
    graph: &mut Graph,
    query: &str,
    params: &BTreeMap<String, Value>,
    opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    let st = prepare_statement(query)?;
    let result = run_statement(graph, params, opts, &st);
    // An editing statement leaves its new edges in the adjacency's overlay; fold them in once
    // there are enough of them for the rebuild to pay.
    graph.settle();
    result
}

fn run_statement(
    graph: &mut Graph,
    params: &BTreeMap<String, Value>,
    opts: &ExecOptions,
    st: &ast::Statement,
) -> Result<QueryResult, QueryError> {
    match st.mode {
        ast::Mode::Run => exec::Executor::new(graph, params, opts).run(&st.query),
        ast::Mode::Explain => Ok(explain::plan(graph, params, &st.query, None)?.to_result()),
        ast::Mode::Profile => {
            let stats = {
                let mut ex = exec::Executor::new(graph, params, opts).profiling();
                ex.run(&st.query)?;
                ex.take_profile()
            };
            Ok(explain::plan(graph, params, &st.query, Some(&stats))?.to_result())
        }
    }
}
