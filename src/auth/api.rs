//! Server functions of the sign-in pages and the Settings sections: each one call into the auth
//! service with the caller's identity (which the guard found) and audit entry.

// Three types by path: each server function defines a struct named after it (`auth_status` ->
// `AuthStatus`), which would clash with the type of the same name.
use super::types::{
    self as t, AuditPage, NewToken, SessionInfo, TokenInfo, UpdateSecuritySettings,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[cfg(feature = "ssr")]
mod ctx {
    use crate::auth::audit::AuditId;
    use crate::auth::{Auth, Identity};
    use crate::base::error::DomainError;
    use crate::error::AppError;
    use axum::http::request::Parts;
    use axum::http::{header, HeaderValue};
    use leptos::prelude::*;

    pub fn auth() -> Auth {
        expect_context::<crate::server::state::AppState>().auth
    }

    fn parts() -> Option<Parts> {
        use_context::<Parts>()
    }

    /// The caller, as the guard identified them.
    pub fn identity() -> Result<Identity, AppError> {
        parts()
            .and_then(|p| p.extensions.get::<Identity>().cloned())
            .ok_or_else(|| AppError::Unauthorized("sign in first".into()))
    }

    /// This request's audit entry, if it changes state.
    pub fn audit_id() -> Option<AuditId> {
        parts().and_then(|p| p.extensions.get::<AuditId>().copied())
    }

    /// The session cookie the browser sent, if any.
    pub fn cookie() -> Option<String> {
        parts().and_then(|p| crate::auth::guard::session_cookie(&p.headers).map(str::to_string))
    }

    pub fn set_cookie(value: &str) {
        if let (Some(options), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            options.append_header(header::SET_COOKIE, v);
        }
    }

    /// Maps a service error, adding Retry-After to a throttled sign-in.
    pub fn fail(e: DomainError) -> AppError {
        if let DomainError::Throttled(wait) = &e {
            if let (Some(options), Ok(v)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                HeaderValue::from_str(&wait.as_secs().max(1).to_string()),
            ) {
                options.insert_header(header::RETRY_AFTER, v);
            }
        }
        AppError::from(e)
    }
}

#[cfg(feature = "ssr")]
use ctx::*;

/// Whether auth is on, whether the owner exists, who is signed in.
#[server(prefix = "/api/fn", endpoint = "auth_status", input = GetUrl)]
pub async fn auth_status() -> Result<t::AuthStatus, AppError> {
    let identity = identity().ok();
    auth().status(identity.as_ref()).await.map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "login", input = Json)]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let session = auth()
        .login(
            &identity()?,
            username.trim(),
            &password,
            cookie().as_deref(),
            audit_id(),
        )
        .await
        .map_err(fail)?;
    set_cookie(&session.set_cookie);
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "setup_owner", input = Json)]
pub async fn setup_owner(username: String, password: String) -> Result<(), AppError> {
    let session = auth()
        .setup_owner(&identity()?, username.trim(), &password, audit_id())
        .await
        .map_err(fail)?;
    set_cookie(&session.set_cookie);
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), AppError> {
    let identity = identity()?;
    auth().logout(&identity, audit_id()).await.map_err(fail)?;
    set_cookie(&crate::auth::sessions::clear_cookie(identity.secure));
    Ok(())
}

#[server(prefix = "/api/fn", endpoint = "change_password", input = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    auth()
        .change_password(&identity()?, &current, &new, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "list_sessions", input = GetUrl)]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    auth().sessions(&identity()?).await.map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "revoke_session", input = Json)]
pub async fn revoke_session(id: String) -> Result<(), AppError> {
    auth()
        .revoke_session(&identity()?, &id, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "list_tokens", input = GetUrl)]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    auth().tokens(Some(&identity()?)).await.map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "create_token", input = Json)]
pub async fn create_token(request: t::CreateToken) -> Result<NewToken, AppError> {
    auth()
        .create_token(Some(&identity()?), request, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "revoke_token", input = Json)]
pub async fn revoke_token(id: String) -> Result<TokenInfo, AppError> {
    auth()
        .revoke_token(Some(&identity()?), &id, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "rotate_token", input = Json)]
pub async fn rotate_token(id: String, overlap_secs: Option<u64>) -> Result<NewToken, AppError> {
    auth()
        .rotate_token(Some(&identity()?), &id, overlap_secs, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "security_settings", input = GetUrl)]
pub async fn security_settings() -> Result<t::SecuritySettings, AppError> {
    let identity = identity()?;
    let auth = auth();
    auth.require_owner(&identity).map_err(fail)?;
    auth.security_settings().await.map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "save_security_settings", input = Json)]
pub async fn save_security_settings(
    update: UpdateSecuritySettings,
) -> Result<t::SecuritySettings, AppError> {
    auth()
        .save_security_settings(&identity()?, update, audit_id())
        .await
        .map_err(fail)
}

#[server(prefix = "/api/fn", endpoint = "audit_log", input = GetUrl)]
pub async fn audit_log(
    actor: Option<String>,
    text: Option<String>,
    result: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    let identity = identity()?;
    let auth = auth();
    auth.require_owner(&identity).map_err(fail)?;
    let query = t::AuditQuery {
        actor,
        text,
        result,
        before,
        limit: Some(50),
    };
    Ok(auth.audit().list(&query).await?)
}
