//! The one way Flotilla runs the git command line.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Why a git operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GitError {
    #[error("git could not be started: {0}")]
    Spawn(String),
    #[error("`git {args}` did not finish within {secs} s")]
    Timeout { args: String, secs: u64 },
    /// The command ran and failed; `stderr` says why, in git's words.
    #[error("`git {args}` failed: {}", stderr.trim())]
    Failed {
        args: String,
        code: Option<i32>,
        stderr: String,
        stdout: String,
    },
    #[error("{0} is not a git repository")]
    NotARepository(String),
    /// Reading the repository (gix) failed.
    #[error("cannot read the repository: {0}")]
    Read(String),
}

impl GitError {
    /// git's own explanation when the command failed.
    pub fn stderr(&self) -> Option<&str> {
        match self {
            GitError::Failed { stderr, .. } => Some(stderr),
            _ => None,
        }
    }
}

impl From<GitError> for crate::base::error::DomainError {
    /// Not a repository is bad input; a refused command is a conflict with the repository's
    /// state (git's own words are in the message); a hung one is a dependency not answering.
    fn from(e: GitError) -> Self {
        use crate::base::error::DomainError;
        let message = e.to_string();
        match e {
            GitError::NotARepository(_) => DomainError::Invalid(message),
            GitError::Failed { .. } => DomainError::Conflict(message),
            GitError::Timeout { .. } => DomainError::Unavailable(message),
            GitError::Spawn(_) | GitError::Read(_) => DomainError::Internal(message),
        }
    }
}

/// Runs `git`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Git {
    program: PathBuf,
    timeout: Duration,
}

impl Default for Git {
    fn default() -> Self {
        Git {
            program: PathBuf::from("git"),
            timeout: Duration::from_secs(120),
        }
    }
}

impl Git {
    pub fn new(program: PathBuf, timeout: Duration) -> Self {
        Git { program, timeout }
    }

    /// Runs `git -C dir <args>` and returns its stdout.
    pub async fn run(&self, dir: &Path, args: &[&str]) -> Result<String, GitError> {
        self.run_with(dir, args, &[]).await
    }

    /// Like [`Git::run`], with extra environment variables.
    pub async fn run_with(
        &self,
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<String, GitError> {
        let shown = args.join(" ");
        let mut command = tokio::process::Command::new(&self.program);
        command
            .arg("-C")
            .arg(dir)
            // Paths come back as they are, not octal-escaped.
            .args(["-c", "core.quotepath=off"])
            .args(args)
            // Never wait for a person: no password prompt, no editor, no pager.
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "")
            .env("SSH_ASKPASS", "")
            .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
            .env("GIT_EDITOR", "true")
            .env("GIT_PAGER", "cat")
            // Messages in English, so errors can be recognised.
            .env("LC_ALL", "C")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = match tokio::time::timeout(self.timeout, command.output()).await {
            Err(_) => {
                return Err(GitError::Timeout {
                    args: shown,
                    secs: self.timeout.as_secs(),
                })
            }
            Ok(Err(e)) => return Err(GitError::Spawn(e.to_string())),
            Ok(Ok(output)) => output,
        };
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.success() {
            return Ok(stdout);
        }
        if stderr.contains("not a git repository") {
            return Err(GitError::NotARepository(dir.display().to_string()));
        }
        Err(GitError::Failed {
            args: shown,
            code: output.status.code(),
            stderr,
            stdout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_and_reports_failures_with_gits_words() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::default();
        let err = git.run(dir.path(), &["status"]).await.unwrap_err();
        assert!(matches!(err, GitError::NotARepository(_)), "{err}");
        git.run(dir.path(), &["init", "-q", "-b", "main"])
            .await
            .unwrap();
        let out = git
            .run(dir.path(), &["symbolic-ref", "--short", "HEAD"])
            .await
            .unwrap();
        assert_eq!(out.trim(), "main");
        let err = git
            .run(dir.path(), &["checkout", "nope"])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("did not match any file"), "{err}");
        assert!(matches!(err, GitError::Failed { code: Some(_), .. }));
    }

    #[tokio::test]
    async fn never_prompts_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new("git".into(), Duration::from_secs(20));
        git.run(dir.path(), &["init", "-q"]).await.unwrap();
        // A remote that would ask for credentials fails at once instead of waiting for input.
        let started = std::time::Instant::now();
        let err = git
            .run(dir.path(), &["ls-remote", "http://127.0.0.1:9/nothing.git"])
            .await
            .unwrap_err();
        assert!(matches!(err, GitError::Failed { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(15));
        // A git that hangs is cut off.
        use std::os::unix::fs::PermissionsExt;
        let hanging = dir.path().join("hanging-git");
        std::fs::write(&hanging, "#!/bin/sh\nsleep 30\n").unwrap();
        std::fs::set_permissions(&hanging, std::fs::Permissions::from_mode(0o755)).unwrap();
        let slow = Git::new(hanging, Duration::from_millis(300));
        let started = std::time::Instant::now();
        let err = slow.run(dir.path(), &["status"]).await.unwrap_err();
        assert!(matches!(err, GitError::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
