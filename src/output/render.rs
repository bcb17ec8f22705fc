//! SVG and PNG pictures, made by piping our DOT through Graphviz's `dot` program.
//!
//! Graphviz is an external program rather than a crate: when it is missing, rendering fails
//! with an error that says how to install it, and DOT export still works.

use crate::error::Error;
use crate::output::dot::{self, DotOptions};
use crate::output::Subgraph;
use crate::store::Graph;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::process::{Command, Stdio};
use std::str::FromStr;

/// A picture format Graphviz can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable vector graphics.
    Svg,
    /// A PNG bitmap.
    Png,
}

impl ImageFormat {
    /// The `-T` argument that asks `dot` for this format.
    fn flag(self) -> &'static str {
        match self {
            ImageFormat::Svg => "-Tsvg",
            ImageFormat::Png => "-Tpng",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        })
    }
}

impl FromStr for ImageFormat {
    type Err = String;

    /// Reads `svg` or `png`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "svg" => Ok(ImageFormat::Svg),
            "png" => Ok(ImageFormat::Png),
            _ => Err(format!("unknown image format `{s}`; expected svg or png")),
        }
    }
}

/// The largest subgraph worth laying out: beyond it Graphviz runs for minutes and draws a
/// hairball nobody can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderLimits {
    /// The most nodes a picture may have.
    pub max_nodes: usize,
    /// The most edges a picture may have.
    pub max_edges: usize,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits {
            max_nodes: 2_000,
            max_edges: 5_000,
        }
    }
}

/// The text of the error when Graphviz is not installed.
pub const DOT_NOT_FOUND: &str =
    "Graphviz's `dot` was not found; install the `graphviz` package (apt-get install graphviz)";

/// Runs Graphviz: which program to call and how much it may be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renderer {
    /// The program to run, `dot` by default (looked up on PATH).
    pub program: OsString,
    /// The size limits.
    pub limits: RenderLimits,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer {
            program: OsString::from("dot"),
            limits: RenderLimits::default(),
        }
    }
}

impl Renderer {
    /// Refuses a subgraph larger than the limits, suggesting a neighbourhood instead.
    pub fn check_size(&self, sub: &Subgraph) -> Result<(), Error> {
        let (nodes, edges) = (sub.nodes.len(), sub.edges.len());
        if nodes > self.limits.max_nodes || edges > self.limits.max_edges {
            return Err(Error::Other(format!(
                "the graph to draw has {nodes} nodes and {edges} relationships, more than a \
                 picture can show (at most {} nodes and {} relationships); draw a neighbourhood \
                 with `--around NAME --depth K`, or export DOT and lay it out yourself",
                self.limits.max_nodes, self.limits.max_edges
            )));
        }
        Ok(())
    }

    /// Draws `sub` as a picture into `out`, after checking its size.
    pub fn render(
        &self,
        graph: &Graph,
        sub: &Subgraph,
        options: &DotOptions,
        format: ImageFormat,
        out: impl Write,
    ) -> Result<(), Error> {
        self.check_size(sub)?;
        let mut text = Vec::new();
        dot::write_dot(graph, sub, options, &mut text)
            .map_err(|e| Error::Other(format!("writing DOT: {e}")))?;
        self.render_dot(&text, format, out)
    }

    /// Pipes DOT text through Graphviz and copies the picture into `out`.
    pub fn render_dot(
        &self,
        dot_text: &[u8],
        format: ImageFormat,
        mut out: impl Write,
    ) -> Result<(), Error> {
        let mut child = Command::new(&self.program)
            .arg(format.flag())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => Error::Other(DOT_NOT_FOUND.to_string()),
                _ => Error::Other(format!("could not run Graphviz's `dot`: {e}")),
            })?;
        let stdin = child.stdin.take();
        // The input is written from a second thread while this one drains the output: with
        // both in one thread, a large graph fills one pipe while `dot` waits on the other.
        let (fed, output) = std::thread::scope(|scope| {
            let feeder = scope.spawn(move || match stdin {
                Some(mut pipe) => pipe.write_all(dot_text),
                None => Ok(()),
            });
            let output = child.wait_with_output();
            let fed = feeder
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
            (fed, output)
        });
        let output =
            output.map_err(|e| Error::Other(format!("waiting for Graphviz's `dot`: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(Error::Other(format!(
                "Graphviz's `dot` failed ({}): {}",
                output.status,
                stderr.trim()
            )));
        }
        // `dot` reads all its input before it succeeds, so a write error here is real.
        fed.map_err(|e| Error::Other(format!("feeding Graphviz's `dot`: {e}")))?;
        out.write_all(&output.stdout)
            .and_then(|()| out.flush())
            .map_err(|e| Error::Other(format!("writing the {format} picture: {e}")))
    }
}

/// Draws `sub` as an SVG or PNG picture into `out` with the default [`Renderer`].
pub fn render(
    graph: &Graph,
    sub: &Subgraph,
    options: &DotOptions,
    format: ImageFormat,
    out: impl Write,
) -> Result<(), Error> {
    Renderer::default().render(graph, sub, options, format, out)
}
