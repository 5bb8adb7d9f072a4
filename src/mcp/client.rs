//! One connection to an MCP server, with the official Rust SDK (rmcp) as the client: over a
//! program's standard input and output, or streamable HTTP. Core code: no Leptos, no database.
//!
//! Every message either way goes into the connection's [`Log`], and so does every line the
//! server writes to stderr. For a program, Flotilla starts it itself (in a process group of its
//! own) and passes its standard output on to rmcp a line at a time: a line that is not JSON-RPC
//! is logged as such instead of vanishing, so a server that prints garbage is told apart from
//! one that hangs. Every request has a timeout.

use super::log::Log;
use super::types::{
    Discovery, PromptArgument, PromptInfo, PromptResult, ResourceInfo, ResourcePart, TemplateInfo,
    ToolInfo,
};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, GetPromptRequestParams,
    Implementation, ProtocolVersion, ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::{Peer, RunningService};
use rmcp::{RoleClient, ServiceExt};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The longest line read from a server (rmcp's own limit).
const MAX_LINE: usize = 16 << 20;

/// What to connect to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Program {
        command: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
        cwd: PathBuf,
    },
    Http {
        url: String,
        headers: BTreeMap<String, String>,
    },
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Start(String),
    #[error("{0}")]
    Handshake(String),
    #[error("the server did not answer within {0} s")]
    Timeout(u64),
    #[error("the connection is closed: {0}")]
    Closed(String),
    /// The server answered with a JSON-RPC error.
    #[error("the server answered: {0}")]
    Server(String),
}

pub struct Connection {
    service: RunningService<RoleClient, ClientConfig>,
    peer: Peer<RoleClient>,
    /// The program's process group, for programs.
    pgid: Option<u32>,
    log: Arc<Log>,
    timeout: Duration,
}

fn client_config() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("flotilla", env!("CARGO_PKG_VERSION")),
    )
    // The newest protocol version that still has the initialize handshake every server speaks.
    .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
}

impl Connection {
    /// Connects and completes the handshake, within `timeout` (also each later request's).
    pub async fn open(
        target: &Target,
        log: Arc<Log>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        match target {
            Target::Program {
                command,
                args,
                env,
                cwd,
            } => Self::open_program(command, args, env, cwd, log, timeout).await,
            Target::Http { url, headers } => Self::open_http(url, headers, log, timeout).await,
        }
    }

    async fn open_program(
        command: &str,
        args: &[String],
        env: &BTreeMap<String, String>,
        cwd: &std::path::Path,
        log: Arc<Log>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let mut cmd = tokio::process::Command::new(command);
        cmd.args(args)
            .envs(env)
            .current_dir(cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        crate::base::process_group::own_group(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| ClientError::Start(format!("cannot start {command}: {e}")))?;
        let pgid = child.id();
        log.note(format!("started {command} {}", args.join(" ")));
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(ClientError::Start(
                "the server's pipes could not be opened".into(),
            ));
        };
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let (from_rmcp, to_rmcp) = tokio::io::split(theirs);
        // rmcp -> the server's stdin, a line at a time, logged.
        let sent = log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(from_rmcp);
            let mut line = Vec::new();
            loop {
                line.clear();
                match lines.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        sent.message("sent", &line);
                        if stdin.write_all(&line).await.is_err() {
                            break;
                        }
                        let _ = stdin.flush().await;
                    }
                }
            }
        });
        // The server's stdout -> rmcp: JSON lines pass, anything else is logged as garbage.
        let received = log.clone();
        tokio::spawn(async move {
            let mut to_rmcp = to_rmcp;
            let mut lines = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                match lines.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) if n > MAX_LINE => received.garbage(b"(a line over 16 MiB)"),
                    Ok(_) => {
                        let text = line.trim_ascii();
                        if text.is_empty() {
                            continue;
                        }
                        if serde_json::from_slice::<serde_json::Value>(text)
                            .is_ok_and(|v| v.is_object())
                        {
                            received.message("received", text);
                            if to_rmcp.write_all(text).await.is_err()
                                || to_rmcp.write_all(b"\n").await.is_err()
                            {
                                break;
                            }
                        } else {
                            received.garbage(text);
                        }
                    }
                }
            }
            let _ = to_rmcp.shutdown().await;
        });
        let errors = log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                errors.stderr(line);
            }
        });
        let exited = log.clone();
        tokio::spawn(async move {
            match child.wait().await {
                Ok(status) => exited.exited(status.to_string()),
                Err(e) => exited.exited(e.to_string()),
            }
        });
        let service = handshake(client_config().serve(ours), &log, timeout).await;
        match service {
            Ok(service) => Ok(Self::ready(service, pgid, log, timeout)),
            Err(e) => {
                if let Some(pgid) = pgid {
                    crate::base::process_group::terminate_group(pgid, Duration::from_secs(2)).await;
                }
                Err(e)
            }
        }
    }

    async fn open_http(
        url: &str,
        headers: &BTreeMap<String, String>,
        log: Arc<Log>,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
        use rmcp::transport::StreamableHttpClientTransport;
        let mut custom = std::collections::HashMap::new();
        for (name, value) in headers {
            let bad = |what: &str| {
                ClientError::Start(format!("the header {name:?} has an invalid {what}"))
            };
            custom.insert(
                reqwest::header::HeaderName::try_from(name.as_str()).map_err(|_| bad("name"))?,
                reqwest::header::HeaderValue::try_from(value.as_str()).map_err(|_| bad("value"))?,
            );
        }
        let config =
            StreamableHttpClientTransportConfig::with_uri(url.to_string()).custom_headers(custom);
        let transport = StreamableHttpClientTransport::from_config(config);
        log.note(format!("connecting to {url}"));
        let logged = super::log::Logged::new(transport, log.clone());
        let service = handshake(client_config().serve(logged), &log, timeout).await?;
        Ok(Self::ready(service, None, log, timeout))
    }

    fn ready(
        service: RunningService<RoleClient, ClientConfig>,
        pgid: Option<u32>,
        log: Arc<Log>,
        timeout: Duration,
    ) -> Self {
        let peer = service.peer().clone();
        Self {
            service,
            peer,
            pgid,
            log,
            timeout,
        }
    }

    /// A request with the connection's timeout; a server that went away says how.
    async fn within<T>(
        &self,
        request: impl std::future::Future<Output = Result<T, rmcp::ServiceError>>,
    ) -> Result<T, ClientError> {
        match tokio::time::timeout(self.timeout, request).await {
            Err(_) => Err(ClientError::Timeout(self.timeout.as_secs())),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(service_error(e, &self.log)),
        }
    }

    /// The server's name and version, and everything it offers.
    pub async fn discover(&self) -> Discovery {
        let mut d = Discovery::default();
        let info = self.peer.peer_info();
        let caps = info
            .as_ref()
            .map(|i| i.capabilities.clone())
            .unwrap_or_default();
        if let Some(info) = &info {
            d.protocol_version = Some(info.protocol_version.to_string());
            d.instructions = info.instructions.clone();
            if let Some(server) = &info.server_info {
                d.server_name = Some(server.name.clone());
                d.server_version = Some(server.version.clone());
            }
        }
        let errors = &mut d.errors;
        if caps.tools.is_some() {
            let found = self.within(self.peer.list_all_tools()).await;
            d.tools = listed(errors, "tools", found, |t| ToolInfo {
                name: t.name.to_string(),
                title: t.title.clone(),
                description: t.description.as_ref().map(|s| s.to_string()),
                input_schema: serde_json::Value::Object((*t.input_schema).clone()),
                output_schema: t
                    .output_schema
                    .as_ref()
                    .map(|s| serde_json::Value::Object((**s).clone())),
            });
        }
        if caps.prompts.is_some() {
            let found = self.within(self.peer.list_all_prompts()).await;
            d.prompts = listed(errors, "prompts", found, |p| PromptInfo {
                name: p.name.to_string(),
                description: p.description.clone(),
                arguments: p
                    .arguments
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| PromptArgument {
                        name: a.name.to_string(),
                        description: a.description.clone(),
                        required: a.required.unwrap_or(false),
                    })
                    .collect(),
            });
        }
        if caps.resources.is_some() {
            let found = self.within(self.peer.list_all_resources()).await;
            d.resources = listed(errors, "resources", found, |r| ResourceInfo {
                uri: r.uri.to_string(),
                name: r.name.to_string(),
                description: r.description.clone(),
                mime_type: r.mime_type.clone(),
            });
            let found = self.within(self.peer.list_all_resource_templates()).await;
            d.templates = listed(errors, "resource templates", found, |t| TemplateInfo {
                uri_template: t.uri_template.to_string(),
                name: t.name.to_string(),
                description: t.description.clone(),
                mime_type: t.mime_type.clone(),
            });
        }
        d
    }

    /// Calls tool `name`: the result as the server sent it.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Value, ClientError> {
        let params = CallToolRequestParams::new(name.to_string()).with_arguments(arguments);
        let result = self.within(self.service.call_tool(params)).await?;
        serde_json::to_value(&result).map_err(|e| ClientError::Server(e.to_string()))
    }

    pub async fn read_resource(&self, uri: &str) -> Result<Vec<ResourcePart>, ClientError> {
        let result = self
            .within(
                self.service
                    .read_resource(ReadResourceRequestParams::new(uri.to_string())),
            )
            .await?;
        Ok(result
            .contents
            .into_iter()
            .filter_map(|c| match c {
                ResourceContents::TextResourceContents {
                    uri,
                    mime_type,
                    text,
                    ..
                } => Some(ResourcePart {
                    uri,
                    mime_type,
                    text: Some(text),
                    blob: None,
                }),
                ResourceContents::BlobResourceContents {
                    uri,
                    mime_type,
                    blob,
                    ..
                } => Some(ResourcePart {
                    uri,
                    mime_type,
                    text: None,
                    blob: Some(blob),
                }),
                _ => None,
            })
            .collect())
    }

    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: &BTreeMap<String, String>,
    ) -> Result<PromptResult, ClientError> {
        let args: serde_json::Map<String, serde_json::Value> = arguments
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let params = GetPromptRequestParams::new(name.to_string()).with_arguments(args);
        let result = self.within(self.service.get_prompt(params)).await?;
        Ok(PromptResult {
            description: result.description.clone(),
            messages: serde_json::to_value(&result.messages).unwrap_or_default(),
        })
    }

    /// Ends the connection: a program's whole process group goes with it.
    pub async fn close(mut self) {
        let _ = self
            .service
            .close_with_timeout(Duration::from_secs(2))
            .await;
        if let Some(pgid) = self.pgid {
            crate::base::process_group::terminate_group(pgid, Duration::from_secs(2)).await;
        }
        self.log.note("closed".to_string());
    }
}

impl Drop for Connection {
    /// A connection dropped without `close` (a request still held it) takes its program along.
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            crate::base::process_group::signal_group(pgid, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// The handshake within `timeout`, its failure said in words (with what the log saw).
async fn handshake<F, E>(
    start: F,
    log: &Log,
    timeout: Duration,
) -> Result<RunningService<RoleClient, ClientConfig>, ClientError>
where
    F: std::future::Future<Output = Result<RunningService<RoleClient, ClientConfig>, E>>,
    E: std::fmt::Display,
{
    match tokio::time::timeout(timeout, start).await {
        Ok(Ok(service)) => {
            log.note("connected".to_string());
            Ok(service)
        }
        Ok(Err(e)) => {
            // The connection closed: most likely the program ended; give its exit a moment to
            // be seen, so the message can say so.
            for _ in 0..20 {
                if log.exit_status().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(ClientError::Handshake(explain(
                &format!("the handshake failed: {e}"),
                log,
            )))
        }
        Err(_) => Err(ClientError::Handshake(explain(
            &format!(
                "the server did not answer the handshake within {} s",
                timeout.as_secs()
            ),
            log,
        ))),
    }
}

/// `what` went wrong, with the reason the log gives: garbage on stdout, an exit, stderr.
fn explain(what: &str, log: &Log) -> String {
    let mut out = what.to_string();
    if let Some((count, first)) = log.garbage_seen() {
        out.push_str(&format!(
            "; it wrote {count} line(s) on its standard output that are not JSON-RPC (the first: {first:?}): an MCP server may write only protocol messages there (logs go to stderr)"
        ));
    }
    if let Some(status) = log.exit_status() {
        out.push_str(&format!("; the server exited ({status})"));
    }
    let tail = log.stderr_tail(3);
    if !tail.is_empty() {
        out.push_str(&format!("; its last stderr: {}", tail.join(" / ")));
    }
    out
}

/// One list of what a server offers, each item made `U`; a list that could not be read is
/// empty and its error noted under `what`.
fn listed<T, U>(
    errors: &mut std::collections::BTreeMap<String, String>,
    what: &str,
    found: Result<Vec<T>, ClientError>,
    make: impl FnMut(T) -> U,
) -> Vec<U> {
    match found {
        Ok(items) => items.into_iter().map(make).collect(),
        Err(e) => {
            errors.insert(what.into(), e.to_string());
            Vec::new()
        }
    }
}

fn service_error(e: rmcp::ServiceError, log: &Log) -> ClientError {
    match e {
        rmcp::ServiceError::McpError(data) => {
            ClientError::Server(format!("{} (code {})", data.message, data.code.0))
        }
        rmcp::ServiceError::Timeout { timeout } => ClientError::Timeout(timeout.as_secs()),
        rmcp::ServiceError::TransportClosed => {
            ClientError::Closed(explain("the server went away", log))
        }
        other => ClientError::Closed(explain(&other.to_string(), log)),
    }
}
