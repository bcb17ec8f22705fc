//! The TCK's step vocabulary: recognising a step's text as one action.

use crate::compare::Mode;
use crate::gherkin::Step;
use pharmakg::query::{ErrorKind, Phase};

/// When an expected error must be raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseSpec {
    /// `compile time`: before any row is produced or change made.
    Compile,
    /// `runtime`.
    Runtime,
    /// `any time`.
    Any,
}

impl PhaseSpec {
    /// True when an error raised in `phase` satisfies this expectation.
    pub fn accepts(self, phase: Phase) -> bool {
        matches!(
            (self, phase),
            (PhaseSpec::Any, _)
                | (PhaseSpec::Compile, Phase::Compile)
                | (PhaseSpec::Runtime, Phase::Runtime)
        )
    }

    /// The phase in the TCK's words.
    pub fn words(self) -> &'static str {
        match self {
            PhaseSpec::Compile => "compile time",
            PhaseSpec::Runtime => "runtime",
            PhaseSpec::Any => "any time",
        }
    }
}

/// The TCK's words for an engine phase.
pub fn phase_words(phase: Phase) -> &'static str {
    match phase {
        Phase::Compile => "compile time",
        Phase::Runtime => "runtime",
    }
}

/// The TCK type name of an engine error kind: the variants carry the TCK names.
pub fn kind_name(kind: ErrorKind) -> String {
    format!("{kind:?}")
}

/// An error a step expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedError {
    /// The TCK type, such as `SyntaxError`.
    pub kind: String,
    /// When it must be raised.
    pub phase: PhaseSpec,
    /// The detail code, or `*` for any.
    pub detail: String,
}

/// What one step asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<'a> {
    /// `an empty graph` / `any graph`: start from a fresh graph.
    FreshGraph,
    /// A named fixture graph, which this runner does not have.
    NamedGraph(&'a str),
    /// `having executed:`: a setup query.
    Setup(&'a str),
    /// `parameters are:`: name and value per row.
    Params(&'a [Vec<String>]),
    /// `executing query:`: the query under test.
    Query(&'a str),
    /// `executing control query:`: a later read-only query.
    Control(&'a str),
    /// `the result should be...`: header row, then expected rows.
    Result(&'a [Vec<String>], Mode),
    /// `the result should be empty`.
    Empty,
    /// `a <Type> should be raised at <phase>: <Detail>`.
    Error(ExpectedError),
    /// `no side effects`.
    NoSideEffects,
    /// `the side effects should be:`.
    SideEffects(&'a [Vec<String>]),
}

/// Recognises a step; the error says what is missing or unknown.
pub fn classify(step: &Step) -> Result<Action<'_>, String> {
    let text = step.text.trim();
    let doc = || {
        step.doc
            .as_deref()
            .ok_or_else(|| format!("step `{text}` needs a doc string"))
    };
    let table = || {
        step.table
            .as_deref()
            .ok_or_else(|| format!("step `{text}` needs a table"))
    };
    let mode = |ordered, lists_as_bags| Mode {
        ordered,
        lists_as_bags,
    };
    Ok(match text {
        "an empty graph" | "any graph" => Action::FreshGraph,
        "having executed:" => Action::Setup(doc()?),
        "parameters are:" => Action::Params(table()?),
        "executing query:" => Action::Query(doc()?),
        "executing control query:" => Action::Control(doc()?),
        "the result should be, in any order:" => Action::Result(table()?, mode(false, false)),
        "the result should be, in order:" => Action::Result(table()?, mode(true, false)),
        "the result should be (ignoring element order for lists):" => {
            Action::Result(table()?, mode(false, true))
        }
        "the result should be, in order (ignoring element order for lists):" => {
            Action::Result(table()?, mode(true, true))
        }
        "the result should be empty" => Action::Empty,
        "no side effects" => Action::NoSideEffects,
        "the side effects should be:" => Action::SideEffects(table()?),
        _ => {
            if let Some(name) = text
                .strip_prefix("the ")
                .and_then(|r| r.strip_suffix(" graph"))
            {
                Action::NamedGraph(name)
            } else if let Some(e) = parse_error_step(text) {
                Action::Error(e)
            } else {
                return Err(format!("unsupported step `{} {text}`", step.keyword));
            }
        }
    })
}

/// Reads `a <Type> should be raised at <phase>: <Detail>`.
fn parse_error_step(text: &str) -> Option<ExpectedError> {
    let rest = text
        .strip_prefix("a ")
        .or_else(|| text.strip_prefix("an "))?;
    let (kind, rest) = rest.split_once(" should be raised at ")?;
    let (phase, detail) = rest.split_once(':')?;
    let phase = match phase.trim() {
        "compile time" => PhaseSpec::Compile,
        "runtime" => PhaseSpec::Runtime,
        "any time" => PhaseSpec::Any,
        _ => return None,
    };
    Some(ExpectedError {
        kind: kind.trim().to_string(),
        phase,
        detail: detail.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(text: &str) -> Step {
        Step {
            keyword: "Then".into(),
            text: text.into(),
            doc: None,
            table: Some(vec![vec!["a".into()]]),
            line: 1,
        }
    }

    #[test]
    fn error_steps() {
        let s = step("a SyntaxError should be raised at compile time: UndefinedVariable");
        assert_eq!(
            classify(&s).unwrap(),
            Action::Error(ExpectedError {
                kind: "SyntaxError".into(),
                phase: PhaseSpec::Compile,
                detail: "UndefinedVariable".into()
            })
        );
        let s = step("a TypeError should be raised at any time: *");
        let Action::Error(e) = classify(&s).unwrap() else {
            panic!("not an error step")
        };
        assert!(e.phase.accepts(Phase::Compile) && e.phase.accepts(Phase::Runtime));
        assert_eq!(e.detail, "*");
        assert!(!PhaseSpec::Runtime.accepts(Phase::Compile));
        assert!(classify(&step("a TypeError should be raised at noon: X")).is_err());
    }

    #[test]
    fn result_modes_and_missing_parts() {
        let s = step("the result should be, in order (ignoring element order for lists):");
        assert!(matches!(
            classify(&s).unwrap(),
            Action::Result(
                _,
                Mode {
                    ordered: true,
                    lists_as_bags: true
                }
            )
        ));
        assert_eq!(
            classify(&step("the binary-tree-1 graph")).unwrap(),
            Action::NamedGraph("binary-tree-1")
        );
        let err = classify(&step("executing query:")).unwrap_err();
        assert!(err.contains("doc string"), "{err}");
        assert!(classify(&step("something else")).is_err());
        assert_eq!(kind_name(ErrorKind::EntityNotFound), "EntityNotFound");
    }
}
