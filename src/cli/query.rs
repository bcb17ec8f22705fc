//! `pharmakg query`: one statement or a script against a graph file, results on stdout.

use super::graph_file;
use super::QueryArgs;
use crate::error::Error;
use crate::model::Value;
use crate::output::results::{write_result, ResultFormat, TableOptions};
use crate::output::table::terminal_width;
use crate::query::{execute, ExecOptions, QueryError, QueryResult};
use crate::repl::script::{self, is_write};
use crate::repl::settings::parse_param_assignment;
use crate::store::Graph;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Explains a failed query: the message, then the statement's line with a caret under the
/// place the error points at, when the engine gave one.
pub fn describe_error(query: &str, err: &QueryError) -> String {
    err.render(query)
}

/// The limits a query runs under, from the command line.
fn exec_options(a: &QueryArgs) -> Result<ExecOptions, Error> {
    let mut opts = ExecOptions::default();
    if let Some(n) = a.max_rows {
        opts.max_rows = n;
    }
    if let Some(secs) = a.timeout {
        opts.timeout = Duration::try_from_secs_f64(secs).map_err(|_| {
            Error::Other(format!(
                "--timeout wants a positive number of seconds, not {secs}"
            ))
        })?;
    }
    Ok(opts)
}

/// The `--param` values by name.
fn params(a: &QueryArgs) -> Result<BTreeMap<String, Value>, Error> {
    a.params
        .iter()
        .map(|p| parse_param_assignment(p).map_err(Error::Other))
        .collect()
}

/// The statements to run: the one given, or those of the script file.
fn statements(a: &QueryArgs) -> Result<Vec<script::Piece>, Error> {
    let (text, origin) = match (&a.query, &a.file) {
        (Some(q), _) => (q.clone(), None),
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f).map_err(|e| Error::File {
                path: f.clone(),
                message: graph_file::one_line(&e.to_string()),
            })?;
            (text, Some(f.as_path()))
        }
        (None, None) => return Err(Error::Other("give a query or -f FILE".into())),
    };
    let pieces = script::split(&text, false).map_err(|m| match origin {
        Some(f) => Error::Other(format!("{}: {m}", f.display())),
        None => Error::Other(m),
    })?;
    if pieces.is_empty() {
        return Err(Error::Other(match origin {
            Some(f) => format!("{}: the script holds no statement", f.display()),
            None => "the query is empty".into(),
        }));
    }
    Ok(pieces)
}

/// A query failure, placed in the script when there is one.
fn failed(a: &QueryArgs, piece: &script::Piece, err: &QueryError) -> Error {
    let text = describe_error(&piece.text, err);
    match &a.file {
        Some(f) => Error::Query(format!("{}:{}: {text}", f.display(), piece.line)),
        None => Error::Query(text),
    }
}

/// Runs `pharmakg query`.
pub fn run(a: &QueryArgs) -> Result<(), Error> {
    let pieces = statements(a)?;
    let params = params(a)?;
    let opts = exec_options(a)?;
    let mut graph = graph_file::load(&a.graph)?;
    if let Some(runs) = a.runs {
        let [piece] = pieces.as_slice() else {
            return Err(Error::Other(format!(
                "--runs times one statement; the script holds {}",
                pieces.len()
            )));
        };
        return time_runs(a, graph, piece, &params, &opts, runs);
    }
    let table = TableOptions {
        width: if a.format == ResultFormat::Table {
            terminal_width()
        } else {
            None
        },
        max_rows: None,
    };
    let mut changed = false;
    for piece in &pieces {
        let before = (graph.node_count(), graph.edge_count());
        let result =
            execute(&mut graph, &piece.text, &params, &opts).map_err(|e| failed(a, piece, &e))?;
        changed |= is_write(&piece.text) || before != (graph.node_count(), graph.edge_count());
        print_result(&graph, &result, a.format, &table)?;
    }
    if changed {
        if a.save {
            graph_file::save(&graph, &a.graph)?;
            eprintln!("saved {}", a.graph.display());
        } else {
            eprintln!(
                "note: changes were not saved; add --save to write them to {}",
                a.graph.display()
            );
        }
    }
    Ok(())
}

fn print_result(
    graph: &Graph,
    result: &QueryResult,
    format: ResultFormat,
    table: &TableOptions,
) -> Result<(), Error> {
    let mut buf = Vec::new();
    write_result(graph, result, format, table, &mut buf).map_err(super::stdout_error)?;
    super::write_stdout(&buf)
}

/// Runs one statement once to warm up, then `runs` times under the clock; prints the result
/// on stdout and `runs=N median_ms=X min_ms=Y rows=R` on stderr. A statement that writes runs
/// each time on a fresh copy of the graph, copied outside the clock.
fn time_runs(
    a: &QueryArgs,
    graph: Graph,
    piece: &script::Piece,
    params: &BTreeMap<String, Value>,
    opts: &ExecOptions,
    runs: u32,
) -> Result<(), Error> {
    let writes = is_write(&piece.text);
    // A read leaves the graph as it is, so it runs on the loaded graph itself; only a write
    // needs a fresh copy per run, which doubles memory on a large graph.
    let (original, mut work) = if writes {
        (Some(graph.clone()), graph)
    } else {
        (None, graph)
    };
    let first = execute(&mut work, &piece.text, params, opts).map_err(|e| failed(a, piece, &e))?;
    let mut times = Vec::with_capacity(runs as usize);
    let mut rows = first.rows.len();
    for _ in 0..runs {
        if let Some(original) = &original {
            work = original.clone();
        }
        let t = Instant::now();
        let r = execute(&mut work, &piece.text, params, opts).map_err(|e| failed(a, piece, &e))?;
        times.push(t.elapsed());
        rows = r.rows.len();
    }
    print_result(
        graph_for_print(writes, &work, original.as_ref().unwrap_or(&work)),
        &first,
        a.format,
        &TableOptions::default(),
    )?;
    let (median, min) = median_min(&mut times);
    eprintln!(
        "runs={runs} median_ms={:.3} min_ms={:.3} rows={rows}",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
    Ok(())
}

/// The graph the first result's nodes belong to.
fn graph_for_print<'a>(writes: bool, work: &'a Graph, original: &'a Graph) -> &'a Graph {
    if writes {
        work
    } else {
        original
    }
}

/// The median and the minimum of some durations (the mean of the middle two for an even
/// count).
pub fn median_min(times: &mut [Duration]) -> (Duration, Duration) {
    if times.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    times.sort_unstable();
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    };
    (median, times[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts() {
        let ms = Duration::from_millis;
        assert_eq!(median_min(&mut [ms(5), ms(1), ms(3)]), (ms(3), ms(1)));
        assert_eq!(
            median_min(&mut [ms(4), ms(2), ms(8), ms(6)]),
            (ms(5), ms(2))
        );
    }
}
