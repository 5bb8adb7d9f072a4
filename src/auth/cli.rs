//! `flotilla user|token|secrets ...`: administration on the server's own machine, straight on
//! the data directory. Whoever can run these there can read the data directory anyway.

use super::types::{CreateToken, TokenScope};
use super::{Auth, AuthConfig};
use crate::server::cli::DataDirArg;
use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set the owner's password (creating the owner on first use), read from standard input.
    /// Every browser session is signed out.
    SetPassword {
        /// The owner's name (default: keep it, or "owner" for a new one).
        #[arg(long)]
        username: Option<String>,
        #[command(flatten)]
        data: DataDirArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the token is printed alone on the last line, and never again.
    Create(CreateArgs),
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        data: DataDirArg,
    },
    /// Revoke a token (by name or id): refused from the next request on.
    Revoke {
        name: String,
        #[command(flatten)]
        data: DataDirArg,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    /// `read` (GET routes and read-only streams) or `full`.
    #[arg(long, default_value = "full")]
    pub scope: String,
    /// Days until it stops working (default: until revoked).
    #[arg(long = "expires-in")]
    pub expires_in: Option<u32>,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Re-encrypt every stored secret under a new key, in one transaction. The server must be
    /// stopped. With FLOTILLA_SECRET_KEY, the new key is printed for you to put there.
    RotateKey {
        #[command(flatten)]
        data: DataDirArg,
    },
}

/// Runs an administrative command; the exit code says how it went.
pub async fn run(command: crate::server::cli::Command) -> ExitCode {
    use crate::server::cli::Command;
    let result = match command {
        Command::Serve(_) => Err("serve is not an administrative command".to_string()),
        Command::User(UserCommand::SetPassword { username, data }) => {
            set_password(username, &data).await
        }
        Command::Token(TokenCommand::Create(args)) => create_token(args).await,
        Command::Token(TokenCommand::List { data }) => list_tokens(&data).await,
        Command::Token(TokenCommand::Revoke { name, data }) => revoke_token(&name, &data).await,
        Command::Secrets(SecretsCommand::RotateKey { data }) => rotate_key(&data).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flotilla: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open(data: &DataDirArg) -> Result<Auth, String> {
    let dir = data.resolved();
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))?;
    let path = dir.join("flotilla.db");
    let db = crate::base::db::open(&path)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", path.display()))?;
    Auth::open(db, AuthConfig::default())
        .await
        .map_err(|e| e.to_string())
}

async fn set_password(username: Option<String>, data: &DataDirArg) -> Result<(), String> {
    let password = read_password()?;
    let auth = open(data).await?;
    let name = auth
        .set_password(username.as_deref(), &password)
        .await
        .map_err(|e| e.to_string())?;
    auth.audit()
        .record("cli", "user set-password", Some(&name), None, 200, None)
        .await;
    eprintln!("The password of {name} is set; every browser session was signed out.");
    Ok(())
}

/// Reads the password from standard input: on a terminal without echo and twice; otherwise
/// the first line (for scripts: `echo "$PW" | flotilla user set-password`).
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let first = prompt_hidden("New password: ")?;
    let second = prompt_hidden("Again: ")?;
    if first != second {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

fn prompt_hidden(prompt: &str) -> Result<String, String> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    let stdin = std::io::stdin();
    let saved = tcgetattr(&stdin).map_err(|e| format!("cannot read the terminal: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&stdin, SetArg::TCSANOW, &quiet).map_err(|e| format!("terminal: {e}"))?;
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    eprintln!();
    read.map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn create_token(args: CreateArgs) -> Result<(), String> {
    let scope = TokenScope::parse(&args.scope)
        .ok_or_else(|| format!("--scope must be read or full, not {:?}", args.scope))?;
    let auth = open(&args.data).await?;
    let created = auth
        .create_token(
            None,
            CreateToken {
                name: args.name,
                scope,
                expires_in_days: args.expires_in,
            },
            None,
        )
        .await
        .map_err(|e| e.to_string())?;
    auth.audit()
        .record(
            "cli",
            "token create",
            Some(&created.info.name),
            None,
            201,
            None,
        )
        .await;
    let expiry = created
        .info
        .expires_at
        .as_deref()
        .map(|e| format!(", expires {e}"))
        .unwrap_or_default();
    println!(
        "Token {} ({} scope{expiry}). It is shown once; keep it somewhere safe:",
        created.info.name,
        created.info.scope.as_str()
    );
    println!("{}", created.token);
    Ok(())
}

async fn list_tokens(data: &DataDirArg) -> Result<(), String> {
    let auth = open(data).await?;
    let tokens = auth.tokens(None).await.map_err(|e| e.to_string())?;
    if tokens.is_empty() {
        println!("No tokens. Create one with: flotilla token create --name NAME");
    }
    for t in tokens {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.expired {
            "expired"
        } else {
            "active"
        };
        println!(
            "{}\t{}\t{}\tcreated {}\tlast used {}",
            t.name,
            t.scope.as_str(),
            state,
            t.created_at,
            t.last_used_at.as_deref().unwrap_or("never")
        );
    }
    Ok(())
}

async fn revoke_token(name: &str, data: &DataDirArg) -> Result<(), String> {
    let auth = open(data).await?;
    let token = auth
        .revoke_token(None, name, None)
        .await
        .map_err(|e| e.to_string())?;
    auth.audit()
        .record("cli", "token revoke", Some(&token.name), None, 200, None)
        .await;
    println!("Revoked {}.", token.name);
    Ok(())
}

async fn rotate_key(data: &DataDirArg) -> Result<(), String> {
    let dir = data.resolved();
    let _lock = crate::base::db::lock_data_dir(&dir)
        .map_err(|e| format!("cannot lock {}: {e}", dir.display()))?
        .ok_or("a Flotilla server is running on this data directory; stop it first")?;
    let auth = open(data).await?;
    let db = auth.db.clone();
    let rotation = crate::base::secrets::rotate_key(&dir, &db)
        .await
        .map_err(|e| e.to_string())?;
    auth.audit()
        .record(
            "cli",
            "secrets rotate-key",
            None,
            None,
            200,
            Some(&format!("{} secrets re-encrypted", rotation.reencrypted)),
        )
        .await;
    eprintln!(
        "Re-encrypted {} secrets under a new key.",
        rotation.reencrypted
    );
    if let Some(key) = rotation.new_env_key {
        eprintln!(
            "The key comes from {}: set it to the new key below before starting Flotilla again.",
            crate::base::secrets::KEY_ENV
        );
        println!("{key}");
    }
    Ok(())
}
