//! Project types of the API, shared by the server and the browser.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    /// The main checkout.
    pub path: String,
    pub default_model: Option<String>,
    pub default_permission_mode: Option<String>,
    pub worktree_root: String,
    pub setup_script: Option<String>,
    pub run_script: Option<String>,
    /// The branch new worktrees start from (the main checkout's branch when not set).
    pub base_branch: Option<String>,
    pub github_api_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The branch checked out in the main checkout, read when the project is shown.
    pub branch: Option<String>,
    /// Whether the main checkout is still a git repository where it was registered.
    pub missing: bool,
}

/// `POST /api/projects`: `{"name", "path"}` registers an existing repository;
/// `{"name", "template", "path"?}` scaffolds a new one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// May be empty when `path` is given: the folder's name is used.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub default_model: Option<String>,
    #[serde(default)]
    pub default_permission_mode: Option<String>,
}

/// `PUT /api/projects/{id}`: the fields given are changed; an empty string clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub default_model: Option<String>,
    #[serde(default)]
    pub default_permission_mode: Option<String>,
    #[serde(default)]
    pub worktree_root: Option<String>,
    #[serde(default)]
    pub setup_script: Option<String>,
    #[serde(default)]
    pub run_script: Option<String>,
    #[serde(default)]
    pub base_branch: Option<String>,
    #[serde(default)]
    pub github_api_url: Option<String>,
}

/// An environment variable as shown: a secret's value is masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

/// `PUT /api/projects/{id}/env/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEnvVar {
    pub value: String,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub description: String,
    /// Built into Flotilla, or a folder in `<data dir>/templates`.
    pub builtin: bool,
}

/// `GET/PUT /api/projects/{id}/claude-md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaudeMd {
    pub content: String,
}

/// Whether `path` is the folder `folder` or inside it (by path, no file system access): how a
/// session or an instance found by its working directory is placed in a project.
pub fn folder_holds(folder: &str, path: &str) -> bool {
    let folder = folder.trim_end_matches('/');
    path.strip_prefix(folder)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub fn validate_project_name(name: &str) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("name is required".into());
    }
    if name.chars().count() > 80 {
        return Err("name is longer than 80 characters".into());
    }
    if name.chars().any(char::is_control) {
        return Err("name contains control characters".into());
    }
    Ok(())
}

pub fn validate_env_name(name: &str) -> Result<(), String> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid environment variable name (letters, digits and _, not starting with a digit)"
        ))
    }
}

/// A name turned into something safe for a folder or package name.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "project".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_holds_itself_and_what_is_below_it_only() {
        assert!(folder_holds("/w/app", "/w/app"));
        assert!(folder_holds("/w/app/", "/w/app/src"));
        assert!(!folder_holds("/w/app", "/w/apple"));
        assert!(!folder_holds("/w/app", "/w"));
    }

    #[test]
    fn slugs_and_names() {
        assert_eq!(slug("My Cool App!"), "my-cool-app");
        assert_eq!(slug("  ***  "), "project");
        assert!(validate_project_name(" ").is_err());
        assert!(validate_project_name("ok").is_ok());
        assert!(validate_env_name("GITHUB_TOKEN").is_ok());
        assert!(validate_env_name("1X").is_err());
        assert!(validate_env_name("A-B").is_err());
    }
}
