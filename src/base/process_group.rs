//! Process groups: every child Flotilla starts (`claude`, setup and run scripts) leads a group of
//! its own, so one signal reaches everything it started (Bash tools, MCP servers, dev servers).

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::time::Duration;

/// Makes `command` start a process group of its own (its pid is the group's id), killed when
/// Flotilla's process dies (PDEATHSIG) or the handle is dropped.
pub fn own_group(command: &mut tokio::process::Command) {
    command.process_group(0).kill_on_drop(true);
    // SAFETY: the closure runs in the forked child before exec and only calls prctl(2), which
    // is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
}

/// Sends `signal` to the whole process group `pgid`. Errors (the group is gone) are ignored.
pub fn signal_group(pgid: u32, signal: Signal) {
    let _ = killpg(Pid::from_raw(pgid as i32), signal);
}

/// Whether any process of group `pgid` is still alive.
pub fn group_alive(pgid: u32) -> bool {
    killpg(Pid::from_raw(pgid as i32), None).is_ok()
}

/// SIGTERM to the group, then SIGKILL to whatever is left after `grace`.
pub async fn terminate_group(pgid: u32, grace: Duration) {
    signal_group(pgid, Signal::SIGTERM);
    let deadline = tokio::time::Instant::now() + grace;
    while group_alive(pgid) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if group_alive(pgid) {
        signal_group(pgid, Signal::SIGKILL);
    }
}
