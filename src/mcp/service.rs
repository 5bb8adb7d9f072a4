//! The MCP service: the servers configured in Claude Code's own files (listed, added, changed,
//! removed, validated, secrets masked), and the inspector's connections to them.

use super::client::Target;
use super::config::{self, Change, ConfigError, Entry, Location};
use super::inspector::Inspector;
use super::types::{
    ConfigProblem, McpServer, McpServerInput, McpServerList, McpServerQuery, Scope, Transport, MASK,
};
use crate::base::claude::ClaudeHome;
use crate::base::error::DomainError;
use crate::projects::service::Projects;
use crate::projects::store::ProjectRecord;
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Mcp {
    claude_json: PathBuf,
    pub(super) projects: Projects,
    pub(super) scripts: crate::worktrees::scripts::Scripts,
    pub inspector: Inspector,
}

impl From<ConfigError> for DomainError {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Exists { .. } => DomainError::Conflict(e.to_string()),
            ConfigError::Missing { .. } => DomainError::NotFound(e.to_string()),
            ConfigError::Malformed { .. } | ConfigError::Shape { .. } | ConfigError::Busy(_) => {
                DomainError::Conflict(e.to_string())
            }
            ConfigError::Io { .. } => DomainError::Internal(e.to_string()),
        }
    }
}

impl Mcp {
    pub fn new(
        claude_home: &ClaudeHome,
        projects: Projects,
        scripts: crate::worktrees::scripts::Scripts,
        inspector: Inspector,
    ) -> Self {
        Self {
            claude_json: claude_home.config_file(),
            projects,
            scripts,
            inspector,
        }
    }

    /// Every configured server (or those a session in project `q.project` gets), and the files
    /// that could not be read.
    pub async fn list(&self, q: &McpServerQuery) -> Result<McpServerList, DomainError> {
        let projects = self.projects.records().await?;
        let only = match &q.project {
            Some(id) => Some(
                projects
                    .iter()
                    .find(|p| &p.id == id)
                    .cloned()
                    .ok_or_else(|| DomainError::NotFound(format!("no project {id}")))?,
            ),
            None => None,
        };
        let (entries, problems) = self.read(&projects).await?;
        let servers = entries
            .into_iter()
            .filter(|e| match &only {
                None => true,
                Some(p) => {
                    e.location.scope == Scope::User || e.location.folder.as_deref() == Some(&p.path)
                }
            })
            .map(|e| shown(&e, &projects))
            .collect();
        Ok(McpServerList {
            servers,
            problems: problems
                .into_iter()
                .map(|(file, message)| ConfigProblem {
                    file: file.display().to_string(),
                    message,
                })
                .collect(),
        })
    }

    async fn read(
        &self,
        projects: &[ProjectRecord],
    ) -> Result<(Vec<Entry>, Vec<(PathBuf, String)>), DomainError> {
        let claude_json = self.claude_json.clone();
        let folders: Vec<String> = projects.iter().map(|p| p.path.clone()).collect();
        tokio::task::spawn_blocking(move || config::read_all(&claude_json, &folders))
            .await
            .map_err(|_| DomainError::Internal("reading the MCP configuration stopped".into()))
    }

    /// Server `id`, with its secrets.
    async fn entry(&self, id: &str) -> Result<(Entry, Vec<ProjectRecord>), DomainError> {
        let (location, name) =
            decode_id(id).ok_or_else(|| DomainError::NotFound(format!("no MCP server {id}")))?;
        let projects = self.projects.records().await?;
        let (entries, problems) = self.read(&projects).await?;
        match entries
            .into_iter()
            .find(|e| e.location == location && e.name == name)
        {
            Some(e) => Ok((e, projects)),
            None => {
                let file = location.file(&self.claude_json);
                match problems.into_iter().find(|(f, _)| *f == file) {
                    Some((_, message)) => Err(DomainError::Conflict(message)),
                    None => Err(DomainError::NotFound(format!(
                        "no MCP server {name:?} in {}",
                        file.display()
                    ))),
                }
            }
        }
    }

    pub async fn get(&self, id: &str) -> Result<McpServer, DomainError> {
        let (entry, projects) = self.entry(id).await?;
        Ok(shown(&entry, &projects))
    }

    pub async fn create(&self, input: McpServerInput) -> Result<McpServer, DomainError> {
        let projects = self.projects.records().await?;
        let location = self.location_of(&input, &projects)?;
        let config = config_of(&input, None, true)?;
        self.write_entry(&location, &input.name, Change::Create(config))
            .await?;
        self.get(&encode_id(&location, &input.name)).await
    }

    /// Changes server `id` (its name too); masked values keep what is stored. Its scope and
    /// folder stay.
    pub async fn update(&self, id: &str, input: McpServerInput) -> Result<McpServer, DomainError> {
        let (entry, _) = self.entry(id).await?;
        if input.scope.is_some_and(|s| s != entry.location.scope) {
            return Err(DomainError::Invalid(
                "a server's scope cannot be changed: add it in the other scope and remove this one"
                    .into(),
            ));
        }
        let config = config_of(&input, Some(&entry.config), true)?;
        let change = Change::Replace {
            from: entry.name.clone(),
            config,
        };
        self.write_entry(&entry.location, &input.name, change)
            .await?;
        self.inspector.forget(id).await;
        self.get(&encode_id(&entry.location, &input.name)).await
    }

    pub async fn delete(&self, id: &str) -> Result<(), DomainError> {
        let (entry, _) = self.entry(id).await?;
        self.write_entry(&entry.location, &entry.name, Change::Remove)
            .await?;
        self.inspector.forget(id).await;
        Ok(())
    }

    pub(super) async fn write_entry(
        &self,
        location: &Location,
        name: &str,
        change: Change,
    ) -> Result<(), DomainError> {
        let (claude_json, location, name) =
            (self.claude_json.clone(), location.clone(), name.to_string());
        tokio::task::spawn_blocking(move || config::write(&claude_json, &location, &name, &change))
            .await
            .map_err(|_| DomainError::Internal("writing the MCP configuration stopped".into()))??;
        Ok(())
    }

    /// How to reach server `id` (secrets and all), and the folder it runs in.
    pub async fn target(&self, id: &str) -> Result<Target, DomainError> {
        let (entry, _) = self.entry(id).await?;
        target_of(&entry, &self.claude_json)
    }

    fn location_of(
        &self,
        input: &McpServerInput,
        projects: &[ProjectRecord],
    ) -> Result<Location, DomainError> {
        let scope = input.scope.unwrap_or(Scope::Local);
        let folder = match (&input.project_id, &input.folder) {
            (Some(id), _) => Some(
                projects
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| p.path.clone())
                    .ok_or_else(|| DomainError::NotFound(format!("no project {id}")))?,
            ),
            (None, Some(folder)) => {
                let path = Path::new(folder.trim());
                if !path.is_absolute() || !path.is_dir() {
                    return Err(DomainError::Invalid(format!(
                        "{folder} is not a folder on this machine"
                    )));
                }
                Some(path.display().to_string())
            }
            (None, None) => None,
        };
        match (scope, folder) {
            (Scope::User, _) => Ok(Location {
                scope,
                folder: None,
            }),
            (_, None) => Err(DomainError::Invalid(format!(
                "a {} server belongs to a folder: give project_id (or folder)",
                scope.as_str()
            ))),
            (_, Some(folder)) => Ok(Location {
                scope,
                folder: Some(folder),
            }),
        }
    }
}

/// An id that names (scope, folder, name) and reads back without a lookup table.
pub fn encode_id(location: &Location, name: &str) -> String {
    let raw = format!(
        "{}\n{}\n{name}",
        location.scope.as_str(),
        location.folder.as_deref().unwrap_or("")
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

pub fn decode_id(id: &str) -> Option<(Location, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let mut parts = raw.splitn(3, '\n');
    let scope = match parts.next()? {
        "user" => Scope::User,
        "local" => Scope::Local,
        "project" => Scope::Project,
        _ => return None,
    };
    let folder = Some(parts.next()?.to_string()).filter(|f| !f.is_empty());
    let name = parts.next()?.to_string();
    Some((Location { scope, folder }, name))
}

/// A name Claude Code accepts, and that makes tool names `mcp__<name>__<tool>` read right.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The entry for a server not built yet (a scaffolded one): its command is not looked for.
pub(super) fn config_unchecked(input: &McpServerInput) -> Result<Map<String, Value>, DomainError> {
    config_of(input, None, false)
}

/// The entry to write for `input`: `existing`'s other keys kept, masked values resolved; with
/// `check_command`, a stdio server's command must be an executable here.
fn config_of(
    input: &McpServerInput,
    existing: Option<&Map<String, Value>>,
    check_command: bool,
) -> Result<Map<String, Value>, DomainError> {
    let bad = |m: String| Err(DomainError::Invalid(m));
    if !valid_name(&input.name) {
        return bad(format!(
            "{:?} is not a valid name: use 1 to 64 letters, digits, - and _",
            input.name
        ));
    }
    let mut config = existing.cloned().unwrap_or_default();
    let kept = |key: &str, name: &str| -> Option<String> {
        existing?.get(key)?.get(name)?.as_str().map(str::to_string)
    };
    let resolve = |key: &str,
                   values: &BTreeMap<String, String>|
     -> Result<Map<String, Value>, DomainError> {
        let mut out = Map::new();
        for (name, value) in values {
            let value = if value == MASK {
                kept(key, name).ok_or_else(|| {
                    DomainError::Invalid(format!("give a value for {name} (there is none stored)"))
                })?
            } else {
                value.clone()
            };
            out.insert(name.clone(), Value::String(value));
        }
        Ok(out)
    };
    for key in ["type", "command", "args", "env", "url", "headers"] {
        config.shift_remove(key);
    }
    match input.transport {
        Transport::Stdio => {
            let command = input.command.as_deref().map(str::trim).unwrap_or("");
            if command.is_empty() {
                return bad("a stdio server needs the command that starts it".into());
            }
            if check_command
                && crate::base::claude::resolve_executable(Path::new(command)).is_none()
            {
                return bad(format!(
                    "{command} is not an executable file{}",
                    if command.contains('/') {
                        ""
                    } else {
                        " on the server's PATH"
                    }
                ));
            }
            for name in input.env.keys() {
                if !valid_env_name(name) {
                    return bad(format!("{name:?} is not a valid environment variable name"));
                }
            }
            if !input.headers.is_empty() || input.url.is_some() {
                return bad("a stdio server has no URL or headers".into());
            }
            config.insert("type".into(), "stdio".into());
            config.insert("command".into(), command.into());
            config.insert(
                "args".into(),
                Value::Array(input.args.iter().cloned().map(Value::String).collect()),
            );
            config.insert("env".into(), Value::Object(resolve("env", &input.env)?));
        }
        Transport::Http | Transport::Sse => {
            let url = input.url.as_deref().map(str::trim).unwrap_or("");
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => return bad(format!("{url:?} is not an http:// or https:// URL")),
            }
            for name in input.headers.keys() {
                if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return bad(format!("{name:?} is not a valid header name"));
                }
            }
            if input.command.is_some() || !input.args.is_empty() || !input.env.is_empty() {
                return bad("a remote server has no command, arguments or environment".into());
            }
            let kind = if input.transport == Transport::Http {
                "http"
            } else {
                "sse"
            };
            config.insert("type".into(), kind.into());
            config.insert("url".into(), url.into());
            let headers = resolve("headers", &input.headers)?;
            for value in headers.values() {
                if reqwest::header::HeaderValue::from_str(value.as_str().unwrap_or("")).is_err() {
                    return bad(
                        "a header value may not hold line breaks or control characters".into(),
                    );
                }
            }
            if !headers.is_empty() {
                config.insert("headers".into(), Value::Object(headers));
            }
        }
    }
    // The known keys first, in Claude Code's order; unknown ones after, as they were.
    let mut ordered = Map::new();
    for key in ["type", "command", "args", "env", "url", "headers"] {
        if let Some(v) = config.shift_remove(key) {
            ordered.insert(key.into(), v);
        }
    }
    ordered.extend(config);
    Ok(ordered)
}

fn valid_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn strings(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn transport_of(config: &Map<String, Value>) -> Transport {
    match config.get("type").and_then(Value::as_str) {
        Some("http") | Some("streamable-http") => Transport::Http,
        Some("sse") => Transport::Sse,
        // Older entries have no type: a URL makes it remote.
        None if config.contains_key("url") => Transport::Http,
        _ => Transport::Stdio,
    }
}

/// The entry as the API shows it: secrets masked, its project named.
fn shown(e: &Entry, projects: &[ProjectRecord]) -> McpServer {
    let project = e
        .location
        .folder
        .as_deref()
        .and_then(|f| projects.iter().find(|p| p.path == f));
    let mask = |m: BTreeMap<String, String>| m.into_keys().map(|k| (k, MASK.to_string())).collect();
    McpServer {
        id: encode_id(&e.location, &e.name),
        name: e.name.clone(),
        scope: e.location.scope,
        folder: e.location.folder.clone(),
        project_id: project.map(|p| p.id.clone()),
        project_name: project.map(|p| p.name.clone()),
        transport: transport_of(&e.config),
        command: e
            .config
            .get("command")
            .and_then(Value::as_str)
            .map(str::to_string),
        args: e
            .config
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default(),
        env: mask(strings(e.config.get("env"))),
        url: e
            .config
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string),
        headers: mask(strings(e.config.get("headers"))),
        file: e.file.display().to_string(),
    }
}

/// How to reach an entry. A program runs in its folder (the user's home for user servers).
fn target_of(e: &Entry, claude_json: &Path) -> Result<Target, DomainError> {
    match transport_of(&e.config) {
        Transport::Stdio => {
            let command = e
                .config
                .get("command")
                .and_then(Value::as_str)
                .ok_or_else(|| DomainError::Invalid(format!("{} has no command", e.name)))?;
            let cwd = e
                .location
                .folder
                .clone()
                .map(PathBuf::from)
                .or_else(|| claude_json.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from("/"));
            Ok(Target::Program {
                command: command.to_string(),
                args: shown(e, &[]).args,
                env: strings(e.config.get("env")),
                cwd,
            })
        }
        Transport::Http => Ok(Target::Http {
            url: e.config.get("url").and_then(Value::as_str).unwrap_or("").to_string(),
            headers: strings(e.config.get("headers")),
        }),
        Transport::Sse => Err(DomainError::Invalid(
            "this server speaks the older SSE transport, which the inspector does not (Claude Code still uses it)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_names_follow_the_rule() {
        for location in [
            Location {
                scope: Scope::User,
                folder: None,
            },
            Location {
                scope: Scope::Local,
                folder: Some("/home/u/a b/ü".into()),
            },
            Location {
                scope: Scope::Project,
                folder: Some("/p".into()),
            },
        ] {
            let id = encode_id(&location, "my-server_2");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{id}"
            );
            assert_eq!(decode_id(&id), Some((location, "my-server_2".to_string())));
        }
        assert_eq!(decode_id("not-an-id"), None);
        assert!(valid_name("fs") && valid_name("a-b_C9"));
        assert!(
            !valid_name("")
                && !valid_name("a b")
                && !valid_name("a/b")
                && !valid_name(&"x".repeat(65))
        );
    }

    #[test]
    fn an_entry_is_written_as_claude_code_writes_it_keeping_unknown_keys_and_stored_secrets() {
        let input = McpServerInput {
            name: "s".into(),
            transport: Transport::Http,
            url: Some("https://example.com/mcp".into()),
            headers: BTreeMap::from([("Authorization".into(), MASK.into())]),
            ..Default::default()
        };
        let existing: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "type": "http", "url": "https://old", "oauth": {"clientId": "c"},
            "headers": {"Authorization": "Bearer secret"}
        }))
        .unwrap();
        let config = config_of(&input, Some(&existing), true).unwrap();
        let keys: Vec<&str> = config.keys().map(String::as_str).collect();
        assert_eq!(keys, ["type", "url", "headers", "oauth"]);
        assert_eq!(config["headers"]["Authorization"], "Bearer secret");
        assert_eq!(config["url"], "https://example.com/mcp");
        // A masked value with nothing stored is an error, not a stored mask.
        assert!(config_of(&input, None, true).is_err());
        let stdio = McpServerInput {
            name: "s".into(),
            command: Some("sh".into()),
            args: vec!["-c".into(), "true".into()],
            env: BTreeMap::from([("A".into(), "1".into())]),
            ..Default::default()
        };
        let config = config_of(&stdio, None, true).unwrap();
        assert_eq!(
            Value::Object(config),
            serde_json::json!({"type": "stdio", "command": "sh", "args": ["-c", "true"], "env": {"A": "1"}})
        );
    }
}
