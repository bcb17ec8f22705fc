//! Query errors, classified as the openCypher TCK classifies them.

/// The class of a query error, named as in the openCypher TCK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not parse.
    SyntaxError,
    /// The text parses but means nothing valid (unknown variable, misplaced aggregate...).
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
