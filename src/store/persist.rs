//! Binary graph files (.kg): the only module that names bincode.
//!
//! Layout, checks and atomic saving are described in the README's "File format" section.

use crate::error::Error;
use crate::store::Graph;
use std::path::Path;

/// The format version this build writes; files of a newer version are refused.
pub const FORMAT_VERSION: u32 = 1;

/// What a .kg file's header says, for `stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The format version the file was written with.
    pub version: u32,
    /// The file's size in bytes.
    pub size: u64,
}

/// Serialises a graph to the bytes of a .kg file. The same graph always gives the same bytes.
pub fn to_bytes(_graph: &Graph) -> Vec<u8> {
    Vec::new()
}

/// Reads a graph from the bytes of a .kg file; `origin` names the file in error messages.
pub fn from_bytes(_bytes: &[u8], origin: &Path) -> Result<Graph, Error> {
    Err(Error::File {
        path: origin.to_path_buf(),
        message: "loading is not available yet".into(),
    })
}

/// Saves a graph atomically: a temporary file in the same folder, synced, then renamed.
pub fn save(_graph: &Graph, path: &Path) -> Result<(), Error> {
    Err(Error::File {
        path: path.to_path_buf(),
        message: "saving is not available yet".into(),
    })
}

/// Loads a graph from a .kg file; refuses damaged, truncated, foreign or newer files.
pub fn load(path: &Path) -> Result<Graph, Error> {
    Err(Error::File {
        path: path.to_path_buf(),
        message: "loading is not available yet".into(),
    })
}

/// Reads a .kg file's header without loading the graph.
pub fn file_info(path: &Path) -> Result<FileInfo, Error> {
    Err(Error::File {
        path: path.to_path_buf(),
        message: "not available yet".into(),
    })
}
