//! The files of the two MCP server templates (`mcp-python`, `mcp-rust`): a server with one tool,
//! one resource (and a resource template) and one prompt, that builds and answers `tools/list`
//! as it is. The MCP page scaffolds them, builds them and opens them in the inspector.

pub const PYTHON: &[(&str, &str)] = &[
    (
        "server.py",
        r#""""{{name}}: an MCP server, written with the official Python SDK (the `mcp` package).

It speaks on its standard input and output; write logs to stderr, never to stdout.
Run it with `.venv/bin/python server.py`; Flotilla's MCP page inspects it.
"""

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("{{name}}")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.resource("info://about")
def about() -> str:
    """What this server is."""
    return "{{name}}: an MCP server made from Flotilla's Python template."


@mcp.resource("greeting://{who}")
def greeting(who: str) -> str:
    """A greeting for someone."""
    return f"Hello, {who}!"


@mcp.prompt()
def review(code: str) -> str:
    """Ask for a review of some code."""
    return f"Please review this code:\n\n{code}"


if __name__ == "__main__":
    mcp.run()
"#,
    ),
    ("requirements.txt", "mcp==2.3.0\n"),
    (".gitignore", ".venv/\n__pycache__/\n"),
    (
        "README.md",
        "# {{name}}\n\nAn MCP server (Python, the official `mcp` package).\n\n\
         - Set up: `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt`\n\
         - Run: `.venv/bin/python server.py` (standard input and output)\n",
    ),
    (
        "CLAUDE.md",
        "# {{name}}\n\nAn MCP server in `server.py` (the `mcp` package, `MCPServer`). Tools, \
         resources and prompts are decorated functions. It speaks JSON-RPC on stdout: log to \
         stderr only. Rebuild and reconnect from Flotilla's MCP page after a change.\n",
    ),
];

pub const RUST: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2021"

[dependencies]
rmcp = { version = "3.11", features = ["server", "macros", "transport-io"] }
schemars = "1"
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "io-std"] }
"#,
    ),
    ("src/main.rs", RUST_MAIN),
    (".gitignore", "/target\n"),
    (
        "README.md",
        "# {{name}}\n\nAn MCP server (Rust, rmcp).\n\n\
         - Build: `cargo build`\n- Run: `target/debug/{{name}}` (standard input and output)\n",
    ),
    (
        "CLAUDE.md",
        "# {{name}}\n\nAn MCP server in `src/main.rs` (rmcp): tools in the `#[tool_router]` \
         impl, prompts in the `#[prompt_router]` impl, resources in `list_resources` / \
         `read_resource`. It speaks JSON-RPC on stdout: log to stderr only. Build with \
         `cargo build`; rebuild and reconnect from Flotilla's MCP page.\n",
    ),
];

const RUST_MAIN: &str = r#"//! {{name}}: an MCP server, written with rmcp (the official Rust SDK).
//!
//! It speaks on its standard input and output; log to stderr, never to stdout.

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    Implementation, ListResourcesResult, PaginatedRequestParams, PromptMessage, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, Role, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{prompt, prompt_handler, prompt_router, tool, tool_handler, tool_router};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
struct AddArgs {
    /// The first number
    a: i64,
    /// The second number
    b: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ReviewArgs {
    /// The code to review
    code: String,
}

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

#[tool_router]
impl Server {
    #[tool(description = "Add two integers")]
    async fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        (a + b).to_string()
    }
}

#[prompt_router]
impl Server {
    #[prompt(name = "review", description = "Ask for a review of some code")]
    async fn review(&self, Parameters(ReviewArgs { code }): Parameters<ReviewArgs>) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(Role::User, format!("Please review this code:\n\n{code}"))]
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_prompts().enable_resources().build())
            .with_server_info(Implementation::new("{{name}}", env!("CARGO_PKG_VERSION")))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new("info://about", "about").with_mime_type("text/plain"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match request.uri.as_str() {
            "info://about" => Ok(ReadResourceResult::new(vec![ResourceContents::text(
                "{{name}}: an MCP server made from Flotilla's Rust template.",
                request.uri.clone(),
            )])
            .into()),
            other => Err(ErrorData::resource_not_found(format!("no resource {other}"), None)),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let server = Server { tool_router: Server::tool_router(), prompt_router: Server::prompt_router() };
    server.serve(rmcp::transport::stdio()).await?.waiting().await?;
    Ok(())
}
"#;
