//! Running one test case on a fresh graph: setup queries, parameters, the query under test,
//! control queries, and the checks that follow.

use crate::compare::{compare_rows, Mode};
use crate::gherkin::Case;
use crate::side_effects::{check_effects, expected_effects, Effects, Snapshot, COUNTERS};
use crate::steps::{classify, kind_name, phase_words, Action, ExpectedError};
use crate::values::{parse_value, TckValue};
use pharmakg::query::{execute, ExecOptions, QueryError, QueryResult};
use pharmakg::{Graph, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// The longest one query may run before the engine is asked to stop.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    /// The last panic message seen on this thread, with its location; set by [`panic_hook`].
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic hook that records the message for the failure report instead of printing it.
pub fn panic_hook(info: &std::panic::PanicHookInfo<'_>) {
    LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string().replace('\n', " ")));
}

/// A result in the TCK model: column names and rendered rows.
struct Table {
    columns: Vec<String>,
    rows: Result<Vec<Vec<TckValue>>, String>,
}

/// What the last query answered.
type Answer = Result<Table, QueryError>;

/// Runs `query`, turning an engine panic into an error message.
fn exec(
    graph: &mut Graph,
    query: &str,
    params: &BTreeMap<String, Value>,
) -> Result<Result<QueryResult, QueryError>, String> {
    let opts = ExecOptions {
        timeout: QUERY_TIMEOUT,
        ..ExecOptions::default()
    };
    LAST_PANIC.with(|p| p.borrow_mut().take());
    catch_unwind(AssertUnwindSafe(|| execute(graph, query, params, &opts))).map_err(|payload| {
        let hooked = LAST_PANIC.with(|p| p.borrow_mut().take());
        let message = hooked
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        format!("the engine panicked: {message}")
    })
}

/// Renders a result while the graph still holds its nodes and relationships.
fn render(result: QueryResult, graph: &Graph) -> Table {
    let rows = result
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            if row.len() != result.columns.len() {
                return Err(format!(
                    "row {} has {} values for {} columns",
                    r + 1,
                    row.len(),
                    result.columns.len()
                ));
            }
            row.iter()
                .map(|v| TckValue::from_qvalue(v, graph))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("row {}: {e}", r + 1))
        })
        .collect();
    Table {
        columns: result.columns,
        rows,
    }
}

fn describe_error(e: &QueryError) -> String {
    format!(
        "{} {} at {}: {}",
        kind_name(e.kind),
        e.code,
        phase_words(e.phase),
        e.message
    )
}

fn describe_effects(effects: &Effects) -> String {
    let nonzero: Vec<String> = COUNTERS
        .iter()
        .filter(|c| effects.get(*c).copied().unwrap_or(0) > 0)
        .map(|c| format!("{c} {}", effects[c]))
        .collect();
    nonzero.join(", ")
}

/// Checks an error expectation, naming each mismatch (type, phase, detail) on its own.
fn check_error(expected: &ExpectedError, answer: &Answer, effects: &Effects) -> Result<(), String> {
    let e = match answer {
        Ok(t) => {
            let rows = t.rows.as_ref().map(Vec::len).unwrap_or(0);
            return Err(format!(
                "expected {} at {}: {}, but the query succeeded ({} rows)",
                expected.kind,
                expected.phase.words(),
                expected.detail,
                rows
            ));
        }
        Err(e) => e,
    };
    let mut wrong = Vec::new();
    let kind = kind_name(e.kind);
    if kind != expected.kind {
        wrong.push(format!("type: expected {}, got {kind}", expected.kind));
    }
    if !expected.phase.accepts(e.phase) {
        wrong.push(format!(
            "phase: expected {}, got {}",
            expected.phase.words(),
            phase_words(e.phase)
        ));
    }
    if expected.detail != "*" && e.code != expected.detail {
        wrong.push(format!(
            "detail: expected {}, got {}",
            expected.detail, e.code
        ));
    }
    if effects.values().any(|&n| n > 0) {
        wrong.push(format!(
            "the failed query changed the graph: {}",
            describe_effects(effects)
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{} (message: {})", wrong.join("; "), e.message))
    }
}

fn the_table(answer: &Answer) -> Result<(&Table, &Vec<Vec<TckValue>>), String> {
    match answer {
        Err(e) => Err(format!("the query failed: {}", describe_error(e))),
        Ok(t) => match &t.rows {
            Err(e) => Err(format!("cannot read the result: {e}")),
            Ok(rows) => Ok((t, rows)),
        },
    }
}

fn check_result(table: &[Vec<String>], mode: Mode, answer: &Answer) -> Result<(), String> {
    let (t, rows) = the_table(answer)?;
    let Some((header, expected)) = table.split_first() else {
        return Err("expected-result table has no header".into());
    };
    if &t.columns != header {
        return Err(format!("columns: expected {header:?}, got {:?}", t.columns));
    }
    let mut parsed = Vec::with_capacity(expected.len());
    for (r, row) in expected.iter().enumerate() {
        let cells = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                parse_value(cell)
                    .map_err(|e| format!("expected value in row {} column {}: {e}", r + 1, c + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        parsed.push(cells);
    }
    compare_rows(&parsed, rows, mode)
}

fn parse_params(table: &[Vec<String>], params: &mut BTreeMap<String, Value>) -> Result<(), String> {
    for row in table {
        let [name, value] = row.as_slice() else {
            return Err(format!("parameter row {row:?} does not have two cells"));
        };
        let v = parse_value(value)
            .and_then(|v| v.to_value())
            .map_err(|e| format!("parameter `{name}`: {e}"))?;
        params.insert(name.clone(), v);
    }
    Ok(())
}

/// Runs a case to its first failing step; the error is the failure reason, naming the step's
/// line.
pub fn run_case(case: &Case) -> Result<(), String> {
    let mut graph = Graph::new();
    let mut params: BTreeMap<String, Value> = BTreeMap::new();
    let mut answer: Option<Answer> = None;
    let mut effects: Option<Effects> = None;
    for step in &case.steps {
        let at = |m: String| format!("line {}: {m}", step.line);
        let action = classify(step).map_err(at)?;
        match action {
            Action::FreshGraph => graph = Graph::new(),
            Action::NamedGraph(name) => {
                return Err(at(format!("the named graph `{name}` is not available")))
            }
            Action::Setup(q) => {
                if let Err(e) = exec(&mut graph, q, &params).map_err(at)? {
                    return Err(at(format!("setup query failed: {}", describe_error(&e))));
                }
            }
            Action::Params(table) => parse_params(table, &mut params).map_err(at)?,
            Action::Query(q) => {
                let before = Snapshot::take(&graph);
                let result = exec(&mut graph, q, &params).map_err(at)?;
                effects = Some(before.diff(&Snapshot::take(&graph)));
                answer = Some(result.map(|r| render(r, &graph)));
            }
            Action::Control(q) => {
                let result = exec(&mut graph, q, &params).map_err(at)?;
                answer = Some(result.map(|r| render(r, &graph)));
            }
            Action::Result(table, mode) => {
                let a = answer
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                check_result(table, mode, a).map_err(at)?;
            }
            Action::Empty => {
                let a = answer
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                let (_, rows) = the_table(a).map_err(at)?;
                if !rows.is_empty() {
                    return Err(at(format!("expected no rows, got {}", rows.len())));
                }
            }
            Action::Error(expected) => {
                let a = answer
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                let e = effects
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                check_error(&expected, a, e).map_err(at)?;
            }
            Action::NoSideEffects => {
                let e = effects
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                if e.values().any(|&n| n > 0) {
                    return Err(at(format!(
                        "expected no side effects, got {}",
                        describe_effects(e)
                    )));
                }
            }
            Action::SideEffects(table) => {
                let e = effects
                    .as_ref()
                    .ok_or_else(|| at("no query to check".into()))?;
                let expected = expected_effects(table).map_err(at)?;
                check_effects(&expected, e).map_err(at)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gherkin::parse_feature;
    use pharmakg::query::{ErrorKind, Phase};

    fn answer_err(kind: ErrorKind, code: &str, phase: Phase) -> Answer {
        Err(QueryError {
            kind,
            code: code.into(),
            phase,
            message: "m".into(),
            span: None,
        })
    }

    fn zero() -> Effects {
        COUNTERS.into_iter().map(|c| (c, 0)).collect()
    }

    #[test]
    fn error_mismatches_are_reported_separately() {
        let expected = ExpectedError {
            kind: "SyntaxError".into(),
            phase: crate::steps::PhaseSpec::Compile,
            detail: "UndefinedVariable".into(),
        };
        let ok = answer_err(ErrorKind::SyntaxError, "UndefinedVariable", Phase::Compile);
        assert!(check_error(&expected, &ok, &zero()).is_ok());
        let bad = answer_err(ErrorKind::TypeError, "InvalidArgumentType", Phase::Runtime);
        let reason = check_error(&expected, &bad, &zero()).unwrap_err();
        assert!(
            reason.contains("type: expected SyntaxError, got TypeError"),
            "{reason}"
        );
        assert!(
            reason.contains("phase: expected compile time, got runtime"),
            "{reason}"
        );
        assert!(
            reason.contains("detail: expected UndefinedVariable, got InvalidArgumentType"),
            "{reason}"
        );
        let mut changed = zero();
        changed.insert("+nodes", 1);
        let reason = check_error(&expected, &ok, &changed).unwrap_err();
        assert!(reason.contains("changed the graph: +nodes 1"), "{reason}");
        let succeeded: Answer = Ok(Table {
            columns: vec![],
            rows: Ok(vec![]),
        });
        assert!(check_error(&expected, &succeeded, &zero()).is_err());
    }

    #[test]
    fn results_check_columns_then_rows() {
        let answer: Answer = Ok(Table {
            columns: vec!["n.name".into()],
            rows: Ok(vec![vec![TckValue::String("a".into())]]),
        });
        let mode = Mode {
            ordered: false,
            lists_as_bags: false,
        };
        let t = |h: &str, v: &str| vec![vec![h.to_string()], vec![v.to_string()]];
        assert!(check_result(&t("n.name", "'a'"), mode, &answer).is_ok());
        assert!(check_result(&t("n.Name", "'a'"), mode, &answer)
            .unwrap_err()
            .starts_with("columns"));
        assert!(check_result(&t("n.name", "'b'"), mode, &answer).is_err());
        assert!(check_result(&t("n.name", "'b"), mode, &answer)
            .unwrap_err()
            .contains("row 1 column 1"));
    }

    #[test]
    fn parameters_parse_from_the_notation() {
        let mut p = BTreeMap::new();
        parse_params(
            &[
                vec!["from".into(), "1".into()],
                vec!["expr".into(), "['Apa']".into()],
            ],
            &mut p,
        )
        .unwrap();
        assert_eq!(p["from"], Value::Int(1));
        assert_eq!(p["expr"], Value::List(vec![Value::from("Apa")]));
        assert!(parse_params(&[vec!["x".into(), "(:A)".into()]], &mut p).is_err());
    }

    #[test]
    fn a_case_stops_at_its_first_failing_step() {
        // The step vocabulary is checked before any query runs.
        let f = parse_feature(
            "Feature: f\n  Scenario: [1] a\n    Given the binary-tree-1 graph\n    When executing query:\n      \"\"\"\n      RETURN 1\n      \"\"\"\n",
        )
        .unwrap();
        let reason = run_case(&f.cases[0]).unwrap_err();
        assert_eq!(
            reason,
            "line 3: the named graph `binary-tree-1` is not available"
        );
    }
}
