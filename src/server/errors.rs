//! The services' one error vocabulary ([`DomainError`]) mapped to the API's [`AppError`] (and so
//! to an HTTP status and a JSON `{"error", "message"}`) here and nowhere else.

use crate::base::error::DomainError;
use crate::error::AppError;
use crate::git::GitError;

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        let message = e.to_string();
        match e {
            DomainError::NotFound(_) => AppError::NotFound(message),
            DomainError::Invalid(_) => AppError::Unprocessable(message),
            DomainError::Conflict(_) => AppError::Conflict(message),
            DomainError::Unauthorized(_) => AppError::Unauthorized(message),
            DomainError::Forbidden(_) => AppError::Forbidden(message),
            DomainError::Throttled(_) => AppError::RateLimited(message),
            DomainError::Quota { .. } => AppError::QuotaExceeded(message),
            DomainError::Unavailable(_) => AppError::Unavailable(message),
            DomainError::Internal(_) => AppError::Internal(message),
        }
    }
}

/// For the few handlers that call the git boundary directly.
impl From<GitError> for AppError {
    fn from(e: GitError) -> Self {
        DomainError::from(e).into()
    }
}
