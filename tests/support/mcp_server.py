#!/usr/bin/env python3
"""A small MCP server for Flotilla's tests, written by hand (standard library only), so that
what goes over the wire is exactly what this file says.

It has two tools (`echo`, `add`), two resources (text `test://hello`, binary `test://blob`), a
resource template (`test://greet/{name}`) and a prompt (`greet`).

    mcp_server.py                  stdio (one JSON-RPC message a line)
    mcp_server.py --http PORT      streamable HTTP at http://127.0.0.1:PORT/mcp (JSON answers)
    mcp_server.py --garbage        prints lines that are not JSON-RPC, then answers nothing
    mcp_server.py --hang           reads, never answers
    mcp_server.py --crash-on-call  exits (status 3) when a tool is called
"""

import base64
import json
import sys

PROTOCOL = "2025-06-18"
TOOLS = [
    {
        "name": "echo",
        "description": "Says the message back",
        "inputSchema": {
            "type": "object",
            "properties": {
                "message": {"type": "string", "description": "What to say"},
                "shout": {"type": "boolean", "description": "In capitals"},
            },
            "required": ["message"],
        },
    },
    {
        "name": "add",
        "description": "Adds two numbers",
        "inputSchema": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
]
RESOURCES = [
    {"uri": "test://hello", "name": "hello", "mimeType": "text/plain"},
    {"uri": "test://blob", "name": "blob", "mimeType": "application/octet-stream"},
]
TEMPLATES = [{"uriTemplate": "test://greet/{name}", "name": "greeting", "mimeType": "text/plain"}]
PROMPTS = [
    {
        "name": "greet",
        "description": "Asks to greet someone",
        "arguments": [{"name": "name", "description": "Who", "required": True}],
    }
]
BLOB = bytes(range(256))


def answer(message, crash_on_call):
    """The response to one request (None for a notification)."""
    method = message.get("method")
    params = message.get("params") or {}
    if "id" not in message:
        return None
    if method == "initialize":
        result = {
            "protocolVersion": PROTOCOL,
            "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
            "serverInfo": {"name": "flotilla-test-server", "version": "1.0.0"},
            "instructions": "A server for Flotilla's tests.",
        }
    elif method == "ping":
        result = {}
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "tools/call":
        if crash_on_call:
            print("crashing on purpose", file=sys.stderr, flush=True)
            sys.exit(3)
        args = params.get("arguments") or {}
        if params.get("name") == "echo":
            text = str(args.get("message", ""))
            text = text.upper() if args.get("shout") else text
            result = {"content": [{"type": "text", "text": "Echo: " + text}]}
        elif params.get("name") == "add":
            total = int(args.get("a", 0)) + int(args.get("b", 0))
            result = {"content": [{"type": "text", "text": str(total)}], "structuredContent": {"sum": total}}
        else:
            result = {"content": [{"type": "text", "text": "no such tool"}], "isError": True}
    elif method == "resources/list":
        result = {"resources": RESOURCES}
    elif method == "resources/templates/list":
        result = {"resourceTemplates": TEMPLATES}
    elif method == "resources/read":
        uri = params.get("uri", "")
        if uri == "test://hello":
            result = {"contents": [{"uri": uri, "mimeType": "text/plain", "text": "Hello from the test server"}]}
        elif uri == "test://blob":
            blob = base64.b64encode(BLOB).decode()
            result = {"contents": [{"uri": uri, "mimeType": "application/octet-stream", "blob": blob}]}
        elif uri.startswith("test://greet/"):
            result = {"contents": [{"uri": uri, "mimeType": "text/plain", "text": "Hello, " + uri[len("test://greet/"):] + "!"}]}
        else:
            return {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32002, "message": "no resource " + uri}}
    elif method == "prompts/list":
        result = {"prompts": PROMPTS}
    elif method == "prompts/get":
        who = (params.get("arguments") or {}).get("name", "nobody")
        result = {"messages": [{"role": "user", "content": {"type": "text", "text": "Please greet " + who}}]}
    else:
        return {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "no method " + str(method)}}
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


def stdio(mode):
    print("test server ready", file=sys.stderr, flush=True)
    if mode == "--garbage":
        print("Starting the server...", flush=True)
        print("DEBUG: loaded 3 tools", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line or mode in ("--hang", "--garbage"):
            continue
        response = answer(json.loads(line), mode == "--crash-on-call")
        if response is not None:
            sys.stdout.write(json.dumps(response) + "\n")
            sys.stdout.flush()


def http(port):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/mcp":
                self.send_error(404)
                return
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            message = json.loads(body)
            response = answer(message, False)
            if response is None:
                self.send_response(202)
                self.end_headers()
                return
            data = json.dumps(response).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("mcp-session-id", "test-session")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            # No server-initiated stream.
            self.send_response(405)
            self.end_headers()

        def do_DELETE(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening on %d" % server.server_address[1], file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--http":
        http(int(sys.argv[2]))
    else:
        stdio(sys.argv[1] if len(sys.argv) > 1 else "")
