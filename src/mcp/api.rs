//! Server functions the MCP pages call: one service call each, the same the REST routes make.

use super::types::{
    CallRecord, ConnectionSummary, Inspection, LogEntry, McpServer, McpServerInput, McpServerList,
    PromptResult, ResourcePart, ScaffoldRequest, Scaffolded, TestResult,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
fn mcp() -> crate::mcp::service::Mcp {
    expect_context::<crate::server::state::AppState>().mcp
}

/// The servers (those a session in `project` gets, when given).
#[server(prefix = "/api/fn", endpoint = "mcp_servers", input = GetUrl)]
pub async fn mcp_servers(project: Option<String>) -> Result<McpServerList, AppError> {
    crate::error::respond(mcp().list(&super::types::McpServerQuery { project }).await)
}

#[server(prefix = "/api/fn", endpoint = "mcp_server", input = GetUrl)]
pub async fn read_mcp_server(id: String) -> Result<McpServer, AppError> {
    crate::error::respond(mcp().get(&id).await)
}

/// Adds a server (`id` None) or changes server `id`.
#[server(prefix = "/api/fn", endpoint = "save_mcp_server", input = Json)]
pub async fn save_mcp_server(
    id: Option<String>,
    input: McpServerInput,
) -> Result<McpServer, AppError> {
    let mcp = mcp();
    crate::error::respond(match id {
        None => mcp.create(input).await,
        Some(id) => mcp.update(&id, input).await,
    })
}

#[server(prefix = "/api/fn", endpoint = "remove_mcp_server", input = Json)]
pub async fn remove_mcp_server(id: String) -> Result<(), AppError> {
    crate::error::respond(mcp().delete(&id).await)
}

#[server(prefix = "/api/fn", endpoint = "test_mcp_server", input = Json)]
pub async fn test_mcp_server(id: String) -> Result<TestResult, AppError> {
    crate::error::respond(mcp().test(&id).await)
}

#[server(prefix = "/api/fn", endpoint = "connect_mcp_server", input = Json)]
pub async fn connect_mcp_server(id: String) -> Result<Inspection, AppError> {
    crate::error::respond(mcp().connect(&id).await)
}

#[server(prefix = "/api/fn", endpoint = "inspect_mcp_server", input = GetUrl)]
pub async fn inspect_mcp_server(id: String) -> Result<Inspection, AppError> {
    Ok(mcp().inspector.inspection(&id))
}

/// The inspector's open (or failed) connections, for the MCP page's cards.
#[server(prefix = "/api/fn", endpoint = "mcp_connections", input = GetUrl)]
pub async fn mcp_connections() -> Result<Vec<ConnectionSummary>, AppError> {
    Ok(mcp().inspector.connections())
}

#[server(prefix = "/api/fn", endpoint = "disconnect_mcp_server", input = Json)]
pub async fn disconnect_mcp_server(id: String) -> Result<Inspection, AppError> {
    let mcp = mcp();
    mcp.inspector.disconnect(&id).await;
    Ok(mcp.inspector.inspection(&id))
}

#[server(prefix = "/api/fn", endpoint = "mcp_log", input = GetUrl)]
pub async fn mcp_log(id: String, since: u64) -> Result<Vec<LogEntry>, AppError> {
    Ok(mcp().inspector.log(&id, since))
}

#[server(prefix = "/api/fn", endpoint = "call_mcp_tool", input = Json)]
pub async fn call_mcp_tool(
    id: String,
    tool: String,
    arguments: serde_json::Map<String, serde_json::Value>,
) -> Result<CallRecord, AppError> {
    crate::error::respond(mcp().inspector.call_tool(&id, &tool, arguments).await)
}

#[server(prefix = "/api/fn", endpoint = "read_mcp_resource", input = Json)]
pub async fn read_mcp_resource(id: String, uri: String) -> Result<Vec<ResourcePart>, AppError> {
    crate::error::respond(mcp().inspector.read_resource(&id, &uri).await)
}

#[server(prefix = "/api/fn", endpoint = "get_mcp_prompt", input = Json)]
pub async fn get_mcp_prompt(
    id: String,
    name: String,
    arguments: BTreeMap<String, String>,
) -> Result<PromptResult, AppError> {
    crate::error::respond(mcp().inspector.get_prompt(&id, &name, &arguments).await)
}

#[server(prefix = "/api/fn", endpoint = "rebuild_mcp_server", input = Json)]
pub async fn rebuild_mcp_server(id: String) -> Result<Inspection, AppError> {
    crate::error::respond(mcp().rebuild(&id).await)
}

#[server(prefix = "/api/fn", endpoint = "scaffold_mcp_server", input = Json)]
pub async fn scaffold_mcp_server(request: ScaffoldRequest) -> Result<Scaffolded, AppError> {
    crate::error::respond(mcp().scaffold(request).await)
}
