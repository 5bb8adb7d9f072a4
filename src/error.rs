//! The error type of the HTTP / server-function layer.
//!
//! Domain modules (the instance engine, the git boundary, ...) have error types of their own and
//! convert into [`AppError`] at the edge. On the wire an `AppError` is always
//! `{"error": "<code>", "message": "<text>"}`, for REST routes and server functions alike, so the
//! UI shows the same readable message the API returns.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum AppError {
    /// The thing asked for does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed or a field is invalid (400).
    #[error("{0}")]
    BadRequest(String),
    /// No valid session or API token came with the request (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but may not do this, or the request came from a foreign origin (403).
    #[error("{0}")]
    Forbidden(String),
    /// The request body is larger than the server takes (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The client took too long to send its request body (408).
    #[error("{0}")]
    RequestTimeout(String),
    /// Too many requests from this client or token; retry later (429).
    #[error("{0}")]
    RateLimited(String),
    /// The request is well-formed but its content cannot be processed (422).
    #[error("{0}")]
    Unprocessable(String),
    /// The request conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// A configured limit would be exceeded (429).
    #[error("{0}")]
    QuotaExceeded(String),
    /// A dependency (database, claude binary, network) is not available (503).
    #[error("{0}")]
    Unavailable(String),
    /// Anything else; the details are in the server log (500).
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable machine-readable code sent as `"error"`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::RateLimited(_) => "rate_limited",
            AppError::RequestTimeout(_) => "timeout",
            AppError::Unprocessable(_) => "unprocessable",
            AppError::Conflict(_) => "conflict",
            AppError::QuotaExceeded(_) => "quota_exceeded",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Unauthorized(m)
            | AppError::Forbidden(m)
            | AppError::PayloadTooLarge(m)
            | AppError::RateLimited(m)
            | AppError::RequestTimeout(m)
            | AppError::Unprocessable(m)
            | AppError::Conflict(m)
            | AppError::QuotaExceeded(m)
            | AppError::Unavailable(m)
            | AppError::Internal(m) => m,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => AppError::BadRequest(m),
            ServerFnErrorErr::Request(m) => {
                AppError::Unavailable(format!("Could not reach the Flotilla server: {m}"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub use http::respond;

#[cfg(feature = "ssr")]
mod http {
    use super::AppError;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
                AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
                AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::QuotaExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            if let AppError::Internal(m) = &self {
                tracing::error!(error = %m, "internal error");
            }
            (self.status(), axum::Json(&self)).into_response()
        }
    }

    /// Gives a server function's response the status of its error (Leptos would send 500 for
    /// every error), so a bad input is a 4xx there as on the REST API.
    pub fn respond<T, E: Into<AppError>>(result: Result<T, E>) -> Result<T, AppError> {
        let result = result.map_err(Into::into);
        if let Err(e) = &result {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(e.status());
            }
        }
        result
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            AppError::Internal(format!("database error: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_error_and_message() {
        let e = AppError::NotFound("no instance abc".into());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": "not_found", "message": "no instance abc"})
        );
        let back: AppError = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }
}
