//! Reading text into candidate facts. Pure: text in, candidates out; it never touches the store.

use crate::error::Error;
use crate::store::Graph;
use std::path::PathBuf;

/// What `pharmakg build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// Files and folders to read (.txt, .md, .html, PubTator).
    pub inputs: Vec<PathBuf>,
    /// Extra lexicon files, added to the built-in lexicon.
    pub lexicons: Vec<PathBuf>,
    /// Extra curation files, applied after the built-in one.
    pub curation: Vec<PathBuf>,
}

/// What a build read and produced, for its summary.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Documents read.
    pub documents: usize,
    /// Sentences read.
    pub sentences: usize,
    /// Entity mentions found.
    pub mentions: usize,
    /// Facts added, by relationship type.
    pub facts_by_type: std::collections::BTreeMap<String, usize>,
    /// Files skipped, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// Warnings to show the user (lossy UTF-8, unreadable files...).
    pub warnings: Vec<String>,
}

/// Reads the inputs into `graph` (a fresh one, or an existing one for `--into`; a document
/// already in it is replaced). Calls `progress(done, total)` as files are read.
pub fn build_into(
    _graph: &mut Graph,
    _request: &BuildRequest,
    _progress: &dyn Fn(u64, u64),
) -> Result<BuildReport, Error> {
    Err(Error::Other("extraction is not available yet".into()))
}
