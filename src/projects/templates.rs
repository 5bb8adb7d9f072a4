//! Project templates: a few built in, and any folder under `<data dir>/templates/<name>/`.
//! `{{name}}` in a text file (or a path) of a template becomes the project's slug.

use super::types::{slug, Template};
use std::path::{Path, PathBuf};

/// A built-in template: (path, content) pairs.
struct Builtin {
    name: &'static str,
    description: &'static str,
    files: &'static [(&'static str, &'static str)],
}

const CLAUDE_MD: &str =
    "# {{name}}\n\nNotes for Claude Code about this project: how to build it, how to \
test it, and the conventions to follow.\n";

const BUILTINS: &[Builtin] = &[

    Builtin {
        name: "empty",
        description: "An empty repository with a README and a CLAUDE.md",
        files: &[
            ("README.md", "# {{name}}\n"),
            ("CLAUDE.md", CLAUDE_MD),
        ],
    },
    Builtin {
        name: "rust",
        description: "A Rust binary crate (cargo)",
        files: &[
            (
                "Cargo.toml",
                "[package]\nname = \"{{name}}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
            ),
            ("src/main.rs", "fn main() {\n    println!(\"Hello from {{name}}!\");\n}\n"),
            (".gitignore", "/target\n"),
            ("README.md", "# {{name}}\n\n`cargo run` runs it; `cargo test` tests it.\n"),
            (
                "CLAUDE.md",
                "# {{name}}\n\nA Rust crate. Build with `cargo build`, test with `cargo test`, \
                 format with `cargo fmt`.\n",
            ),
        ],
    },
    Builtin {
        name: "python",
        description: "A Python package (pyproject, src layout, pytest)",
        files: &[
            (
                "pyproject.toml",
                "[project]\nname = \"{{name}}\"\nversion = \"0.1.0\"\nrequires-python = \">=3.9\"\n\n\
                 [build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n",
            ),
            ("src/{{name}}/__init__.py", "\"\"\"{{name}}.\"\"\"\n\n__version__ = \"0.1.0\"\n"),
            ("tests/test_version.py", "def test_version():\n    import {{name}}\n    assert {{name}}.__version__\n"),
            (".gitignore", "__pycache__/\n*.egg-info/\n.venv/\n"),
            ("README.md", "# {{name}}\n"),
            (
                "CLAUDE.md",
                "# {{name}}\n\nA Python package in `src/{{name}}`. Test with `python -m pytest`.\n",
            ),
        ],
    },
    Builtin {
        name: "mcp-python",
        description: "An MCP server in Python (the official mcp package): a tool, a resource, a prompt",
        files: super::mcp_templates::PYTHON,
    },
    Builtin {
        name: "mcp-rust",
        description: "An MCP server in Rust (rmcp): a tool, a resource, a prompt",
        files: super::mcp_templates::RUST,
    },
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("there is no template {0:?}")]
    Unknown(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl From<TemplateError> for crate::base::error::DomainError {
    fn from(e: TemplateError) -> Self {
        use crate::base::error::DomainError;
        match e {
            TemplateError::Unknown(_) => DomainError::Invalid(e.to_string()),
            TemplateError::Io { .. } => DomainError::Internal(e.to_string()),
        }
    }
}

pub fn list(data_dir: &Path) -> Vec<Template> {
    let mut templates: Vec<Template> = BUILTINS
        .iter()
        .map(|b| Template {
            name: b.name.into(),
            description: b.description.into(),
            builtin: true,
        })
        .collect();
    if let Ok(entries) = std::fs::read_dir(user_dir(data_dir)) {
        let mut user: Vec<Template> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| !BUILTINS.iter().any(|b| b.name == n))
            .map(|name| Template {
                description: format!("Your template (templates/{name})"),
                name,
                builtin: false,
            })
            .collect();
        user.sort_by(|a, b| a.name.cmp(&b.name));
        templates.extend(user);
    }
    templates
}

fn user_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("templates")
}

/// Writes template `template` into the (existing, empty) folder `dest` for a project `name`.
pub fn scaffold(
    data_dir: &Path,
    template: &str,
    name: &str,
    dest: &Path,
) -> Result<(), TemplateError> {
    let slug = slug(name).replace('-', "_");
    let fill = |text: &str| text.replace("{{name}}", &slug);
    let write = |rel: &str, content: &[u8]| -> Result<(), TemplateError> {
        let path = dest.join(fill(rel));
        let io = |source| TemplateError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, content).map_err(io)
    };
    if let Some(builtin) = BUILTINS.iter().find(|b| b.name == template) {
        for (rel, content) in builtin.files {
            write(rel, fill(content).as_bytes())?;
        }
        return Ok(());
    }
    // A user template: a plain name, nothing that could leave the templates folder.
    let valid = !template.is_empty()
        && template
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !template.starts_with('.');
    let source = user_dir(data_dir).join(template);
    if !valid || !source.is_dir() {
        return Err(TemplateError::Unknown(template.into()));
    }
    let mut stack = vec![source.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| TemplateError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let rel = path
                    .strip_prefix(&source)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                let bytes = std::fs::read(&path).map_err(|e| TemplateError::Io {
                    path: path.display().to_string(),
                    source: e,
                })?;
                match String::from_utf8(bytes) {
                    Ok(text) => write(&rel, fill(&text).as_bytes())?,
                    Err(e) => write(&rel, e.as_bytes())?,
                }
            }
            // Symlinks in a template are skipped: they could point anywhere.
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_fill_the_name() {
        let dir = tempfile::tempdir().unwrap();
        scaffold(dir.path(), "python", "My Tool", dir.path()).unwrap();
        let init = std::fs::read_to_string(dir.path().join("src/my_tool/__init__.py")).unwrap();
        assert!(init.contains("my_tool"));
        assert!(dir.path().join("CLAUDE.md").exists());
        assert!(matches!(
            scaffold(dir.path(), "nope", "x", dir.path()),
            Err(TemplateError::Unknown(_))
        ));
        assert!(matches!(
            scaffold(dir.path(), "../etc", "x", dir.path()),
            Err(TemplateError::Unknown(_))
        ));
    }

    #[test]
    fn user_templates_are_listed_and_copied() {
        let data = tempfile::tempdir().unwrap();
        let t = data.path().join("templates/web");
        std::fs::create_dir_all(t.join("static")).unwrap();
        std::fs::write(t.join("index.html"), "<h1>{{name}}</h1>").unwrap();
        std::fs::write(t.join("static/logo.bin"), [0u8, 159, 146, 150]).unwrap();
        std::fs::create_dir_all(t.join(".git")).unwrap();
        std::fs::write(t.join(".git/HEAD"), "x").unwrap();
        let names: Vec<String> = list(data.path()).into_iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            vec!["empty", "rust", "python", "mcp-python", "mcp-rust", "web"]
        );
        let dest = tempfile::tempdir().unwrap();
        scaffold(data.path(), "web", "Site", dest.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.path().join("index.html")).unwrap(),
            "<h1>site</h1>"
        );
        assert_eq!(
            std::fs::read(dest.path().join("static/logo.bin")).unwrap(),
            vec![0u8, 159, 146, 150]
        );
        assert!(!dest.path().join(".git").exists());
    }
}
