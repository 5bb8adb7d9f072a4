//! Command line of the `flotilla` binary. Every flag can also come from an environment variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "flotilla",
    version,
    about = "A self-hosted web cockpit for running many Claude Code agents at once.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, which is also what runs when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(Box<ServeArgs>),
    /// The owner's account.
    #[command(subcommand)]
    User(crate::auth::cli::UserCommand),
    /// API tokens for scripts and CI.
    #[command(subcommand)]
    Token(crate::auth::cli::TokenCommand),
    /// The key that encrypts secrets at rest.
    #[command(subcommand)]
    Secrets(crate::auth::cli::SecretsCommand),
}

impl Cli {
    /// The server's options when the command is `serve` (or none); else the command.
    pub fn into_command(self) -> Result<ServeArgs, Command> {
        match self.command {
            Some(Command::Serve(args)) => Ok(*args),
            None => Ok(self.serve),
            Some(other) => Err(other),
        }
    }

    #[cfg(test)]
    pub fn serve_args(self) -> ServeArgs {
        self.into_command().expect("serve")
    }
}

/// The data directory option of the administrative commands.
#[derive(Debug, Clone, Args)]
pub struct DataDirArg {
    /// Flotilla's data directory (as given to `serve`). Default: $XDG_DATA_HOME/flotilla or
    /// ~/.local/share/flotilla.
    #[arg(long, env = "FLOTILLA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataDirArg {
    pub fn resolved(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0 only behind something that authenticates users.
    /// Port 0 picks a free port (the chosen address is logged).
    #[arg(long, env = "FLOTILLA_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Where Flotilla keeps its database. Default: $XDG_DATA_HOME/flotilla or
    /// ~/.local/share/flotilla. Created on first run.
    #[arg(long, env = "FLOTILLA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The Claude Code executable: a path, or a name looked up in PATH.
    #[arg(long, env = "FLOTILLA_CLAUDE_BIN", default_value = "claude")]
    pub claude_bin: PathBuf,

    /// The home directory Claude Code runs with (it keeps its state in <this>/.claude).
    /// Default: $HOME.
    #[arg(long, env = "FLOTILLA_CLAUDE_HOME")]
    pub claude_home: Option<PathBuf>,

    /// Log output format. The level comes from RUST_LOG (default: info).
    #[arg(long, env = "FLOTILLA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub access: AccessArgs,
}

/// Who may reach the server, and through what.
#[derive(Debug, Clone, Args)]
pub struct AccessArgs {
    /// Host names the server answers to, besides localhost and IP addresses (comma list). A
    /// request sent to any other name is refused: that stops DNS-rebinding pages.
    #[arg(
        long = "public-host",
        env = "FLOTILLA_PUBLIC_HOSTS",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,

    /// Origins (scheme://host[:port]) whose pages may use the API, besides the server's own
    /// (comma list).
    #[arg(
        long = "allowed-origin",
        env = "FLOTILLA_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Addresses of reverse proxies whose X-Forwarded-For / -Host / -Proto headers are believed
    /// (comma list). From anyone else those headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "FLOTILLA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Sign-in required (on). `off` is accepted only on a loopback address.
    #[arg(long, env = "FLOTILLA_AUTH", value_enum, default_value_t = AuthMode::On)]
    pub auth: AuthMode,

    /// Let instances start in any folder, not only within registered projects (the Settings
    /// page has the same switch).
    #[arg(long, env = "FLOTILLA_ALLOW_FREE_PATHS")]
    pub allow_free_paths: bool,

    /// TLS certificate chain (PEM). With --tls-key, the server speaks HTTPS itself.
    #[arg(long, env = "FLOTILLA_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM).
    #[arg(long, env = "FLOTILLA_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// A browser session ends after this many hours without a request.
    #[arg(long, env = "FLOTILLA_SESSION_IDLE_HOURS", default_value_t = 72)]
    pub session_idle_hours: u64,

    /// And after this many days in any case.
    #[arg(long, env = "FLOTILLA_SESSION_MAX_DAYS", default_value_t = 30)]
    pub session_max_days: u64,

    /// Requests per second per client address and per API token (0 = no limit).
    #[arg(long, env = "FLOTILLA_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,

    /// Requests a client may make at once before the per-second rate applies.
    #[arg(long, env = "FLOTILLA_RATE_BURST", default_value_t = 500)]
    pub rate_burst: u32,

    /// Largest request body, in MiB.
    #[arg(long, env = "FLOTILLA_MAX_BODY_MB", default_value_t = 8)]
    pub max_body_mb: u64,

    /// Seconds a client may take to send a request body.
    #[arg(long, env = "FLOTILLA_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub body_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    On,
    Off,
}

/// Limits of the instance engine.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Most Claude Code processes alive at once; starting another one is refused.
    #[arg(long, env = "FLOTILLA_MAX_INSTANCES", default_value_t = 16)]
    pub max_instances: usize,

    /// Memory cap per instance, in MiB, over the whole process group (0 = no cap).
    #[arg(long, env = "FLOTILLA_INSTANCE_MEMORY_MB", default_value_t = 4096)]
    pub instance_memory_mb: u64,

    /// Seconds a permission question waits for an answer before it is denied.
    #[arg(long, env = "FLOTILLA_PERMISSION_TIMEOUT_SECS", default_value_t = 600)]
    pub permission_timeout_secs: u64,

    /// Seconds between SIGTERM and SIGKILL when an instance is stopped.
    #[arg(long, env = "FLOTILLA_STOP_GRACE_SECS", default_value_t = 5)]
    pub stop_grace_secs: u64,

    /// Crashes within the restart window after which an instance is marked failed.
    #[arg(long, env = "FLOTILLA_RESTART_MAX_CRASHES", default_value_t = 5)]
    pub restart_max_crashes: u32,

    /// The window, in seconds, crashes are counted in.
    #[arg(long, env = "FLOTILLA_RESTART_WINDOW_SECS", default_value_t = 120)]
    pub restart_window_secs: u64,

    /// First restart delay in milliseconds; it doubles with each crash in the window (max 30 s).
    #[arg(long, env = "FLOTILLA_RESTART_BACKOFF_MS", default_value_t = 500)]
    pub restart_backoff_ms: u64,

    /// How often memory and CPU of every instance are sampled (and the memory cap checked), in ms.
    #[arg(long, env = "FLOTILLA_SAMPLE_INTERVAL_MS", default_value_t = 2000)]
    pub sample_interval_ms: u64,

    /// How long the MCP inspector waits for a server's handshake and for each answer, in seconds.
    #[arg(long, env = "FLOTILLA_MCP_TIMEOUT_SECS", default_value_t = 20)]
    pub mcp_timeout_secs: u64,
}

impl LimitArgs {
    pub fn engine_config(
        &self,
        claude_bin: PathBuf,
        claude_home: PathBuf,
        secrets: crate::base::secrets::SecretBox,
    ) -> crate::instances::engine::EngineConfig {
        use std::time::Duration;
        crate::instances::engine::EngineConfig {
            claude_bin,
            claude_home,
            max_live: self.max_instances,
            memory_cap_bytes: self.instance_memory_mb.saturating_mul(1024 * 1024),
            permission_timeout: Duration::from_secs(self.permission_timeout_secs.max(1)),
            stop_grace: Duration::from_secs(self.stop_grace_secs),
            restart: crate::instances::engine::RestartPolicy {
                max_crashes: self.restart_max_crashes.max(1),
                window: Duration::from_secs(self.restart_window_secs),
                backoff_base: Duration::from_millis(self.restart_backoff_ms),
                backoff_max: Duration::from_secs(30),
            },
            base_env: Vec::new(),
            secrets: Some(secrets),
            sample_every: Duration::from_millis(self.sample_interval_ms.max(100)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl ServeArgs {
    /// The data directory, with the per-user default applied.
    pub fn resolved_data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// The home directory Claude Code runs with.
    pub fn resolved_claude_home(&self) -> PathBuf {
        self.claude_home
            .clone()
            .or_else(home_dir)
            .unwrap_or_else(|| PathBuf::from("/"))
    }
}

/// `$XDG_DATA_HOME/flotilla`, else `~/.local/share/flotilla`.
fn default_data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".local").join("share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("flotilla")
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["flotilla"]).unwrap();
        let args = cli.serve_args();
        assert_eq!(args.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(args.claude_bin, PathBuf::from("claude"));
    }

    #[test]
    fn serve_subcommand_takes_flags() {
        let cli = Cli::try_parse_from([
            "flotilla",
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            "/tmp/x",
            "--max-instances",
            "3",
        ])
        .unwrap();
        let args = cli.serve_args();
        assert_eq!(args.bind.port(), 0);
        assert_eq!(args.resolved_data_dir(), PathBuf::from("/tmp/x"));
        assert_eq!(args.limits.max_instances, 3);
    }

    #[test]
    fn admin_commands_parse() {
        let cli = Cli::try_parse_from([
            "flotilla",
            "token",
            "create",
            "--name",
            "ci",
            "--scope",
            "read",
            "--expires-in",
            "7",
            "--data-dir",
            "/tmp/d",
        ])
        .unwrap();
        assert!(cli.into_command().is_err(), "not serve");
        assert!(Cli::try_parse_from(["flotilla", "user", "set-password"]).is_ok());
        assert!(Cli::try_parse_from(["flotilla", "secrets", "rotate-key"]).is_ok());
        let tls_half = Cli::try_parse_from(["flotilla", "--tls-cert", "/c.pem"]);
        assert!(tls_half.is_err(), "a certificate needs its key");
    }

    #[test]
    fn bad_bind_is_a_clear_error() {
        let err = Cli::try_parse_from(["flotilla", "--bind", "nope"]).unwrap_err();
        assert!(err.to_string().contains("--bind"), "{err}");
    }
}
