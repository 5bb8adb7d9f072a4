//! The auth feature's API types, shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What the sign-in and setup pages need to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthStatus {
    /// Off only when started with `--auth off` on a loopback address.
    pub auth_enabled: bool,
    /// Whether the owner has set a password yet.
    pub owner_exists: bool,
    /// Who is signed in on this request, if anyone.
    pub username: Option<String>,
    /// The request comes through an API token (not a browser session).
    pub via_token: bool,
    /// The first-run setup may be done from here (no owner yet, and a loopback client).
    pub setup_allowed_here: bool,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reads only: GET routes and the read-only event streams.
    Read,
    /// Everything a signed-in owner can do, except managing tokens, sessions and the password.
    #[default]
    Full,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(TokenScope::Read),
            "full" => Some(TokenScope::Full),
            _ => None,
        }
    }
}

/// An API token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: String,
    pub rotated_at: Option<String>,
    /// Until when the secret it had before its last rotation still works.
    pub previous_valid_until: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Past its expiry.
    pub expired: bool,
}

/// A token just created or rotated: the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: String,
    pub info: TokenInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub name: String,
    #[serde(default)]
    pub scope: TokenScope,
    /// Days until it stops working; none = until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateToken {
    /// How long the old secret keeps working, in seconds (default one hour; 0 = not at all).
    #[serde(default)]
    pub overlap_secs: Option<u64>,
}

/// A signed-in browser session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request came with.
    pub current: bool,
}

/// Access settings: what the owner set in Settings, and what the command line fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SecuritySettings {
    /// Origins whose pages may use the API, besides the server's own (set in Settings).
    pub allowed_origins: Vec<String>,
    /// Host names the server answers to, besides localhost and IP addresses (set in Settings).
    pub public_hosts: Vec<String>,
    /// Instances may start outside registered projects' folders.
    pub allow_free_paths: bool,
    /// From `--allowed-origin` / `FLOTILLA_ALLOWED_ORIGINS` (read-only here).
    #[serde(default)]
    pub configured_origins: Vec<String>,
    /// From `--public-host` / `FLOTILLA_PUBLIC_HOSTS` (read-only here).
    #[serde(default)]
    pub configured_hosts: Vec<String>,
    /// `--allow-free-paths` was given: free paths are on whatever is saved here.
    #[serde(default)]
    pub free_paths_forced: bool,
    #[serde(default)]
    pub auth_enabled: bool,
}

/// The editable part of [`SecuritySettings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSecuritySettings {
    pub allowed_origins: Vec<String>,
    pub public_hosts: Vec<String>,
    pub allow_free_paths: bool,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub ts: String,
    /// `owner:<name>`, `token:<name>`, `cli`, `anonymous`.
    pub actor: String,
    /// e.g. `POST /api/instances/{id}/stop`, `fn launch_instance`, `ws query`.
    pub action: String,
    pub target: Option<String>,
    pub client_ip: Option<String>,
    /// `pending` (no outcome recorded: the server stopped meanwhile), `ok` or `error`.
    pub result: String,
    pub status: Option<i64>,
    pub detail: Option<String>,
}

/// Filters of the audit log (all optional); newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuditQuery {
    /// Text the actor contains.
    #[serde(default)]
    pub actor: Option<String>,
    /// Text the action or target contains.
    #[serde(default)]
    pub text: Option<String>,
    /// `ok`, `error` or `pending`.
    #[serde(default)]
    pub result: Option<String>,
    /// Only entries older than this id (the next page).
    #[serde(default)]
    pub before: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; none at the end.
    pub next_before: Option<i64>,
}

/// Token names: 1–64 letters, digits, `.`, `_`, `-`.
pub fn validate_token_name(name: &str) -> Result<(), String> {
    validate_name(name, "token")
}

/// Usernames follow the same rule.
pub fn validate_username(name: &str) -> Result<(), String> {
    validate_name(name, "user")
}

fn validate_name(name: &str, what: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(format!("a {what} name must be 1 to 64 characters long"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "a {what} name may contain only letters, digits, '.', '_' and '-'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_token_name("ci-deploy_1.x").is_ok());
        assert!(validate_token_name("").is_err());
        assert!(validate_token_name("has space").is_err());
        assert!(validate_token_name("<script>").is_err());
        assert!(validate_username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn scope_wire_names() {
        assert_eq!(
            serde_json::to_string(&TokenScope::Read).unwrap(),
            "\"read\""
        );
        assert_eq!(TokenScope::parse("full"), Some(TokenScope::Full));
        assert_eq!(TokenScope::parse("admin"), None);
        let req: CreateToken = serde_json::from_str(r#"{"name":"ci"}"#).unwrap();
        assert_eq!(req.scope, TokenScope::Full);
    }
}
