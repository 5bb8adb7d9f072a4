//! Everything that only runs on the server: start-up, configuration, database, HTTP routing.
//!
//! Feature folders keep their own server-only parts (`instances::engine`, `health::http`, ...);
//! this module wires them together.

pub mod api_errors;
pub mod cli;
pub mod errors;
pub mod extract;
pub mod headers;
pub mod listen;
pub mod openapi;
pub mod router;
pub mod shutdown;
pub mod site;
pub mod state;

use crate::base::error::DomainError;
use crate::base::{db, secrets};
use cli::{Cli, LogFormat, ServeArgs};
use leptos::prelude::LeptosOptions;
use site::SiteFiles;
use state::{AppState, ServerConfig};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long open connections may take to finish after shutdown begins.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Database {
        path: std::path::PathBuf,
        source: sqlx::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    /// A service (the instance engine, auth) refused to start.
    #[error("cannot start: {0}")]
    Service(#[from] DomainError),
    #[error("{0}")]
    Secrets(#[from] secrets::SecretError),
    #[error("cannot create the HTTP client: {0}")]
    HttpClient(String),
    #[error("invalid Leptos.toml: {0}")]
    SiteConfig(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Tls(#[from] listen::TlsError),
    #[error("another Flotilla server is running on the data directory {0}")]
    Locked(std::path::PathBuf),
}

/// The binary's entry point: parse the command line, set up logging, run until a signal.
pub fn main() -> ExitCode {
    use clap::Parser;
    let command = Cli::parse().into_command();
    let log_format = match &command {
        Ok(args) => args.log_format,
        Err(_) => LogFormat::Text,
    };
    init_tracing(log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("flotilla: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let args = match command {
        Ok(args) => args,
        Err(admin) => return runtime.block_on(crate::auth::cli::run(admin)),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("flotilla: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    // A log line that cannot be written (the terminal or pipe is gone) is dropped; by default
    // tracing reports that with eprintln!, which panics when stderr is gone too.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Refuses a configuration that would leave Flotilla open to others: auth off beyond loopback.
fn check_exposure(args: &ServeArgs) -> Result<(), ServerError> {
    if args.access.auth == cli::AuthMode::Off && !args.bind.ip().is_loopback() {
        return Err(ServerError::Config(format!(
            "refusing to start: --auth off (FLOTILLA_AUTH=off) with --bind {} would let anyone \
             who can reach that address run commands on this machine. Turn auth off only on a \
             loopback address (127.0.0.1 or ::1), or keep it on.",
            args.bind
        )));
    }
    Ok(())
}

/// Opens the data directory and database, binds, and serves until SIGINT/SIGTERM.
pub async fn run(args: ServeArgs) -> Result<(), ServerError> {
    check_exposure(&args)?;
    let config = ServerConfig::from_args(&args);
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServerError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let data_dir_error = |source| ServerError::DataDir {
        path: config.data_dir.clone(),
        source,
    };
    let _lock = db::lock_data_dir(&config.data_dir)
        .map_err(data_dir_error)?
        .ok_or_else(|| ServerError::Locked(config.data_dir.clone()))?;
    let tls = match (&args.access.tls_cert, &args.access.tls_key) {
        (Some(cert), Some(key)) => Some(listen::tls_config(cert, key)?),
        _ => None,
    };
    let db_path = config.data_dir.join("flotilla.db");
    let db = db::open(&db_path)
        .await
        .map_err(|source| ServerError::Database {
            path: db_path.clone(),
            source,
        })?;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
    let shutdown = CancellationToken::new();
    tokio::spawn(shutdown::cancel_on_signal(shutdown.clone()));
    tokio::spawn(db::checkpoint_periodically(
        db.clone(),
        Duration::from_secs(2),
        shutdown.clone(),
    ));
    secrets::finish_interrupted_rotation(&config.data_dir, &db).await?;
    let state = build_state(config, db, shutdown, tls.is_some()).await?;
    serve(listener, state, tls).await
}

/// Assembles the shared state from the configuration and an open database, and starts the
/// instance engine.
pub async fn build_state(
    config: ServerConfig,
    db: db::Db,
    shutdown: CancellationToken,
    tls: bool,
) -> Result<AppState, ServerError> {
    let mut leptos_options = site_options()?;
    leptos_options.site_addr = config.bind;
    let site = SiteFiles::locate(&leptos_options.output_name, &leptos_options.site_pkg_dir);
    if let SiteFiles::Disk(root) = &site {
        leptos_options.site_root = root.display().to_string().into();
    }
    match &site {
        SiteFiles::Missing => tracing::warn!(
            "site files (the browser bundle) not found: pages render but will not be interactive; \
             build with `cargo leptos build`"
        ),
        found => tracing::info!(site = %found.describe(), "site files"),
    }
    let claude = crate::health::probe::ClaudeProbe::new(
        config.claude_bin.clone(),
        config.claude_home.clone(),
    );
    let secrets = secrets::SecretBox::open(&config.data_dir)?;
    let engine = config.limits.engine_config(
        config.claude_bin.clone(),
        config.claude_home.clone(),
        secrets.clone(),
    );
    let instances = crate::instances::engine::Supervisor::start(db.clone(), engine).await?;
    let git = crate::git::Git::default();
    let projects =
        crate::projects::service::Projects::new(db.clone(), git, config.data_dir.clone(), secrets);
    let scripts = crate::worktrees::scripts::Scripts::new(db.clone());
    let worktrees =
        crate::worktrees::service::Worktrees::new(db.clone(), projects.clone(), scripts.clone());
    // The MCP client's HTTP (rmcp's reqwest) takes TLS from the process-wide rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mcp = crate::mcp::service::Mcp::new(
        &crate::base::claude::ClaudeHome(config.claude_home.clone()),
        projects.clone(),
        scripts,
        crate::mcp::inspector::Inspector::start(
            Duration::from_secs(config.limits.mcp_timeout_secs.max(1)),
            shutdown.clone(),
        ),
    );
    let sessions = crate::sessions::service::Sessions::start(
        config.claude_home.clone(),
        db.clone(),
        worktrees.clone(),
        instances.clone(),
        shutdown.clone(),
    );
    let access = &config.access;
    let auth = crate::auth::Auth::open(
        db.clone(),
        crate::auth::AuthConfig {
            enabled: access.auth == cli::AuthMode::On,
            public_hosts: access.public_hosts.clone(),
            allowed_origins: access.allowed_origins.clone(),
            trusted_proxies: access.trusted_proxies.clone(),
            tls,
            free_paths_forced: access.allow_free_paths,
            session_idle: Duration::from_secs(access.session_idle_hours.max(1) * 3600),
            session_max: Duration::from_secs(access.session_max_days.max(1) * 24 * 3600),
            rate_per_sec: access.rate_limit,
            rate_burst: access.rate_burst,
        },
    )
    .await?;
    if !auth.enabled() {
        tracing::warn!(
            "authentication is OFF (--auth off): anyone who can reach {} can run commands here",
            config.bind
        );
    } else if !auth.status(None).await?.owner_exists {
        tracing::info!(
            "no owner yet: open the address below in a browser on this machine to create one, \
             or run `flotilla user set-password`"
        );
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| ServerError::HttpClient(e.to_string()))?;
    let review = crate::review::service::Review::new(
        db.clone(),
        projects.clone(),
        worktrees.clone(),
        http,
        config.claude_bin.clone(),
        config.claude_home.clone(),
    );
    Ok(AppState {
        leptos_options,
        db,
        config: Arc::new(config),
        claude: Arc::new(claude),
        site: Arc::new(site),
        instances,
        projects,
        worktrees,
        review,
        analytics: crate::analytics::service::Analytics::new(sessions.clone()),
        mcp,
        sessions,
        auth,
        shutdown,
    })
}

/// The runtime site options, compiled in from Leptos.toml.
pub fn site_options() -> Result<LeptosOptions, ServerError> {
    leptos::prelude::get_config_from_str(include_str!("../../Leptos.toml"))
        .map_err(|e| ServerError::SiteConfig(e.to_string()))
}

/// Serves `state` on `listener` until `state.shutdown` is cancelled, then drains connections and
/// stops every background task.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Result<(), ServerError> {
    let app = router::build(state.clone());
    if let Ok(addr) = listener.local_addr() {
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!("listening on {scheme}://{addr}");
    }
    listen::serve(listener, tls, app, state.shutdown.clone(), DRAIN_TIMEOUT).await;
    // Whatever happened to the listener, no claude process outlives the server.
    state.instances.shutdown().await;
    db::checkpoint_truncate(&state.db).await;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn leptos_toml_parses_and_agrees_with_cargo_toml() {
        let options = super::site_options().unwrap();
        let cargo: toml::Table = toml::from_str(include_str!("../../Cargo.toml")).unwrap();
        let meta = &cargo["package"]["metadata"]["leptos"];
        assert_eq!(&*options.output_name, meta["output-name"].as_str().unwrap());
        assert_eq!(
            &*options.site_pkg_dir,
            meta["site-pkg-dir"].as_str().unwrap()
        );
        assert_eq!(&*options.site_root, meta["site-root"].as_str().unwrap());
    }
}
