//! The auth service: configuration, who a request comes from, and the access settings.
//! Sign-in and sessions are in `sessions.rs`, API tokens in `tokens.rs`.

use super::access::AccessPolicy;
use super::ratelimit::RateLimit;
use super::secret::digest;
use super::store;
use super::throttle::LoginThrottle;
use super::types::{SecuritySettings, TokenScope, UpdateSecuritySettings};
use crate::base::clock::now_ms;
use crate::base::db::Db;
use crate::base::error::DomainError;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How access is configured at start-up (command line and environment).
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Sign-in required (`--auth on`, the default).
    pub enabled: bool,
    /// Host names besides loopback names and IP literals (`--public-host`).
    pub public_hosts: Vec<String>,
    /// Origins besides the server's own (`--allowed-origin`).
    pub allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-*` headers are believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<IpAddr>,
    /// The server speaks TLS itself.
    pub tls: bool,
    /// `--allow-free-paths`: instances may start anywhere, whatever Settings say.
    pub free_paths_forced: bool,
    /// A session ends after this long without a request...
    pub session_idle: Duration,
    /// ...and after this long in any case.
    pub session_max: Duration,
    /// Requests per second per client address and per token (0 = no limit), and the burst.
    pub rate_per_sec: u32,
    pub rate_burst: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            enabled: true,
            public_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            tls: false,
            free_paths_forced: false,
            session_idle: Duration::from_secs(3 * 24 * 3600),
            session_max: Duration::from_secs(30 * 24 * 3600),
            rate_per_sec: 50,
            rate_burst: 500,
        }
    }
}

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The owner, signed in with a browser session.
    Owner {
        user_id: String,
        username: String,
        session_id: String,
    },
    /// A script or CI job with an API token.
    Token {
        id: String,
        name: String,
        scope: TokenScope,
    },
    /// Auth is off (loopback only): whoever can reach the port is the owner.
    Open,
    /// No valid credentials: reaches only the sign-in page and the health checks.
    Anonymous,
}

impl Principal {
    /// How the audit log names it.
    pub fn actor(&self) -> String {
        match self {
            Principal::Owner { username, .. } => format!("owner:{username}"),
            Principal::Token { name, .. } => format!("token:{name}"),
            Principal::Open => "anonymous (auth off)".into(),
            Principal::Anonymous => "anonymous".into(),
        }
    }

    /// May manage the password, sessions, tokens and access settings: a signed-in owner (or
    /// anyone when auth is off), never a token.
    pub fn is_owner(&self) -> bool {
        matches!(self, Principal::Owner { .. } | Principal::Open)
    }
}

/// The guard's findings about a request, in its extensions for routes and server functions.
#[derive(Debug, Clone)]
pub struct Identity {
    pub principal: Principal,
    /// The client's address (behind a trusted proxy, the one it forwarded).
    pub client_ip: IpAddr,
    /// The request came over TLS (directly, or to a trusted proxy).
    pub secure: bool,
    /// A proxy header came from a peer that is not trusted (so the peer is not the client).
    pub untrusted_forwarding: bool,
    pub user_agent: Option<String>,
}

impl Identity {
    /// The first-run setup may only be done from the machine itself.
    pub fn is_local(&self) -> bool {
        self.client_ip.is_loopback() && !self.untrusted_forwarding
    }
}

const KEY_ORIGINS: &str = "security.allowed_origins";
const KEY_HOSTS: &str = "security.public_hosts";
const KEY_FREE_PATHS: &str = "security.allow_free_paths";

/// Shared by the guard, the routes and the pages. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub(super) config: Arc<AuthConfig>,
    pub(super) db: Db,
    policy: Arc<RwLock<Arc<AccessPolicy>>>,
    free_paths: Arc<AtomicBool>,
    pub(super) throttle: Arc<LoginThrottle>,
    limiter: Option<Arc<RateLimit>>,
    audit: super::audit::Audit,
}

impl Auth {
    /// Loads the saved access settings and combines them with the configuration.
    pub async fn open(db: Db, config: AuthConfig) -> Result<Self, DomainError> {
        let limiter = RateLimit::new(config.rate_per_sec, config.rate_burst).map(Arc::new);
        let auth = Auth {
            config: Arc::new(config),
            policy: Arc::new(RwLock::new(Arc::new(AccessPolicy::default()))),
            free_paths: Arc::new(AtomicBool::new(false)),
            throttle: Arc::new(LoginThrottle::default()),
            limiter,
            audit: super::audit::Audit::new(db.clone()),
            db,
        };
        let saved = auth.saved_settings().await?;
        auth.apply(&saved);
        Ok(auth)
    }

    pub fn audit(&self) -> &super::audit::Audit {
        &self.audit
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// The policy in force now (Settings can change it while the server runs).
    pub fn policy(&self) -> Arc<AccessPolicy> {
        match self.policy.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.limiter.as_deref()
    }

    /// Whether instances must start inside a registered project's folders.
    pub fn confined(&self) -> bool {
        self.config.enabled
            && !self.config.free_paths_forced
            && !self.free_paths.load(Ordering::Relaxed)
    }

    /// Who sent a request, from its `Authorization` header or session cookie. A bearer token
    /// that is not valid is an error (a script should hear so); a stale cookie is just no one.
    pub async fn identify(
        &self,
        bearer: Option<&str>,
        session_cookie: Option<&str>,
        client_ip: IpAddr,
    ) -> Result<Principal, DomainError> {
        if !self.config.enabled {
            return Ok(Principal::Open);
        }
        if let Some(token) = bearer {
            return self.token_principal(token, client_ip).await;
        }
        if let Some(secret) = session_cookie {
            if let Some(p) = self.session_principal(secret).await? {
                return Ok(p);
            }
        }
        Ok(Principal::Anonymous)
    }

    async fn token_principal(&self, token: &str, ip: IpAddr) -> Result<Principal, DomainError> {
        let now = now_ms();
        let invalid = || {
            DomainError::Unauthorized(
                "the API token is not valid (wrong, revoked or expired)".into(),
            )
        };
        let record = store::token_by_secret(&self.db, &digest(token), now)
            .await?
            .ok_or_else(invalid)?;
        if record.expires_at.is_some_and(|e| e <= now) {
            return Err(invalid());
        }
        // Last use is kept to the minute: no write on every request.
        if record.last_used_at.is_none_or(|t| now - t > 60_000) {
            store::touch_token(&self.db, &record.id, now, &ip.to_string()).await?;
        }
        Ok(Principal::Token {
            scope: TokenScope::parse(&record.scope).unwrap_or(TokenScope::Read),
            id: record.id,
            name: record.name,
        })
    }

    async fn session_principal(&self, secret: &str) -> Result<Option<Principal>, DomainError> {
        let now = now_ms();
        let Some(s) = store::session_by_secret(&self.db, &digest(secret)).await? else {
            return Ok(None);
        };
        let idle_ms = self.config.session_idle.as_millis() as i64;
        if s.expires_at <= now || s.last_seen_at + idle_ms <= now {
            store::delete_session_by_secret(&self.db, &digest(secret)).await?;
            return Ok(None);
        }
        if now - s.last_seen_at > 60_000 {
            store::touch_session(&self.db, &s.id, now).await?;
        }
        Ok(Some(Principal::Owner {
            user_id: s.user_id,
            username: s.username,
            session_id: s.id,
        }))
    }

    /// Fails unless the caller is the owner (a signed-in browser, or anyone with auth off).
    pub fn require_owner(&self, identity: &Identity) -> Result<(), DomainError> {
        if identity.principal.is_owner() {
            Ok(())
        } else {
            Err(DomainError::Forbidden(
                "only the owner, signed in with a browser, may do this (not an API token)".into(),
            ))
        }
    }

    // --- access settings ---

    async fn saved_settings(&self) -> Result<UpdateSecuritySettings, DomainError> {
        let list = |v: Option<String>| -> Vec<String> {
            v.and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default()
        };
        Ok(UpdateSecuritySettings {
            allowed_origins: list(store::setting(&self.db, KEY_ORIGINS).await?),
            public_hosts: list(store::setting(&self.db, KEY_HOSTS).await?),
            allow_free_paths: store::setting(&self.db, KEY_FREE_PATHS).await?.as_deref()
                == Some("true"),
        })
    }

    fn apply(&self, saved: &UpdateSecuritySettings) {
        let hosts: Vec<String> = self
            .config
            .public_hosts
            .iter()
            .chain(&saved.public_hosts)
            .cloned()
            .collect();
        let origins: Vec<String> = self
            .config
            .allowed_origins
            .iter()
            .chain(&saved.allowed_origins)
            .cloned()
            .collect();
        let policy = Arc::new(AccessPolicy::new(&hosts, &origins));
        match self.policy.write() {
            Ok(mut p) => *p = policy,
            Err(poisoned) => *poisoned.into_inner() = policy,
        }
        self.free_paths
            .store(saved.allow_free_paths, Ordering::Relaxed);
    }

    pub async fn security_settings(&self) -> Result<SecuritySettings, DomainError> {
        let saved = self.saved_settings().await?;
        Ok(SecuritySettings {
            allowed_origins: saved.allowed_origins,
            public_hosts: saved.public_hosts,
            allow_free_paths: saved.allow_free_paths,
            configured_origins: self.config.allowed_origins.clone(),
            configured_hosts: self.config.public_hosts.clone(),
            free_paths_forced: self.config.free_paths_forced,
            auth_enabled: self.config.enabled,
        })
    }

    /// Saves the access settings and applies them at once; the audit entry `audit` is
    /// completed in the same transaction.
    pub async fn save_security_settings(
        &self,
        identity: &Identity,
        update: UpdateSecuritySettings,
        audit: Option<super::audit::AuditId>,
    ) -> Result<SecuritySettings, DomainError> {
        self.require_owner(identity)?;
        let origins = update
            .allowed_origins
            .iter()
            .map(|o| {
                super::access::normalize_origin(o).ok_or_else(|| {
                    DomainError::Invalid(format!(
                        "{o:?} is not an origin; write it as http(s)://host[:port]"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hosts = update
            .public_hosts
            .iter()
            .map(|h| {
                let h = h.trim().to_ascii_lowercase();
                let ok = !h.is_empty()
                    && h.len() <= 253
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                ok.then_some(h.clone()).ok_or_else(|| {
                    DomainError::Invalid(format!("{h:?} is not a host name (no port, no scheme)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let saved = UpdateSecuritySettings {
            allowed_origins: origins,
            public_hosts: hosts,
            allow_free_paths: update.allow_free_paths,
        };
        let now = now_ms();
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let mut tx = self.db.begin().await?;
        store::set_setting(&mut tx, KEY_ORIGINS, &json(&saved.allowed_origins), now).await?;
        store::set_setting(&mut tx, KEY_HOSTS, &json(&saved.public_hosts), now).await?;
        let free = if saved.allow_free_paths {
            "true"
        } else {
            "false"
        };
        store::set_setting(&mut tx, KEY_FREE_PATHS, free, now).await?;
        super::audit::complete_in(&mut tx, audit, 200, None).await?;
        tx.commit().await?;
        self.apply(&saved);
        self.security_settings().await
    }
}
