//! Claude Code's own MCP configuration files, read and edited in place: `mcpServers` at the top
//! of `<claude home>/.claude.json` (user scope), under `projects["<folder>"]` in the same file
//! (local scope), and in `<folder>/.mcp.json` (project scope). Core code: no Leptos, no database.
//!
//! Flotilla never keeps a copy: a server added here is what `claude mcp list` shows, and one added
//! with `claude mcp add` shows here. An edit changes one entry and keeps everything else in the
//! file (keys in their order, written back the way Claude Code writes it: two-space JSON). A file
//! that is not valid JSON is reported and never overwritten. Writes go to a temporary file that
//! is renamed over the original, and only if the original did not change in between (Claude Code
//! rewrites `.claude.json` often); otherwise the edit is made again on the new content.

use super::types::Scope;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{file} is not valid JSON ({message}); fix it by hand: Flotilla does not overwrite it"
    )]
    Malformed { file: String, message: String },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    #[error("a server named {name:?} is already configured there ({file})")]
    Exists { name: String, file: String },
    #[error("no server named {name:?} in {file}")]
    Missing { name: String, file: String },
    #[error("cannot read or write {file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{0} kept changing while it was being saved; try again")]
    Busy(String),
}

/// Where an entry lives: its scope and, for local and project servers, its folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub scope: Scope,
    pub folder: Option<String>,
}

impl Location {
    /// The file the entry is written in.
    pub fn file(&self, claude_json: &Path) -> PathBuf {
        match (&self.scope, &self.folder) {
            (Scope::Project, Some(folder)) => {
                crate::base::claude::project_mcp_file(Path::new(folder))
            }
            _ => claude_json.to_path_buf(),
        }
    }

    /// The keys leading to its `mcpServers` object in that file.
    fn pointer(&self) -> Vec<String> {
        match (&self.scope, &self.folder) {
            (Scope::Local, Some(folder)) => {
                vec!["projects".into(), folder.clone(), "mcpServers".into()]
            }
            _ => vec!["mcpServers".into()],
        }
    }
}

/// One server as configured: its entry object as it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub location: Location,
    pub name: String,
    pub config: Map<String, Value>,
    pub file: PathBuf,
}

/// What to do with an entry.
#[derive(Debug, Clone)]
pub enum Change {
    /// Add it; refused if the name is taken there.
    Create(Map<String, Value>),
    /// Replace entry `from` (a rename when the names differ; refused if the new one is taken).
    Replace {
        from: String,
        config: Map<String, Value>,
    },
    Remove,
}

/// Every server in `.claude.json` (user scope and every folder's local scope) and in the
/// `.mcp.json` of each of `project_folders`; and, for each file that could not be read, why.
pub fn read_all(
    claude_json: &Path,
    project_folders: &[String],
) -> (Vec<Entry>, Vec<(PathBuf, String)>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    match read_json(claude_json) {
        Ok(Some(root)) => {
            let user = Location {
                scope: Scope::User,
                folder: None,
            };
            collect(&root, &user, claude_json, &mut entries);
            if let Some(projects) = root.get("projects").and_then(Value::as_object) {
                for folder in projects.keys() {
                    let local = Location {
                        scope: Scope::Local,
                        folder: Some(folder.clone()),
                    };
                    collect(&root, &local, claude_json, &mut entries);
                }
            }
        }
        Ok(None) => {}
        Err(e) => problems.push((claude_json.to_path_buf(), e.to_string())),
    }
    for folder in project_folders {
        let location = Location {
            scope: Scope::Project,
            folder: Some(folder.clone()),
        };
        let file = location.file(claude_json);
        match read_json(&file) {
            Ok(Some(root)) => collect(&root, &location, &file, &mut entries),
            Ok(None) => {}
            Err(e) => problems.push((file, e.to_string())),
        }
    }
    (entries, problems)
}

fn collect(root: &Value, location: &Location, file: &Path, out: &mut Vec<Entry>) {
    let mut at = root;
    for key in location.pointer() {
        match at.get(&key) {
            Some(next) => at = next,
            None => return,
        }
    }
    let Some(servers) = at.as_object() else {
        return;
    };
    for (name, config) in servers {
        if let Some(config) = config.as_object() {
            out.push(Entry {
                location: location.clone(),
                name: name.clone(),
                config: config.clone(),
                file: file.to_path_buf(),
            });
        }
    }
}

/// The parsed file; None when it does not exist.
fn read_json(path: &Path) -> Result<Option<Value>, ConfigError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(path, &bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Io {
            file: shown(path),
            source,
        }),
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Value, ConfigError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ConfigError::Malformed {
        file: shown(path),
        message: e.to_string(),
    })?;
    if !value.is_object() {
        return Err(ConfigError::Shape {
            file: shown(path),
            message: "the file is not a JSON object".into(),
        });
    }
    Ok(value)
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Applies `change` to entry `name` at `location`, keeping everything else in the file.
pub fn write(
    claude_json: &Path,
    location: &Location,
    name: &str,
    change: &Change,
) -> Result<(), ConfigError> {
    let file = location.file(claude_json);
    let pointer = location.pointer();
    update(&file, |root| {
        let servers = servers_object(root, &pointer, &file, !matches!(change, Change::Remove))?;
        let Some(servers) = servers else {
            return Err(ConfigError::Missing {
                name: name.into(),
                file: shown(&file),
            });
        };
        match change {
            Change::Create(config) => {
                if servers.contains_key(name) {
                    return Err(ConfigError::Exists {
                        name: name.into(),
                        file: shown(&file),
                    });
                }
                servers.insert(name.into(), Value::Object(config.clone()));
            }
            Change::Replace { from, config } => {
                if !servers.contains_key(from) {
                    return Err(ConfigError::Missing {
                        name: from.clone(),
                        file: shown(&file),
                    });
                }
                if from != name && servers.contains_key(name) {
                    return Err(ConfigError::Exists {
                        name: name.into(),
                        file: shown(&file),
                    });
                }
                if from == name {
                    servers.insert(name.into(), Value::Object(config.clone()));
                } else {
                    // A rename keeps the entry's place among the others.
                    let old = std::mem::take(servers);
                    for (key, value) in old {
                        if key == *from {
                            servers.insert(name.into(), Value::Object(config.clone()));
                        } else {
                            servers.insert(key, value);
                        }
                    }
                }
            }
            Change::Remove => {
                if servers.shift_remove(name).is_none() {
                    return Err(ConfigError::Missing {
                        name: name.into(),
                        file: shown(&file),
                    });
                }
            }
        }
        Ok(())
    })
}

/// The `mcpServers` object at `pointer`, made (with the objects leading to it) when `create`.
fn servers_object<'a>(
    root: &'a mut Value,
    pointer: &[String],
    file: &Path,
    create: bool,
) -> Result<Option<&'a mut Map<String, Value>>, ConfigError> {
    let mut at = root;
    for key in pointer {
        let Some(object) = at.as_object_mut() else {
            return Err(ConfigError::Shape {
                file: shown(file),
                message: format!("{key:?} is inside something that is not an object"),
            });
        };
        if !object.contains_key(key) {
            if !create {
                return Ok(None);
            }
            object.insert(key.clone(), Value::Object(Map::new()));
        }
        at = object
            .get_mut(key)
            .expect("present: checked or inserted above");
    }
    match at.as_object_mut() {
        Some(servers) => Ok(Some(servers)),
        None => Err(ConfigError::Shape {
            file: shown(file),
            message: "mcpServers is not an object".into(),
        }),
    }
}

/// How many times an edit is made again when the file changed while it was being written.
const ATTEMPTS: usize = 5;

/// Reads `path` (an empty object when it does not exist), applies `edit`, and writes the result
/// back atomically, unless the file changed in between (then it starts over).
fn update(
    path: &Path,
    edit: impl Fn(&mut Value) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let io = |source| ConfigError::Io {
        file: shown(path),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    for attempt in 0..ATTEMPTS {
        let original = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(e)),
        };
        let mut root = match &original {
            Some(bytes) => parse(path, bytes)?,
            None => Value::Object(Map::new()),
        };
        edit(&mut root)?;
        let mut text =
            serde_json::to_vec_pretty(&root).map_err(|e| io(std::io::Error::other(e)))?;
        if original.as_ref().is_some_and(|o| o.ends_with(b"\n")) {
            text.push(b'\n');
        }
        // The file's own permissions; a new one private like Claude Code's (0600).
        let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o777);
        std::fs::create_dir_all(dir).map_err(io)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(
            ".{name}.flotilla-{}-{attempt}.tmp",
            std::process::id()
        ));
        let written = (|| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(mode)
                .open(&temp)?;
            f.write_all(&text)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io(e));
        }
        // Only over the content the edit was made on.
        let now = std::fs::read(path).ok();
        if now != original {
            let _ = std::fs::remove_file(&temp);
            continue;
        }
        if let Err(e) = std::fs::rename(&temp, path) {
            let _ = std::fs::remove_file(&temp);
            return Err(io(e));
        }
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        return Ok(());
    }
    Err(ConfigError::Busy(shown(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(command: &str) -> Map<String, Value> {
        json!({"type": "stdio", "command": command, "args": [], "env": {}})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn edits_change_one_entry_and_keep_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".claude.json");
        std::fs::write(
            &file,
            "{\n  \"zeta\": 1,\n  \"alpha\": {\"y\": true, \"x\": [1, 2]},\n  \"mcpServers\": {\"b\": {\"command\": \"b\", \"custom\": 5}, \"a\": {\"command\": \"a\"}}\n}\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let user = Location {
            scope: Scope::User,
            folder: None,
        };
        let local = Location {
            scope: Scope::Local,
            folder: Some("/w".into()),
        };
        write(&file, &user, "c", &Change::Create(entry("c"))).unwrap();
        write(&file, &local, "l", &Change::Create(entry("l"))).unwrap();
        // A rename keeps the entry's place.
        let replace = Change::Replace {
            from: "b".into(),
            config: entry("b2"),
        };
        write(&file, &user, "b2", &replace).unwrap();
        write(&file, &user, "a", &Change::Remove).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let order: Vec<usize> = ["\"zeta\"", "\"alpha\"", "\"y\"", "\"x\"", "\"b2\"", "\"c\""]
            .iter()
            .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(
            text.ends_with("}\n") && text.contains("\n  \"zeta\": 1,"),
            "two-space JSON: {text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["projects"]["/w"]["mcpServers"]["l"]["command"], "l");
        assert!(v["mcpServers"].get("a").is_none());
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o640,
            "the file keeps its permissions"
        );
        let (entries, problems) = read_all(&file, &[]);
        assert!(problems.is_empty());
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["b2", "c", "l"]);
        // Refusals say why.
        let again = write(&file, &user, "c", &Change::Create(entry("c")));
        assert!(
            matches!(again, Err(ConfigError::Exists { .. })),
            "{again:?}"
        );
        let gone = write(&file, &user, "nope", &Change::Remove);
        assert!(matches!(gone, Err(ConfigError::Missing { .. })), "{gone:?}");
        let taken = write(
            &file,
            &user,
            "c",
            &Change::Replace {
                from: "b2".into(),
                config: entry("x"),
            },
        );
        assert!(
            matches!(taken, Err(ConfigError::Exists { .. })),
            "{taken:?}"
        );
    }

    #[test]
    fn a_new_file_is_private_and_a_malformed_one_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".claude.json");
        let user = Location {
            scope: Scope::User,
            folder: None,
        };
        write(&file, &user, "s", &Change::Create(entry("s"))).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let project = dir.path().join("p");
        std::fs::create_dir_all(&project).unwrap();
        let mcp_json = project.join(".mcp.json");
        std::fs::write(&mcp_json, "{\"mcpServers\": {").unwrap();
        let folder = project.display().to_string();
        let shared = Location {
            scope: Scope::Project,
            folder: Some(folder.clone()),
        };
        let refused = write(&file, &shared, "x", &Change::Create(entry("x")));
        assert!(
            matches!(refused, Err(ConfigError::Malformed { .. })),
            "{refused:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&mcp_json).unwrap(),
            "{\"mcpServers\": {"
        );
        let (entries, problems) = read_all(&file, &[folder]);
        assert_eq!(entries.len(), 1, "the readable file still lists");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].1.contains("not valid JSON"), "{problems:?}");
        // Not an object where one is needed: reported too.
        std::fs::write(&mcp_json, "{\"mcpServers\": [1]}").unwrap();
        let shape = write(&file, &shared, "x", &Change::Create(entry("x")));
        assert!(matches!(shape, Err(ConfigError::Shape { .. })), "{shape:?}");
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
