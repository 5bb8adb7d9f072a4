//! Finding and probing the `claude` executable.

use super::ClaudeStatus;
use crate::base::claude::resolve_executable;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a probe result is reused before `claude --version` runs again.
const CACHE_FOR: Duration = Duration::from_secs(30);
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `claude --version` and remembers the answer for a short while.
pub struct ClaudeProbe {
    configured: PathBuf,
    home: PathBuf,
    cache: Mutex<Option<(Instant, ClaudeStatus)>>,
}

impl ClaudeProbe {
    pub fn new(configured: PathBuf, home: PathBuf) -> Self {
        Self {
            configured,
            home,
            cache: Mutex::new(None),
        }
    }

    /// The executable to run: the configured path, or the first match in PATH for a bare name.
    pub fn resolved_path(&self) -> Option<PathBuf> {
        resolve_executable(&self.configured)
    }

    pub async fn status(&self) -> ClaudeStatus {
        let mut cache = self.cache.lock().await;
        if let Some((at, status)) = cache.as_ref() {
            if at.elapsed() < CACHE_FOR {
                return status.clone();
            }
        }
        let status = self.probe().await;
        *cache = Some((Instant::now(), status.clone()));
        status
    }

    async fn probe(&self) -> ClaudeStatus {
        let Some(path) = self.resolved_path() else {
            return ClaudeStatus {
                found: false,
                version: None,
                path: self.configured.display().to_string(),
                error: Some(format!(
                    "`{}` is not an executable file and was not found in PATH.",
                    self.configured.display()
                )),
            };
        };
        let shown = path.display().to_string();
        let run = tokio::process::Command::new(&path)
            .arg("--version")
            .env("HOME", &self.home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output();
        let failed = |error: String| ClaudeStatus {
            found: false,
            version: None,
            path: shown.clone(),
            error: Some(error),
        };
        match tokio::time::timeout(PROBE_TIMEOUT, run).await {
            Err(_) => failed(format!(
                "`{shown} --version` did not answer within {PROBE_TIMEOUT:?}."
            )),
            Ok(Err(e)) => failed(format!("`{shown}` could not be started: {e}")),
            Ok(Ok(out)) if !out.status.success() => failed(format!(
                "`{shown} --version` exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Ok(Ok(out)) => ClaudeStatus {
                found: true,
                version: parse_version(&String::from_utf8_lossy(&out.stdout)),
                path: shown,
                error: None,
            },
        }
    }
}

/// `2.1.331 (Claude Code)` -> `2.1.331`.
pub fn parse_version(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .next()
        .filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_version_line() {
        assert_eq!(
            parse_version("2.1.331 (Claude Code)\n").as_deref(),
            Some("2.1.331")
        );
        assert_eq!(parse_version("error"), None);
        assert_eq!(parse_version(""), None);
    }

    #[tokio::test]
    async fn missing_binary_is_reported_with_reason() {
        let probe = ClaudeProbe::new("/nonexistent/claude".into(), "/tmp".into());
        let s = probe.status().await;
        assert!(!s.found);
        assert!(s.error.unwrap().contains("not an executable"));
    }

    #[tokio::test]
    async fn a_script_that_prints_a_version_is_found() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("claude");
        std::fs::write(&script, "#!/bin/sh\necho '9.8.7 (Claude Code)'\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let probe = ClaudeProbe::new(script, dir.path().into());
        let s = probe.status().await;
        assert!(s.found, "{s:?}");
        assert_eq!(s.version.as_deref(), Some("9.8.7"));
    }
}
