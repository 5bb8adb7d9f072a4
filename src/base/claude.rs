//! Claude Code as the rest of Flotilla meets it outside a supervised instance: where its
//! executable is, where it keeps its files, and a one-shot `claude -p` run.
//!
//! The engine (instances), review (commit messages), sessions (transcripts) and MCP (`.claude.json`,
//! `.mcp.json`) all use these; none of them reaches into another for them.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A path with a slash is used as it is; a bare name is looked up in PATH.
pub fn resolve_executable(configured: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let is_executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if configured.components().count() > 1 || configured.is_absolute() {
        return is_executable(configured).then(|| configured.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(configured))
        .find(|candidate| is_executable(candidate))
}

/// The home directory the CLI keeps its state in (`$HOME` of the processes Flotilla starts), and
/// the files in it Flotilla reads or writes (see PROTOCOL.md, "Sessions on disk" and "MCP
/// configuration files").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaudeHome(pub PathBuf);

impl ClaudeHome {
    /// `~/.claude.json`: user-scope and local-scope MCP servers, per-project settings.
    pub fn config_file(&self) -> PathBuf {
        self.0.join(".claude.json")
    }

    /// `~/.claude/projects`: one folder of transcripts per working directory.
    pub fn projects_dir(&self) -> PathBuf {
        self.0.join(".claude").join("projects")
    }

    /// Claude Code's transcript file for a session: whether it exists decides between `--resume`
    /// (continue) and `--session-id` (nothing to continue).
    pub fn transcript(&self, cwd: &Path, session_id: &str) -> PathBuf {
        self.projects_dir()
            .join(escape_project_dir(&cwd.display().to_string()))
            .join(format!("{session_id}.jsonl"))
    }
}

/// A project's own MCP servers (project scope): `<project>/.mcp.json`.
pub fn project_mcp_file(project_root: &Path) -> PathBuf {
    project_root.join(".mcp.json")
}

/// Claude Code's folder name for a working directory: every character outside `[A-Za-z0-9]`
/// becomes `-`; past 200 characters, the first 200, `-`, and base36 of the absolute value of the
/// Java-style 32-bit hash of the path.
pub fn escape_project_dir(path: &str) -> String {
    let escaped: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if escaped.chars().count() <= 200 {
        return escaped;
    }
    // Java's String.hashCode over UTF-16 code units.
    let hash = path
        .encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32));
    let head: String = escaped.chars().take(200).collect();
    format!("{head}-{}", base36(hash.unsigned_abs() as u64))
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Why a one-shot run gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum OneShotError {
    #[error("Claude Code (`{0}`) was not found")]
    NotFound(String),
    #[error("cannot run Claude Code: {0}")]
    Start(std::io::Error),
    #[error("Claude did not answer within {0:?}")]
    Timeout(Duration),
    #[error("Claude Code gave no answer: {0}")]
    NoAnswer(String),
    #[error("Claude could not answer: {0}")]
    Refused(String),
    #[error("Claude answered with an empty message")]
    Empty,
}

/// One question, one answer: `claude -p --output-format json --max-turns 1 PROMPT`, run in `cwd`
/// with `home` as `$HOME` and `env` on top of the server's environment. Returns the answer's text.
pub async fn one_shot<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
    program: &Path,
    home: &Path,
    cwd: &Path,
    env: impl IntoIterator<Item = (K, V)>,
    prompt: &str,
    timeout: Duration,
) -> Result<String, OneShotError> {
    let program = resolve_executable(program)
        .ok_or_else(|| OneShotError::NotFound(program.display().to_string()))?;
    let run = tokio::process::Command::new(program)
        .args(["-p", "--output-format", "json", "--max-turns", "1"])
        .arg(prompt)
        .current_dir(cwd)
        .env("HOME", home)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| OneShotError::Timeout(timeout))?
        .map_err(OneShotError::Start)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).map_err(|_| {
        OneShotError::NoAnswer(String::from_utf8_lossy(&output.stderr).trim().to_string())
    })?;
    if result["is_error"] == true {
        return Err(OneShotError::Refused(
            result["result"]
                .as_str()
                .unwrap_or("unknown error")
                .to_string(),
        ));
    }
    let answer = result["result"].as_str().unwrap_or("").trim().to_string();
    if answer.is_empty() {
        return Err(OneShotError::Empty);
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_project_dirs_like_claude_code() {
        assert_eq!(escape_project_dir("/home/u/a.b_c"), "-home-u-a-b-c");
        let long = format!("/{}", "x".repeat(250));
        let escaped = escape_project_dir(&long);
        assert!(escaped.starts_with(&format!("-{}", "x".repeat(199))));
        assert_eq!(escaped.len(), 200 + 1 + base36_len(&long));
    }

    fn base36_len(path: &str) -> usize {
        let hash = path
            .encode_utf16()
            .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32));
        base36(hash.unsigned_abs() as u64).len()
    }

    #[test]
    fn base36_digits() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn transcripts_live_under_the_escaped_cwd() {
        let home = ClaudeHome("/h".into());
        assert_eq!(
            home.transcript(Path::new("/w/a.b"), "s1"),
            Path::new("/h/.claude/projects/-w-a-b/s1.jsonl")
        );
        assert_eq!(home.config_file(), Path::new("/h/.claude.json"));
    }

    #[tokio::test]
    async fn a_missing_executable_is_named() {
        let e = one_shot(
            Path::new("/nonexistent/claude"),
            Path::new("/tmp"),
            Path::new("/tmp"),
            [("A", "b")],
            "hi",
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, OneShotError::NotFound(_)), "{e}");
    }
}
