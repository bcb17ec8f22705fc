//! The interactive shell: statements and meta-commands against one open graph.
//!
//! On a terminal it is a line editor with history, completion and multi-line statements; with
//! stdin from a pipe or file it runs every statement it reads, prints results and no prompt,
//! and exits with 1 when any statement failed, so scripts and tests can drive it.

pub mod command;
pub mod drawing;
pub mod helper;
pub mod script;
pub mod settings;
pub mod shortcuts;

use crate::cli::export::{self, ExportRequest};
use crate::cli::graph_file::{self, Source};
use crate::cli::query::describe_error;
use crate::cli::stats::{write_schema, write_stats};
use crate::error::Error;
use crate::model::Value;
use crate::output::results::{write_result, TableOptions};
use crate::output::table::terminal_width;
use crate::output::Subgraph;
use crate::query::result::QueryResult;
use crate::query::{execute, ExecOptions};
use crate::store::Graph;
use command::Command;
use helper::{ShellHelper, Vocabulary};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use script::{is_write, PieceKind};
use settings::{parse_literal, Settings};
use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// What the loop does after a meta-command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Read the next input.
    Continue,
    /// Leave the shell.
    Quit,
}

/// One shell session: the open graph, where it came from, and the user's settings.
pub struct Session {
    /// The open graph.
    pub graph: Graph,
    /// Its file, or the built-in graph.
    pub source: Source,
    /// True when the graph has changes not yet saved.
    pub dirty: bool,
    /// Format, timing, parameters.
    pub settings: Settings,
    /// True on a terminal: prompts, confirmations and row counts are shown.
    pub interactive: bool,
    /// Set by Ctrl-C to cancel the running query.
    cancel: Arc<AtomicBool>,
    /// Bumped whenever the graph may have changed, so completion can refresh.
    generation: u64,
    /// What the last query's result touched, which `:export` draws; `None` before any query
    /// and after a result with no entities in it.
    last_drawing: Option<Subgraph>,
}

/// The flag that Ctrl-C sets; the handler is installed once per process.
fn cancel_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        // Without the handler, Ctrl-C during a query ends the process: worse, but usable.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

impl Session {
    /// A session on a graph; `interactive` turns on prompts, confirmations and row counts.
    pub fn new(graph: Graph, source: Source, interactive: bool) -> Session {
        Session {
            graph,
            source,
            dirty: false,
            settings: Settings::default(),
            interactive,
            cancel: Arc::new(AtomicBool::new(false)),
            generation: 0,
            last_drawing: None,
        }
    }

    /// The prompt, naming the open graph.
    pub fn prompt(&self) -> String {
        format!("pharmakg({})> ", self.source.name())
    }

    /// Runs one statement and prints its result; returns false when it failed (the error is
    /// printed on `err`).
    pub fn run_statement(&mut self, text: &str, out: &mut dyn Write, err: &mut dyn Write) -> bool {
        let params = self.settings.params.clone();
        match self.run_query(text, &params, out, err) {
            Some(result) => {
                self.last_drawing = drawing::touched(&self.graph, &result);
                true
            }
            None => false,
        }
    }

    /// Runs one statement with the given parameters and prints its result; `None` when it
    /// failed (the error is printed on `err`).
    fn run_query(
        &mut self,
        text: &str,
        params: &BTreeMap<String, Value>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Option<QueryResult> {
        let opts = ExecOptions {
            cancel: Some(Arc::clone(&self.cancel)),
            ..self.settings.limits.clone()
        };
        self.cancel.store(false, Ordering::SeqCst);
        let before = (self.graph.node_count(), self.graph.edge_count());
        let started = Instant::now();
        let outcome = execute(&mut self.graph, text, params, &opts);
        let elapsed = started.elapsed();
        let result = match outcome {
            Ok(r) => r,
            Err(e) => {
                let _ = writeln!(err, "error: {}", describe_error(text, &e));
                return None;
            }
        };
        let after = (self.graph.node_count(), self.graph.edge_count());
        if is_write(text) || before != after {
            self.dirty = true;
            self.generation += 1;
        }
        let table = TableOptions {
            width: if self.interactive {
                terminal_width()
            } else {
                None
            },
            max_rows: if self.interactive {
                self.settings.shown_rows
            } else {
                None
            },
        };
        if let Err(e) = write_result(&self.graph, &result, self.settings.format, &table, out)
            .and_then(|()| out.flush())
        {
            let _ = writeln!(err, "error: writing the result: {e}");
            return None;
        }
        let rows = result.rows.len();
        let mut summary = Vec::new();
        if self.interactive && !result.columns.is_empty() {
            summary.push(format!("{rows} row{}", if rows == 1 { "" } else { "s" }));
        }
        if self.interactive && before != after {
            let delta = |b: usize, a: usize| {
                let d = a as i128 - b as i128;
                if d > 0 {
                    format!("+{d}")
                } else {
                    d.to_string()
                }
            };
            summary.push(format!(
                "nodes {}, edges {}",
                delta(before.0, after.0),
                delta(before.1, after.1)
            ));
        }
        if self.settings.timing {
            summary.push(format!("{:.3} ms", elapsed.as_secs_f64() * 1e3));
        }
        if !summary.is_empty() {
            let _ = writeln!(err, "({})", summary.join(", "));
        }
        Some(result)
    }

    /// Runs a shortcut: checks its names, shows its query when asked, prints the result, and
    /// keeps what it matched for `:export`.
    fn run_shortcut(
        &mut self,
        shortcut: &shortcuts::Shortcut,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), String> {
        let compiled = shortcut.compile();
        for (param, text) in &compiled.entities {
            if self.graph.resolve_alias(text).is_empty() {
                return Err(format!(
                    ":{}: no entity is named `{text}` (${param}); :find {text} lists similar names",
                    shortcut.name()
                ));
            }
        }
        if self.settings.show_query {
            let _ = writeln!(err, "{}", compiled.listing());
        }
        let mut params = self.settings.params.clone();
        params.extend(compiled.params.clone());
        let result = self
            .run_query(&compiled.query, &params, out, err)
            .ok_or_else(|| format!(":{} failed", shortcut.name()))?;
        if result.rows.is_empty() {
            let _ = writeln!(err, "({})", compiled.when_empty);
        }
        self.last_drawing = match (&compiled.drawn, shortcut) {
            // The drawn query matches the same things, returning them as entities to draw.
            (Some(drawn), _) => execute(&mut self.graph, drawn, &params, &ExecOptions::default())
                .ok()
                .and_then(|r| drawing::touched(&self.graph, &r)),
            (None, shortcuts::Shortcut::Neighbors { name, depth }) => {
                let center = self.graph.resolve_alias(name).iter().min().copied();
                center.map(|c| Subgraph::around(&self.graph, c, *depth))
            }
            (None, _) => None,
        };
        Ok(())
    }

    /// Asks a yes/no question on the terminal; false when not interactive or on any answer
    /// but yes.
    fn confirm(&self, question: &str, err: &mut dyn Write) -> bool {
        if !self.interactive {
            return true;
        }
        let _ = write!(err, "{question} [y/N] ");
        let _ = err.flush();
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }

    /// Before dropping unsaved changes: true when there are none or the user agrees.
    pub fn may_drop_changes(&self, err: &mut dyn Write) -> bool {
        !self.dirty
            || self.confirm(
                &format!("{} has unsaved changes; drop them?", self.source.name()),
                err,
            )
    }

    /// Runs one meta-command line (without its `:`); a failure is returned as a message.
    pub fn run_command(
        &mut self,
        line: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<Flow, String> {
        let cmd = command::parse(line)?;
        let io_err = |e: io::Error| format!("writing: {e}");
        match cmd {
            Command::Help => writeln!(out, "{}", command::help_text()).map_err(io_err)?,
            Command::Quit => {
                if self.may_drop_changes(err) {
                    return Ok(Flow::Quit);
                }
            }
            Command::Stats => write_stats(&self.graph, None, out).map_err(io_err)?,
            Command::Schema => write_schema(&self.graph, out).map_err(io_err)?,
            Command::Format(f) => {
                self.settings.format = f;
                let _ = writeln!(err, "format: {}", f.name());
            }
            Command::MaxRows(n) => {
                self.settings.limits.max_rows = n;
                let _ = writeln!(err, "max-rows: {n}");
            }
            Command::Timeout(t) => {
                self.settings.limits.timeout = t;
                let _ = writeln!(err, "timeout: {} s", t.as_secs_f64());
            }
            Command::Timing(on) => {
                self.settings.timing = on;
                let _ = writeln!(err, "timing: {}", if on { "on" } else { "off" });
            }
            Command::Rows(n) => {
                self.settings.shown_rows = n;
            }
            Command::Param(name, value) => {
                let v = parse_literal(&value);
                let _ = writeln!(err, "${name} = {v}");
                self.settings.params.insert(name, v);
            }
            Command::Params => {
                if self.settings.params.is_empty() {
                    let _ = writeln!(err, "no parameters; set one with :param NAME VALUE");
                }
                for (k, v) in &self.settings.params {
                    writeln!(out, "${k} = {v}").map_err(io_err)?;
                }
            }
            Command::Open(path) => self.open(&path, err)?,
            Command::Save(path) => self.save(path, err)?,
            Command::Shortcut(shortcut) => self.run_shortcut(&shortcut, out, err)?,
            Command::ShowQuery(on) => {
                self.settings.show_query = on;
                let _ = writeln!(err, "show-query: {}", if on { "on" } else { "off" });
            }
            Command::Export {
                format,
                target,
                around: None,
                all: false,
                ..
            } if self.last_drawing.is_some() => {
                let sub = self.last_drawing.as_ref().expect("checked by the guard");
                drawing::write(&self.graph, sub, format, &target).map_err(|e| e.to_string())?;
                let live = sub.live_parts(&self.graph);
                let _ = writeln!(
                    err,
                    "wrote {}: the last result's {} nodes and {} edges (--all writes the whole graph)",
                    target.display(),
                    live.nodes.len(),
                    live.edges.len()
                );
            }
            Command::Export {
                format,
                target,
                around,
                depth,
                ..
            } => {
                let req = ExportRequest {
                    format,
                    target: Some(&target),
                    around: around.as_deref(),
                    depth,
                    rankdir: None,
                };
                export::export(&self.graph, &req, out).map_err(|e| e.to_string())?;
                let _ = writeln!(err, "wrote {}", target.display());
            }
        }
        Ok(Flow::Continue)
    }

    fn open(&mut self, path: &Path, err: &mut dyn Write) -> Result<(), String> {
        if !self.may_drop_changes(err) {
            return Ok(());
        }
        // Load first: a file that fails to load leaves the open graph as it was.
        let graph = graph_file::load(path).map_err(|e| e.to_string())?;
        let _ = writeln!(
            err,
            "opened {}: {} nodes, {} edges",
            path.display(),
            graph.node_count(),
            graph.edge_count()
        );
        self.graph = graph;
        self.source = Source::File(path.to_path_buf());
        self.dirty = false;
        self.generation += 1;
        self.last_drawing = None;
        Ok(())
    }

    fn save(&mut self, path: Option<PathBuf>, err: &mut dyn Write) -> Result<(), String> {
        let target = match (path, self.source.path()) {
            (Some(p), _) => p,
            (None, Some(p)) => p.to_path_buf(),
            (None, None) => {
                return Err("the built-in graph has no file of its own; use :save FILE".to_string())
            }
        };
        graph_file::save(&self.graph, &target).map_err(|e| e.to_string())?;
        let _ = writeln!(err, "saved {}", target.display());
        self.source = Source::File(target);
        self.dirty = false;
        Ok(())
    }

    /// Runs a chunk of script text (statements and meta-command lines); `first_line` places
    /// error messages when not interactive. Returns whether to go on and whether all succeeded.
    pub fn run_text(
        &mut self,
        text: &str,
        first_line: usize,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> (Flow, bool) {
        let pieces = match script::split(text, true) {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return (Flow::Continue, false);
            }
        };
        let mut ok = true;
        for piece in pieces {
            let place = if self.interactive {
                String::new()
            } else {
                format!("line {}: ", first_line + piece.line - 1)
            };
            match piece.kind {
                PieceKind::Statement => {
                    let mut buf = Vec::new();
                    if !self.run_statement(&piece.text, out, &mut buf) {
                        ok = false;
                    }
                    let msg = String::from_utf8_lossy(&buf);
                    let _ = match msg.strip_prefix("error: ") {
                        Some(rest) => write!(err, "error: {place}{rest}"),
                        None => write!(err, "{msg}"),
                    };
                }
                PieceKind::Command => match self.run_command(&piece.text, out, err) {
                    Ok(Flow::Quit) => return (Flow::Quit, ok),
                    Ok(Flow::Continue) => {}
                    Err(e) => {
                        let _ = writeln!(err, "error: {place}{e}");
                        ok = false;
                    }
                },
            }
        }
        (Flow::Continue, ok)
    }
}

/// Opens the shell on a graph file, or on the built-in graph.
pub fn run(path: Option<&Path>) -> Result<ExitCode, Error> {
    let (graph, source) = graph_file::open(path)?;
    let interactive = io::stdin().is_terminal();
    let mut session = Session::new(graph, source, interactive);
    if interactive {
        interactive_loop(&mut session)
    } else {
        let stdin = io::stdin();
        let ok = batch(
            &mut session,
            stdin.lock(),
            &mut io::stdout(),
            &mut io::stderr(),
        );
        if session.dirty {
            eprintln!(
                "note: changes to {} were not saved (:save writes them)",
                session.source.name()
            );
        }
        Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}

/// Runs statements read from `input` without prompting; true when every one succeeded.
pub fn batch(
    session: &mut Session,
    input: impl BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    let mut ok = true;
    let mut pending = String::new();
    let mut pending_line = 1;
    for (i, line) in input.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(err, "error: reading stdin: {e}");
                return false;
            }
        };
        if pending.trim().is_empty() {
            pending.clear();
            pending_line = i + 1;
        }
        pending.push_str(&line);
        pending.push('\n');
        if script::is_complete(&pending) {
            let (flow, good) = session.run_text(&pending, pending_line, out, err);
            ok &= good;
            pending.clear();
            if flow == Flow::Quit {
                return ok;
            }
        }
    }
    if !pending.trim().is_empty() {
        let (_, good) = session.run_text(&pending, pending_line, out, err);
        ok &= good;
    }
    ok
}

/// The prompt for the further lines of a statement: an arrow under the end of the main prompt.
pub fn continuation_prompt(prompt: &str) -> String {
    let width = prompt.chars().count();
    format!("{:>width$}", "-> ")
}

/// Where the history is kept: the user's data folder.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("pharmakg");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

fn interactive_loop(session: &mut Session) -> Result<ExitCode, Error> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map_err(|e| Error::Other(e.to_string()))?
        .max_history_size(10_000)
        .map_err(|e| Error::Other(e.to_string()))?
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut rl: Editor<ShellHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| Error::Other(format!("line editor: {e}")))?;
    // rustyline claims SIGINT when the editor is created; taking it back afterwards lets Ctrl-C
    // during a query cancel the query (at the prompt, Ctrl-C is a key, not a signal).
    session.cancel = cancel_flag();
    let colour = io::stdout().is_terminal();
    rl.set_helper(Some(ShellHelper::new(
        Vocabulary::of(&session.graph),
        colour,
    )));
    let history = history_path();
    if let Some(h) = &history {
        let _ = rl.load_history(h);
    }
    eprintln!(
        "pharmakg: {} ({} nodes, {} edges). Statements end with `;`; :help lists commands.",
        session.source.name(),
        session.graph.node_count(),
        session.graph.edge_count()
    );
    let mut seen_generation = session.generation;
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            session.prompt()
        } else {
            continuation_prompt(&session.prompt())
        };
        if let Some(h) = rl.helper_mut() {
            h.pending.clone_from(&pending);
        }
        match rl.readline(&prompt) {
            Ok(line) => {
                if pending.is_empty() && line.trim().is_empty() {
                    continue;
                }
                pending.push_str(&line);
                pending.push('\n');
                if !script::is_complete(&pending) {
                    continue;
                }
                let text = std::mem::take(&mut pending);
                let _ = rl.add_history_entry(text.trim());
                let (flow, _) = session.run_text(&text, 1, &mut io::stdout(), &mut io::stderr());
                if flow == Flow::Quit {
                    break;
                }
                if session.generation != seen_generation {
                    seen_generation = session.generation;
                    if let Some(h) = rl.helper_mut() {
                        h.vocabulary = Vocabulary::of(&session.graph);
                    }
                }
            }
            // Ctrl-C clears the line, and drops an unfinished statement.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => {
                if !pending.is_empty() {
                    pending.clear();
                } else if session.may_drop_changes(&mut io::stderr()) {
                    break;
                }
            }
            Err(e) => return Err(Error::Other(format!("reading input: {e}"))),
        }
    }
    if let Some(h) = &history {
        let _ = rl.save_history(h);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::output::results::ResultFormat;

    fn session() -> Session {
        let mut g = Graph::new();
        let k = g.add_node(&["Drug"], &[("name", Value::from("ketamine"))]);
        let r = g.add_node(&["Receptor"], &[("name", Value::from("NMDA receptor"))]);
        g.add_edge(k, r, "ANTAGONIZES", &[]).unwrap();
        Session::new(g, Source::File(PathBuf::from("test.kg")), false)
    }

    fn drive(s: &mut Session, input: &str) -> (bool, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let ok = batch(s, input.as_bytes(), &mut out, &mut err);
        (
            ok,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn prompt_names_the_graph() {
        assert_eq!(session().prompt(), "pharmakg(test)> ");
        assert_eq!(continuation_prompt("pharmakg(test)> "), "             -> ");
    }

    #[test]
    fn meta_commands_run_and_settings_stick() {
        let mut s = session();
        let (ok, out, err) = drive(
            &mut s,
            ":stats\n:format tsv\n:timing on\n:param drug 'ketamine'\n:params\n",
        );
        assert!(ok, "{err}");
        assert!(out.starts_with("nodes: 2\nedges: 1\n"), "{out}");
        assert!(out.contains("$drug = 'ketamine'"), "{out}");
        assert_eq!(s.settings.format, ResultFormat::Tsv);
        assert!(s.settings.timing);
        assert_eq!(s.settings.params["drug"], Value::from("ketamine"));
    }

    #[test]
    fn failures_are_reported_with_their_line_and_the_rest_still_runs() {
        let mut s = session();
        let (ok, out, err) = drive(&mut s, ":stats\n:nonsense\n:schema\n");
        assert!(!ok);
        assert!(
            err.contains("line 2: unknown meta-command :nonsense"),
            "{err}"
        );
        assert!(out.contains("labels:\n  Drug: 1\n"), "{out}");
    }

    #[test]
    fn a_failed_open_keeps_the_graph() {
        let mut s = session();
        let (ok, _, err) = drive(&mut s, ":open /no/such/graph.kg\n:stats\n");
        assert!(!ok);
        assert!(err.contains("graph.kg"), "{err}");
        assert_eq!(s.graph.node_count(), 2);
        assert_eq!(s.source, Source::File(PathBuf::from("test.kg")));
    }

    #[test]
    fn quit_stops_reading() {
        let mut s = session();
        let (ok, out, _) = drive(&mut s, ":quit\n:stats\n");
        assert!(ok);
        assert!(out.is_empty(), "{out}");
    }

    #[test]
    fn saving_the_builtin_graph_needs_a_file() {
        let mut s = session();
        s.source = Source::Builtin;
        let (ok, _, err) = drive(&mut s, ":save\n");
        assert!(!ok);
        assert!(err.contains(":save FILE"), "{err}");
    }
}
