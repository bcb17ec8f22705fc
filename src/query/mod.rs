//! A subset of openCypher: parsing, planning and execution over the store.

pub mod error;
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

/// Runs one statement against the graph. A failed statement leaves the graph as it was.
pub fn execute(
    _graph: &mut Graph,
    _query: &str,
    _params: &BTreeMap<String, Value>,
    _opts: &ExecOptions,
) -> Result<QueryResult, QueryError> {
    Err(QueryError {
        kind: ErrorKind::SyntaxError,
        code: "NotImplemented".into(),
        phase: Phase::Compile,
        message: "the query language is not available yet".into(),
        span: None,
    })
}
