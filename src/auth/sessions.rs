//! The owner's password and browser sessions: first-run setup, sign-in (throttled), sign-out,
//! password change, the list of signed-in browsers.

use super::audit::{complete_in, AuditId};
use super::secret::{check_new_password, digest, hash_password, random_secret, verify_password};
use super::service::{Auth, Identity, Principal};
use super::store::{self, UserRecord};
use super::throttle::{ACCOUNT_FREE_FAILURES, CLIENT_FREE_FAILURES};
use super::types::{validate_username, AuthStatus, SessionInfo};
use crate::base::clock::{format_ts, now_ms};
use crate::base::error::DomainError;
use std::time::Instant;

/// The session cookie's name; over TLS the `__Host-` prefix makes the browser refuse it unless it
/// is Secure, host-only and for the whole site.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-flotilla_session"
    } else {
        "flotilla_session"
    }
}

/// A new session: the cookie to set (its secret is nowhere else).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub set_cookie: String,
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_attr}",
        cookie_name(secure)
    )
}

/// Argon2 in a blocking thread: it takes tens of milliseconds of CPU on purpose.
async fn hash(password: String) -> Result<String, DomainError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .map_err(DomainError::Internal)
}

/// Checks a password against a hash; with no hash (no such user) the same work is done against
/// a throw-away one, so the answer takes as long and a guesser learns nothing about names.
async fn verify(password: String, phc: Option<String>) -> Result<bool, DomainError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_password(&password, &phc),
        None => {
            let dummy = DUMMY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default());
            let _ = verify_password(&password, dummy);
            false
        }
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))
}

impl Auth {
    pub async fn status(&self, identity: Option<&Identity>) -> Result<AuthStatus, DomainError> {
        let owner_exists = store::first_user(&self.db).await?.is_some();
        let (username, via_token) = match identity.map(|i| &i.principal) {
            Some(Principal::Owner { username, .. }) => (Some(username.clone()), false),
            Some(Principal::Token { name, .. }) => (Some(format!("token {name}")), true),
            _ => (None, false),
        };
        Ok(AuthStatus {
            auth_enabled: self.config.enabled,
            owner_exists,
            username,
            via_token,
            setup_allowed_here: !owner_exists
                && self.config.enabled
                && identity.is_some_and(Identity::is_local),
        })
    }

    /// Sets the owner's password (creating the owner when there is none), and signs out every
    /// session: what `flotilla user set-password` does.
    pub async fn set_password(
        &self,
        username: Option<&str>,
        password: &str,
    ) -> Result<String, DomainError> {
        check_new_password(password).map_err(DomainError::Invalid)?;
        if let Some(name) = username {
            validate_username(name).map_err(DomainError::Invalid)?;
        }
        let phc = hash(password.to_string()).await?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let existing: Option<UserRecord> = sqlx::query_as(
            "SELECT id, username, password_hash FROM users ORDER BY created_at LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let name = match existing {
            Some(user) => {
                let name = username.unwrap_or(&user.username).to_string();
                store::set_password_hash(&mut tx, &user.id, &name, &phc, now).await?;
                store::delete_other_sessions(&mut tx, &user.id, None).await?;
                name
            }
            None => {
                let name = username.unwrap_or("owner").to_string();
                let user = UserRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    username: name.clone(),
                    password_hash: phc,
                };
                store::insert_first_user(&mut tx, &user, now).await?;
                name
            }
        };
        tx.commit().await?;
        Ok(name)
    }

    /// First run, from the machine itself: creates the owner and signs this browser in.
    pub async fn setup_owner(
        &self,
        identity: &Identity,
        username: &str,
        password: &str,
        audit: Option<AuditId>,
    ) -> Result<NewSession, DomainError> {
        if !self.config.enabled {
            return Err(DomainError::Conflict("authentication is off".into()));
        }
        if !identity.is_local() {
            return Err(DomainError::Forbidden(
                "the owner can only be created from the machine Flotilla runs on (or with \
                 `flotilla user set-password`)"
                    .into(),
            ));
        }
        validate_username(username).map_err(DomainError::Invalid)?;
        check_new_password(password).map_err(DomainError::Invalid)?;
        let user = UserRecord {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_string(),
            password_hash: hash(password.to_string()).await?,
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        if !store::insert_first_user(&mut tx, &user, now).await? {
            return Err(DomainError::Conflict(
                "the owner already exists; sign in instead".into(),
            ));
        }
        let session = self.start_session(&mut tx, &user.id, identity, now).await?;
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Checks the password (throttled per client and per account) and starts a new session;
    /// the session the browser had before, if any, ends (no session fixation).
    pub async fn login(
        &self,
        identity: &Identity,
        username: &str,
        password: &str,
        old_cookie: Option<&str>,
        audit: Option<AuditId>,
    ) -> Result<NewSession, DomainError> {
        if !self.config.enabled {
            return Err(DomainError::Conflict("authentication is off".into()));
        }
        let client_key = format!("client:{}", identity.client_ip);
        let account_key = format!("account:{}", username.to_lowercase());
        let now = Instant::now();
        for key in [&client_key, &account_key] {
            self.throttle
                .check(key, now)
                .map_err(DomainError::Throttled)?;
        }
        let user = store::user_by_name(&self.db, username).await?;
        let phc = user.as_ref().map(|u| u.password_hash.clone());
        let ok = verify(password.to_string(), phc).await?;
        let Some(user) = user.filter(|_| ok) else {
            let now = Instant::now();
            self.throttle.failed(&client_key, CLIENT_FREE_FAILURES, now);
            self.throttle
                .failed(&account_key, ACCOUNT_FREE_FAILURES, now);
            return Err(DomainError::Unauthorized(
                "wrong username or password".into(),
            ));
        };
        self.throttle.succeeded(&client_key);
        self.throttle.succeeded(&account_key);
        if let Some(old) = old_cookie {
            store::delete_session_by_secret(&self.db, &digest(old)).await?;
        }
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let session = self.start_session(&mut tx, &user.id, identity, now).await?;
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        Ok(session)
    }

    async fn start_session(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        user_id: &str,
        identity: &Identity,
        now: i64,
    ) -> Result<NewSession, DomainError> {
        let secret = random_secret();
        let max = self.config.session_max;
        store::insert_session(
            tx,
            &uuid::Uuid::new_v4().to_string(),
            &digest(&secret),
            user_id,
            now,
            now + max.as_millis() as i64,
            &identity.client_ip.to_string(),
            identity
                .user_agent
                .as_deref()
                .map(|ua| &ua[..ua.len().min(300)]),
        )
        .await?;
        let secure = if identity.secure { "; Secure" } else { "" };
        Ok(NewSession {
            set_cookie: format!(
                "{}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                cookie_name(identity.secure),
                max.as_secs()
            ),
        })
    }

    /// Ends the caller's session.
    pub async fn logout(
        &self,
        identity: &Identity,
        audit: Option<AuditId>,
    ) -> Result<(), DomainError> {
        if let Principal::Owner {
            user_id,
            session_id,
            ..
        } = &identity.principal
        {
            let mut tx = self.db.begin().await?;
            store::delete_session(&mut tx, user_id, session_id).await?;
            complete_in(&mut tx, audit, 200, None).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Changes the owner's password after checking the current one; every other session ends.
    pub async fn change_password(
        &self,
        identity: &Identity,
        current: &str,
        new: &str,
        audit: Option<AuditId>,
    ) -> Result<(), DomainError> {
        let Principal::Owner {
            user_id,
            username,
            session_id,
        } = &identity.principal
        else {
            return Err(DomainError::Forbidden(
                "sign in with a browser to change the password".into(),
            ));
        };
        check_new_password(new).map_err(DomainError::Invalid)?;
        let key = format!("account:{}", username.to_lowercase());
        self.throttle
            .check(&key, Instant::now())
            .map_err(DomainError::Throttled)?;
        let user = store::user_by_id(&self.db, user_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("the user no longer exists".into()))?;
        if !verify(current.to_string(), Some(user.password_hash)).await? {
            self.throttle
                .failed(&key, ACCOUNT_FREE_FAILURES, Instant::now());
            return Err(DomainError::Invalid("the current password is wrong".into()));
        }
        let phc = hash(new.to_string()).await?;
        let mut tx = self.db.begin().await?;
        store::set_password_hash(&mut tx, user_id, username, &phc, now_ms()).await?;
        store::delete_other_sessions(&mut tx, user_id, Some(session_id)).await?;
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sessions(&self, identity: &Identity) -> Result<Vec<SessionInfo>, DomainError> {
        let Principal::Owner {
            user_id,
            session_id,
            ..
        } = &identity.principal
        else {
            self.require_owner(identity)?;
            return Ok(Vec::new()); // auth off: there are no sessions
        };
        let idle = self.config.session_idle.as_millis() as i64;
        store::delete_expired_sessions(&self.db, now_ms(), idle).await?;
        Ok(store::sessions_of(&self.db, user_id)
            .await?
            .into_iter()
            .map(|s| SessionInfo {
                current: s.id == *session_id,
                id: s.id,
                created_at: format_ts(s.created_at),
                last_seen_at: format_ts(s.last_seen_at),
                expires_at: format_ts(s.expires_at.min(s.last_seen_at + idle)),
                client_ip: s.client_ip,
                user_agent: s.user_agent,
            })
            .collect())
    }

    /// Signs one browser out.
    pub async fn revoke_session(
        &self,
        identity: &Identity,
        id: &str,
        audit: Option<AuditId>,
    ) -> Result<(), DomainError> {
        let Principal::Owner { user_id, .. } = &identity.principal else {
            return Err(DomainError::Forbidden(
                "only a signed-in owner has sessions to revoke".into(),
            ));
        };
        let mut tx = self.db.begin().await?;
        if !store::delete_session(&mut tx, user_id, id).await? {
            return Err(DomainError::NotFound(format!("no session {id}")));
        }
        complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        Ok(())
    }
}
