//! One `claude` child process: how it is started, signalled and measured.
//!
//! Each child runs in a process group of its own, so a stop reaches every process it started
//! (Bash tools, MCP servers). It also gets `PR_SET_PDEATHSIG`, so it dies with the server even
//! when the server is killed without a chance to clean up; the process groups recorded in the
//! database are reaped at the next start for whatever that misses (grandchildren).

use crate::base::process_group::{group_alive, signal_group};
use nix::sys::signal::Signal;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// What to run: everything that differs between instances and between spawns of one instance.
#[derive(Debug, Clone, Default)]
pub struct SpawnSpec {
    pub program: PathBuf,
    pub cwd: PathBuf,
    /// The home directory the CLI keeps its `.claude` state in.
    pub home: PathBuf,
    /// Extra environment on top of the server's own.
    pub env: Vec<(String, String)>,
    pub session: SessionArg,
    pub model: Option<String>,
    pub permission_mode: Option<String>,
    pub mcp_config: Option<String>,
    pub append_system_prompt: Option<String>,
}

/// How the conversation is identified on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionArg {
    /// A new conversation with an id chosen by Flotilla (`--session-id`).
    New(String),
    /// Continue an existing one (`--resume`).
    Resume(String),
}

impl Default for SessionArg {
    fn default() -> Self {
        SessionArg::New(String::new())
    }
}

impl SpawnSpec {
    /// The CLI arguments: headless, multi-turn, stream-json both ways, permission questions
    /// over stdio.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = [
            "-p",
            "--input-format",
            "stream-json",
            "--output-format",
            "stream-json",
            "--verbose",
            "--include-partial-messages",
            "--permission-prompt-tool",
            "stdio",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        match &self.session {
            SessionArg::New(id) => args.extend(["--session-id".into(), id.clone()]),
            SessionArg::Resume(id) => args.extend(["--resume".into(), id.clone()]),
        }
        let optional = [
            ("--model", &self.model),
            ("--permission-mode", &self.permission_mode),
            ("--mcp-config", &self.mcp_config),
            ("--append-system-prompt", &self.append_system_prompt),
        ];
        for (flag, value) in optional {
            if let Some(v) = value {
                args.extend([flag.to_string(), v.clone()]);
            }
        }
        args
    }
}

/// A started child with its pipes taken out.
pub struct Spawned {
    pub child: Child,
    pub pid: u32,
    /// The process start time in clock ticks since boot (`/proc/<pid>/stat` field 22): with the
    /// pid it identifies this process even after the pid is reused.
    pub start_ticks: u64,
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
    pub stderr: ChildStderr,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("cannot start {program}: {source}")]
    Start {
        program: String,
        source: std::io::Error,
    },
    #[error("the working directory {0} does not exist or is not a directory")]
    NoCwd(String),
    #[error("the started process has no pid (it exited at once)")]
    NoPid,
}

pub fn spawn(spec: &SpawnSpec) -> Result<Spawned, SpawnError> {
    if !spec.cwd.is_dir() {
        return Err(SpawnError::NoCwd(spec.cwd.display().to_string()));
    }
    let mut command = Command::new(&spec.program);
    command
        .args(spec.args())
        .current_dir(&spec.cwd)
        .env("HOME", &spec.home)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::base::process_group::own_group(&mut command);
    let mut child = command.spawn().map_err(|source| SpawnError::Start {
        program: spec.program.display().to_string(),
        source,
    })?;
    let pid = child.id().ok_or(SpawnError::NoPid)?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(SpawnError::NoPid);
    };
    Ok(Spawned {
        start_ticks: read_stat(pid).map(|s| s.start_ticks).unwrap_or(0),
        child,
        pid,
        stdin,
        stdout,
        stderr,
    })
}

/// Kills the group a previous run of the server started, if its leader is still that process.
/// Used at start-up after an unclean stop. Returns whether something was killed.
pub fn reap_stale_group(pid: u32, start_ticks: u64) -> bool {
    let leader_is_ours =
        read_stat(pid).is_some_and(|s| s.start_ticks == start_ticks && s.pgrp == pid);
    if leader_is_ours || (start_ticks != 0 && group_alive(pid) && read_stat(pid).is_none()) {
        signal_group(pid, Signal::SIGKILL);
        return true;
    }
    false
}

/// The fields of `/proc/<pid>/stat` Flotilla uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: u32,
    pub pgrp: u32,
    /// User + system CPU time, in clock ticks.
    pub cpu_ticks: u64,
    pub start_ticks: u64,
    /// Resident set size, in pages.
    pub rss_pages: u64,
}

pub fn read_stat(pid: u32) -> Option<ProcStat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Parses `/proc/<pid>/stat`. The command name (field 2) may contain spaces and parentheses,
/// so fields are counted from its closing parenthesis.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    let pid = text.split_whitespace().next()?.parse().ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state); field N is f[N - 3].
    let field = |n: usize| f.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    Some(ProcStat {
        pid,
        pgrp: field(5)? as u32,
        cpu_ticks: field(14)? + field(15)?,
        start_ticks: field(22)?,
        rss_pages: field(24)?,
    })
}

/// Resident memory and CPU time of whole process groups, from one pass over `/proc`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupUsage {
    pub rss_bytes: u64,
    pub cpu_ticks: u64,
    pub processes: u32,
}

/// Sums usage per process group for the groups in `pgids`.
pub fn sample_groups(pgids: &[u32]) -> HashMap<u32, GroupUsage> {
    let mut usage: HashMap<u32, GroupUsage> =
        pgids.iter().map(|g| (*g, GroupUsage::default())).collect();
    if pgids.is_empty() {
        return usage;
    }
    let page = page_size();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return usage;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Some(stat) = read_stat(pid) else { continue };
        if let Some(u) = usage.get_mut(&stat.pgrp) {
            u.rss_bytes += stat.rss_pages * page;
            u.cpu_ticks += stat.cpu_ticks;
            u.processes += 1;
        }
    }
    usage
}

pub fn page_size() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .map(|v| v as u64)
        .unwrap_or(4096)
}

pub fn clock_ticks_per_second() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .map(|v| v as u64)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::process_group::terminate_group;
    use std::time::Duration;

    #[test]
    fn args_for_new_and_resumed_sessions() {
        let mut spec = SpawnSpec {
            session: SessionArg::New("abc".into()),
            model: Some("sonnet".into()),
            ..Default::default()
        };
        let args = spec.args().join(" ");
        assert!(args.starts_with("-p --input-format stream-json --output-format stream-json --verbose --include-partial-messages --permission-prompt-tool stdio"));
        assert!(args.contains("--session-id abc"));
        assert!(args.contains("--model sonnet"));
        assert!(!args.contains("--permission-mode"));
        spec.session = SessionArg::Resume("abc".into());
        assert!(spec.args().join(" ").contains("--resume abc"));
    }

    #[test]
    fn parses_stat_with_odd_command_names() {
        let line = "1234 (my (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 4 0 98765 1000000 250 18446744073709551615";
        let s = parse_stat(line).unwrap();
        assert_eq!(s.pid, 1234);
        assert_eq!(s.pgrp, 1234);
        assert_eq!(s.cpu_ticks, 10);
        assert_eq!(s.start_ticks, 98765);
        assert_eq!(s.rss_pages, 250);
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn reads_own_stat() {
        let me = read_stat(std::process::id()).unwrap();
        assert!(me.rss_pages > 0);
        assert!(me.start_ticks > 0);
    }

    #[tokio::test]
    async fn spawned_group_is_terminated_whole() {
        let dir = tempfile::tempdir().unwrap();
        // A program that starts a grandchild in its group, then waits.
        let script = dir.path().join("fake-claude");
        std::fs::write(&script, "#!/bin/sh\nsleep 300 &\nsleep 300\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let spec = SpawnSpec {
            program: script,
            cwd: dir.path().into(),
            home: dir.path().into(),
            session: SessionArg::New("x".into()),
            ..Default::default()
        };
        let mut spawned = spawn(&spec).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let usage = sample_groups(&[spawned.pid]);
        assert!(usage[&spawned.pid].processes >= 2, "{usage:?}");
        assert!(usage[&spawned.pid].rss_bytes > 0);
        terminate_group(spawned.pid, Duration::from_secs(2)).await;
        let _ = spawned.child.wait().await;
        assert!(!group_alive(spawned.pid));
    }

    #[test]
    fn missing_cwd_is_refused() {
        let spec = SpawnSpec {
            program: "/bin/true".into(),
            cwd: "/definitely/not/here".into(),
            ..Default::default()
        };
        assert!(matches!(spawn(&spec), Err(SpawnError::NoCwd(_))));
    }
}
