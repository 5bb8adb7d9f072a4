//! The one error vocabulary of the services (projects, worktrees, review, the instance engine,
//! auth). Each variant says what kind of failure it is, so the HTTP layer maps it to a status
//! once (`server/errors.rs`) and every service speaks the same words.
//!
//! Lower-level errors (git, templates, secrets, the event store) keep their own enums where their
//! detail matters, and convert into [`DomainError`] with one `From` beside their definition.

use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The input is malformed or breaks a rule (a name, a path, a missing field).
    #[error("{0}")]
    Invalid(String),
    /// Refused because of the current state: something would be lost, something is in the way,
    /// or the other side (git, Claude Code) said no.
    #[error("{0}")]
    Conflict(String),
    /// No valid credentials came with the request.
    #[error("{0}")]
    Unauthorized(String),
    /// Outside what the caller may touch.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins; the wait before the next try.
    #[error("too many failed sign-ins; try again in {} s", .0.as_secs().max(1))]
    Throttled(Duration),
    /// The configured number of running instances is reached.
    #[error("at most {max} instances may run at once; stop one first")]
    Quota { max: usize },
    /// A dependency (the claude binary, a remote, a timeout) is not available now.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else (I/O, the database); the message is for the log and the user alike.
    #[error("{0}")]
    Internal(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl From<sqlx::Error> for DomainError {
    fn from(e: sqlx::Error) -> Self {
        DomainError::Internal(format!("database error: {e}"))
    }
}

impl From<crate::base::secrets::SecretError> for DomainError {
    fn from(e: crate::base::secrets::SecretError) -> Self {
        DomainError::Internal(e.to_string())
    }
}
