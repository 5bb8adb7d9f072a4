//! Decoding lines shaped as the CLI 2.1.331 writes them (fields abridged where Flotilla ignores
//! them; the verbatim line is kept by the caller anyway).

use super::*;

#[test]
fn system_init() {
    let line = r#"{"type":"system","subtype":"init","cwd":"/w","session_id":"s-1","tools":["Bash","Write"],"mcp_servers":[{"name":"fs","status":"connected","source":"project"}],"model":"claude-opus-5-5","permissionMode":"default","claude_code_version":"2.1.331","uuid":"u"}"#;
    let Decoded::Message(CliMessage::SystemInit(init)) = decode(line) else {
        panic!("not init: {:?}", decode(line));
    };
    assert_eq!(init.session_id, "s-1");
    assert_eq!(init.permission_mode, "default");
    assert_eq!(init.mcp_servers[0].status, "connected");
    assert_eq!(init.tools, vec!["Bash", "Write"]);
}

#[test]
fn system_notices_of_any_subtype() {
    let retry = r#"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":580,"error_status":401,"error":"authentication_failed","session_id":"s"}"#;
    let Decoded::Message(CliMessage::System(n)) = decode(retry) else {
        panic!()
    };
    assert_eq!(
        (n.subtype.as_str(), n.attempt, n.error_status),
        ("api_retry", Some(1), Some(401))
    );
    let future = r#"{"type":"system","subtype":"brand_new","whatever":[1,2]}"#;
    let Decoded::Message(m) = decode(future) else {
        panic!()
    };
    assert_eq!(m.kind(), "system");
}

#[test]
fn assistant_blocks() {
    let text = r#"{"type":"assistant","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hello"}],"usage":{"input_tokens":9853,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"s","uuid":"u"}"#;
    let Decoded::Message(CliMessage::Assistant(a)) = decode(text) else {
        panic!()
    };
    assert_eq!(a.message.id, "msg_1");
    assert_eq!(
        a.message.content,
        vec![ContentBlock::Text {
            text: "Hello".into()
        }]
    );
    assert_eq!(a.message.usage.unwrap().input_tokens, 9853);

    let tool = r#"{"type":"assistant","message":{"id":"msg_2","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},"parent_tool_use_id":"toolu_0","session_id":"s"}"#;
    let Decoded::Message(CliMessage::Assistant(a)) = decode(tool) else {
        panic!()
    };
    assert_eq!(a.parent_tool_use_id.as_deref(), Some("toolu_0"));
    assert!(matches!(&a.message.content[0], ContentBlock::ToolUse { name, .. } if name == "Bash"));

    let odd = r#"{"type":"assistant","message":{"id":"m","content":[{"type":"server_tool_use","id":"x"}]}}"#;
    let Decoded::Message(CliMessage::Assistant(a)) = decode(odd) else {
        panic!()
    };
    assert_eq!(a.message.content, vec![ContentBlock::Other]);
}

#[test]
fn user_tool_results_and_replays() {
    let result = r#"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"(Bash completed with no output)","is_error":false}]},"parent_tool_use_id":null,"tool_use_result":{"stdout":"","stderr":""}}"#;
    let Decoded::Message(CliMessage::User(u)) = decode(result) else {
        panic!()
    };
    let UserContent::Blocks(blocks) = &u.message.content else {
        panic!()
    };
    assert!(matches!(
        &blocks[0],
        ContentBlock::ToolResult {
            is_error: Some(false),
            ..
        }
    ));

    let replay = r#"{"type":"user","message":{"role":"user","content":"<local-command-stdout>Set model</local-command-stdout>"},"isReplay":true}"#;
    let Decoded::Message(CliMessage::User(u)) = decode(replay) else {
        panic!()
    };
    assert!(u.is_replay);
    assert!(matches!(u.message.content, UserContent::Text(_)));
}

#[test]
fn stream_events() {
    let delta = r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello from fake "}},"session_id":"s","parent_tool_use_id":null}"#;
    let Decoded::Message(CliMessage::StreamEvent(e)) = decode(delta) else {
        panic!()
    };
    assert_eq!(
        e.event,
        StreamEvent::ContentBlockDelta {
            index: 0,
            delta: Delta::TextDelta {
                text: "Hello from fake ".into()
            }
        }
    );
    let json_delta = r#"{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}}"#;
    assert!(matches!(
        decode(json_delta),
        Decoded::Message(CliMessage::StreamEvent(_))
    ));
    let stop = r#"{"type":"stream_event","event":{"type":"message_stop"}}"#;
    let Decoded::Message(CliMessage::StreamEvent(e)) = decode(stop) else {
        panic!()
    };
    assert_eq!(e.event, StreamEvent::MessageStop);
}

#[test]
fn results() {
    let ok = r#"{"type":"result","subtype":"success","is_error":false,"duration_ms":364,"duration_api_ms":22,"num_turns":1,"result":"Hello","session_id":"s","total_cost_usd":0.029844,"usage":{"input_tokens":9853,"output_tokens":19},"permission_denials":[],"terminal_reason":"completed"}"#;
    let Decoded::Message(CliMessage::Result(r)) = decode(ok) else {
        panic!()
    };
    assert!(!r.is_error);
    assert!((r.total_cost_usd - 0.029844).abs() < 1e-12);
    assert_eq!(r.terminal_reason.as_deref(), Some("completed"));
    let bad_resume = r#"{"type":"result","subtype":"error_during_execution","is_error":true,"num_turns":0,"session_id":"x","total_cost_usd":0,"errors":["No conversation found with session ID: x"]}"#;
    let Decoded::Message(CliMessage::Result(r)) = decode(bad_resume) else {
        panic!()
    };
    assert!(r.is_error);
    assert_eq!(r.errors.len(), 1);
}

#[test]
fn control_messages() {
    let ask = r#"{"type":"control_request","request_id":"e5c0","request":{"subtype":"can_use_tool","tool_name":"Bash","display_name":"Bash","input":{"command":"touch x"},"permission_suggestions":[],"blocked_path":"/w/x","tool_use_id":"toolu_6"}}"#;
    let Decoded::Message(CliMessage::ControlRequest(r)) = decode(ask) else {
        panic!()
    };
    assert_eq!(r.request_id, "e5c0");
    let ControlRequestBody::CanUseTool {
        tool_name, input, ..
    } = r.request
    else {
        panic!()
    };
    assert_eq!(tool_name, "Bash");
    assert_eq!(input["command"], "touch x");

    let other = r#"{"type":"control_request","request_id":"h1","request":{"subtype":"hook_callback","callback_id":"c"}}"#;
    let Decoded::Message(CliMessage::ControlRequest(r)) = decode(other) else {
        panic!()
    };
    assert_eq!(r.request, ControlRequestBody::Other);

    let answer = r#"{"type":"control_response","response":{"subtype":"error","request_id":"req_bogus_1","error":"Unsupported control request subtype: no_such_subtype","error_code":"unsupported_request"}}"#;
    let Decoded::Message(CliMessage::ControlResponse(c)) = decode(answer) else {
        panic!()
    };
    assert_eq!(c.response.subtype, "error");
    assert!(c.response.error.unwrap().contains("Unsupported"));
}

#[test]
fn lifecycle_unknown_and_malformed() {
    let lc = r#"{"type":"command_lifecycle","command_uuid":"1111","state":"queued","uuid":"a","session_id":"s"}"#;
    assert!(
        matches!(decode(lc), Decoded::Message(CliMessage::CommandLifecycle(c)) if c.state.as_deref() == Some("queued"))
    );
    let Decoded::Message(m) = decode(r#"{"type":"telemetry_v9","x":1}"#) else {
        panic!()
    };
    assert_eq!(
        m,
        CliMessage::Unknown {
            kind: "telemetry_v9".into()
        }
    );
    let Decoded::Message(m) = decode(r#"{"no_type":true}"#) else {
        panic!()
    };
    assert_eq!(m.kind(), "unknown");
    assert!(matches!(decode("not json {"), Decoded::Malformed { .. }));
    assert!(matches!(decode(""), Decoded::Malformed { .. }));
    // A JSON array is not an object; the head parse refuses it, which we record as malformed.
    assert!(matches!(decode("[1,2]"), Decoded::Malformed { .. }));
    // A known kind with fields of the wrong shape is kept as unknown, not an error.
    let Decoded::Message(m) = decode(r#"{"type":"result","num_turns":"many"}"#) else {
        panic!()
    };
    assert_eq!(
        m,
        CliMessage::Unknown {
            kind: "result".into()
        }
    );
}

#[test]
fn encodes_host_messages() {
    assert_eq!(
        user_turn("hi"),
        serde_json::json!({"type":"user","message":{"role":"user","content":"hi"}})
    );
    assert_eq!(
        control_request("r1", "set_model", serde_json::json!({"model": "sonnet"})),
        serde_json::json!({"type":"control_request","request_id":"r1","request":{"subtype":"set_model","model":"sonnet"}})
    );
    let allow = permission_response(
        "u1",
        &PermissionDecision::Allow {
            updated_input: serde_json::json!({"command": "ls"}),
        },
    );
    assert_eq!(allow["response"]["response"]["behavior"], "allow");
    assert_eq!(
        allow["response"]["response"]["updatedInput"]["command"],
        "ls"
    );
    let deny = permission_response(
        "u1",
        &PermissionDecision::Deny {
            message: "no".into(),
        },
    );
    assert_eq!(
        deny["response"]["response"],
        serde_json::json!({"behavior":"deny","message":"no"})
    );
}
