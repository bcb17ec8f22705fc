//! Query errors, classified as the openCypher TCK classifies them.

/// The class of a query error, named as in the openCypher TCK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not parse, or means nothing valid (unknown variable, misplaced
    /// aggregate...): the TCK files both under this class, detected before execution.
    SyntaxError,
    /// A statement that cannot run as asked, found while running it (a MERGE on a null
    /// property, a missing parameter).
    SemanticError,
    /// A value of the wrong type.
    TypeError,
    /// A function argument out of range.
    ArgumentError,
    /// An entity that no longer exists.
    EntityNotFound,
    /// A constraint was violated (deleting a node that still has relationships).
    ConstraintVerificationFailed,
    /// A guardrail stopped the query: row limit, time limit or cancellation.
    Limit,
}

/// When the error was raised: before any row was produced or change made, or during execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Parsing and semantic analysis.
    Compile,
    /// Execution.
    Runtime,
}

/// A failed query: its class, the TCK detail code, the phase, a message and where in the text.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    /// The error's class.
    pub kind: ErrorKind,
    /// The TCK detail code, such as `UndefinedVariable` or `InvalidArgumentType`.
    pub code: String,
    /// When it was raised.
    pub phase: Phase,
    /// What went wrong, in words.
    pub message: String,
    /// Byte span in the query text, when known.
    pub span: Option<(usize, usize)>,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    /// An error without a position.
    pub fn new(kind: ErrorKind, code: &str, phase: Phase, message: impl Into<String>) -> Self {
        QueryError {
            kind,
            code: code.to_string(),
            phase,
            message: message.into(),
            span: None,
        }
    }

    /// The same error, pointing at bytes `start..end` of the query.
    pub fn with_span(mut self, start: usize, end: usize) -> Self {
        self.span = Some((start, end));
        self
    }

    /// The error class as the openCypher TCK names it (the kinds are named after it; `Limit`
    /// is ours alone).
    pub fn tck_type(&self) -> &'static str {
        match self.kind {
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::SemanticError => "SemanticError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::ArgumentError => "ArgumentError",
            ErrorKind::EntityNotFound => "EntityNotFound",
            ErrorKind::ConstraintVerificationFailed => "ConstraintVerificationFailed",
            ErrorKind::Limit => "Limit",
        }
    }

    /// The 1-based line and column (in characters) where the error points, if it has a span.
    pub fn line_col(&self, query: &str) -> Option<(usize, usize)> {
        let (start, _) = self.span?;
        let start = floor_char_boundary(query, start);
        let before = &query[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = query[line_start..start].chars().count() + 1;
        Some((line, col))
    }

    /// The error as text for people: the message with its line and column, then the query
    /// line it points into and a caret under the spot.
    pub fn render(&self, query: &str) -> String {
        let kind = format!("{:?}", self.kind);
        let Some((line, col)) = self.line_col(query) else {
            return format!("{kind}: {}", self.message);
        };
        let text = query.lines().nth(line - 1).unwrap_or("");
        let (start, end) = self.span.unwrap_or((0, 0));
        let width = query
            .get(floor_char_boundary(query, start)..floor_char_boundary(query, end.max(start)))
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
        format!(
            "{kind}: {} (line {line}, column {col})\n  {text}\n  {}{}",
            self.message,
            " ".repeat(col - 1),
            "^".repeat(width)
        )
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
