//! The crate's error type: one enum of per-area errors.

use std::path::PathBuf;

/// Every failure the library reports, by area.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A store operation was refused.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A graph file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong, in one line.
        message: String,
    },
    /// Input data (CSV, TSV, text) was malformed.
    #[error("{path}:{line}: {message}")]
    Input {
        /// The input file.
        path: PathBuf,
        /// The 1-based line number of the problem.
        line: usize,
        /// What went wrong.
        message: String,
    },
    /// A query failed.
    #[error("{0}")]
    Query(String),
    /// Any other failure, described in words.
    #[error("{0}")]
    Other(String),
}
