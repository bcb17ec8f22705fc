//! Opening and saving graph files for the shell and the subcommands, and the built-in graph.

use crate::error::Error;
use crate::store::persist;
use crate::store::Graph;
use std::path::{Path, PathBuf};

/// The shipped pharmacology graph, built into the binary so that `pharmakg` opens it from any
/// folder. Rebuild it with the command in the README ("The default graph").
pub const DEFAULT_GRAPH: &[u8] = include_bytes!("../../graphs/pharmacology.kg");

/// The name the built-in graph goes by in prompts and messages.
pub const DEFAULT_NAME: &str = "pharmacology";

/// Where the open graph came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The graph built into the binary.
    Builtin,
    /// A .kg file.
    File(PathBuf),
}

impl Source {
    /// A short name for prompts: the file's stem, or the built-in graph's name.
    pub fn name(&self) -> String {
        match self {
            Source::Builtin => DEFAULT_NAME.to_string(),
            Source::File(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
        }
    }

    /// The file, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Builtin => None,
            Source::File(p) => Some(p),
        }
    }
}

/// Collapses a message to one line, so a failed load reads as a single error line.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes any failure about `path` one error line that names the file.
fn about_file(path: &Path, e: Error) -> Error {
    match e {
        Error::File { path, message } => Error::File {
            path,
            message: one_line(&message),
        },
        other => Error::File {
            path: path.to_path_buf(),
            message: one_line(&other.to_string()),
        },
    }
}

/// Loads a graph file; every failure is one line naming the file.
pub fn load(path: &Path) -> Result<Graph, Error> {
    if path.is_dir() {
        return Err(Error::File {
            path: path.to_path_buf(),
            message: "is a folder, not a graph file".into(),
        });
    }
    if !path.exists() {
        return Err(Error::File {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    persist::load(path).map_err(|e| about_file(path, e))
}

/// Loads the graph built into the binary.
pub fn load_default() -> Result<Graph, Error> {
    let origin = Path::new("built-in pharmacology graph");
    if DEFAULT_GRAPH.is_empty() {
        return Err(Error::File {
            path: origin.to_path_buf(),
            message: "this build carries no default graph; open a .kg file instead \
                      (pharmakg FILE.kg), or rebuild graphs/pharmacology.kg as the README shows"
                .into(),
        });
    }
    persist::from_bytes(DEFAULT_GRAPH, origin).map_err(|e| about_file(origin, e))
}

/// Opens the given graph file, or the built-in graph when there is none.
pub fn open(path: Option<&Path>) -> Result<(Graph, Source), Error> {
    match path {
        Some(p) => Ok((load(p)?, Source::File(p.to_path_buf()))),
        None => Ok((load_default()?, Source::Builtin)),
    }
}

/// Saves a graph atomically; failures are one line naming the file.
pub fn save(graph: &Graph, path: &Path) -> Result<(), Error> {
    persist::save(graph, path).map_err(|e| about_file(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_file_stem() {
        assert_eq!(Source::Builtin.name(), "pharmacology");
        assert_eq!(
            Source::File(PathBuf::from("dir/opioids.kg")).name(),
            "opioids"
        );
    }

    #[test]
    fn missing_and_folder_paths_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("absent.kg");
        let err = load(&missing).unwrap_err().to_string();
        assert!(
            err.contains("absent.kg") && err.contains("no such file"),
            "{err}"
        );
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("folder"), "{err}");
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("bad\n  header\n"), "bad header");
    }
}
