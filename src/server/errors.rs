//! Every domain error of the services, mapped to the API's [`AppError`] (and so to an HTTP
//! status and a JSON `{"error", "message"}`) here and nowhere else.
//!
//! The services speak their own error enums, which share one vocabulary: not found, invalid
//! (422), conflict (409), forbidden, unavailable (503), internal. A new service error gets its
//! `From` in this file.

use crate::auth::AuthError;
use crate::error::AppError;
use crate::git::GitError;
use crate::instances::engine::EngineError;
use crate::projects::service::ProjectError;
use crate::worktrees::service::WorktreeError;

impl From<ProjectError> for AppError {
    fn from(e: ProjectError) -> Self {
        let message = e.to_string();
        match e {
            ProjectError::NotFound(_) => AppError::NotFound(message),
            ProjectError::Invalid(_) => AppError::Unprocessable(message),
            ProjectError::Conflict(_) => AppError::Conflict(message),
            ProjectError::Template(crate::projects::templates::TemplateError::Unknown(_)) => {
                AppError::Unprocessable(message)
            }
            ProjectError::Git(g) => g.into(),
            _ => AppError::Internal(message),
        }
    }
}

impl From<GitError> for AppError {
    fn from(e: GitError) -> Self {
        let message = e.to_string();
        match e {
            GitError::NotARepository(_) => AppError::Unprocessable(message),
            GitError::Failed { .. } => AppError::Conflict(message),
            GitError::Timeout { .. } => AppError::Unavailable(message),
            GitError::Spawn(_) | GitError::Read(_) => AppError::Internal(message),
        }
    }
}

impl From<WorktreeError> for AppError {
    fn from(e: WorktreeError) -> Self {
        let message = e.to_string();
        match e {
            WorktreeError::NotFound(_) => AppError::NotFound(message),
            WorktreeError::Invalid(_) => AppError::Unprocessable(message),
            WorktreeError::Conflict(_) => AppError::Conflict(message),
            WorktreeError::Forbidden(_) => AppError::Forbidden(message),
            WorktreeError::Git(g) => g.into(),
            WorktreeError::Project(p) => p.into(),
            WorktreeError::Io(_) | WorktreeError::Db(_) => AppError::Internal(message),
        }
    }
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> Self {
        let message = e.to_string();
        match e {
            EngineError::NotFound(_) => AppError::NotFound(message),
            EngineError::Invalid(_) => AppError::Unprocessable(message),
            EngineError::Conflict(_) | EngineError::Rejected(_) => AppError::Conflict(message),
            EngineError::Quota { .. } => AppError::QuotaExceeded(message),
            EngineError::Unavailable(_) => AppError::Unavailable(message),
            EngineError::Spawn(_) | EngineError::Internal(_) => AppError::Internal(message),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        let message = e.to_string();
        match e {
            AuthError::Unauthorized(_) => AppError::Unauthorized(message),
            AuthError::Forbidden(_) => AppError::Forbidden(message),
            AuthError::Throttled(_) => AppError::RateLimited(message),
            AuthError::Invalid(_) => AppError::Unprocessable(message),
            AuthError::NotFound(_) => AppError::NotFound(message),
            AuthError::Conflict(_) => AppError::Conflict(message),
            AuthError::Internal(_) | AuthError::Db(_) => AppError::Internal(message),
        }
    }
}
