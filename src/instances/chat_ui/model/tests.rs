//! The chat model against frames recorded from the real Claude Code CLI (via Flotilla and the
//! fake API): a turn with a sub-agent, a Write that asked permission, a Bash call and a code
//! block.

use super::*;

const FIXTURE: &str = include_str!("../fixtures/tools_and_subagent.jsonl");

fn frames() -> Vec<(u64, String, String)> {
    FIXTURE
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            (
                v["seq"].as_u64().unwrap(),
                v["kind"].as_str().unwrap().to_string(),
                v["data"].to_string(),
            )
        })
        .collect()
}

fn model_of(frames: &[(u64, String, String)]) -> ChatModel {
    let mut model = ChatModel::new();
    for (seq, kind, data) in frames {
        model.apply(*seq, kind, data);
    }
    model
}

fn texts(items: Vec<&ChatItem>) -> Vec<String> {
    items
        .into_iter()
        .filter_map(|i| match &i.body {
            ItemBody::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_whole_turn() {
    let model = model_of(&frames());
    let top: Vec<&ChatItem> = model.top_level().collect();
    assert!(
        matches!(&top[0].body, ItemBody::Notice { text, .. } if text.starts_with("Claude Code started"))
    );
    assert!(matches!(&top[1].body, ItemBody::User { text } if text.starts_with("do things")));
    assert_eq!(
        texts(top.clone()),
        vec![
            "Asking a sub-agent.".to_string(),
            "I'll write the file.".into(),
            "Running a command.".into(),
            "Here is some code:\n\n```rust\nfn main() {\n    println!(\"hello\");\n}\n```\n".into(),
        ]
    );
    let tools: Vec<(&str, &ToolOutcome)> = top
        .iter()
        .filter_map(|i| match &i.body {
            ItemBody::Tool {
                name,
                result: Some(r),
                ..
            } => Some((name.as_str(), r)),
            _ => None,
        })
        .collect();
    assert_eq!(
        tools.iter().map(|t| t.0).collect::<Vec<_>>(),
        vec!["Task", "Write", "Bash"]
    );
    assert!(tools[1].1.text.starts_with("File created successfully"));
    assert_eq!(tools[2].1.text, "hi\nb.txt");
    assert!(!tools[2].1.is_error);
    assert_eq!(tools[2].1.details["stdout"], "hi\nb.txt");
    // The permission question was answered "allow", and the answer moved into the Write card.
    assert!(top.iter().any(|i| matches!(&i.body,
        ItemBody::Permission { tool_name, state: PermissionState::Allowed, merged: true, .. } if tool_name == "Write")));
    assert!(top.iter().any(|i| matches!(&i.body,
        ItemBody::Tool { name, permission: Some(PermissionState::Allowed), .. } if name == "Write")));
    // The turn's footer.
    let Some(ItemBody::TurnEnd {
        cost_usd,
        is_error,
        output_tokens,
        ..
    }) = top.last().map(|i| &i.body)
    else {
        panic!("no turn end: {:?}", top.last());
    };
    assert!(*cost_usd > 0.0);
    assert!(!is_error);
    assert!(*output_tokens > 0);
    assert_eq!(
        model.instance.as_ref().unwrap().status,
        crate::instances::types::InstanceStatus::Idle
    );
    assert!(!model.is_streaming());
}

#[test]
fn sub_agent_messages_nest_in_their_task_card() {
    let model = model_of(&frames());
    let children: Vec<&ChatItem> = model.children("toolu_fake_0002").collect();
    assert_eq!(
        texts(children.clone()),
        vec!["sub agent says hi".to_string()]
    );
    assert!(children.iter().any(|i| matches!(&i.body, ItemBody::Notice { text, .. } if text.starts_with("Sub-agent started"))));
    assert!(children.iter().any(|i| matches!(&i.body, ItemBody::Notice { text, .. } if text == "Sub-agent completed: sub agent says hi")));
    // Not at the top level too.
    assert!(!texts(model.top_level().collect()).contains(&"sub agent says hi".to_string()));
}

#[test]
fn text_streams_in_before_the_whole_message() {
    let all = frames();
    let first_delta = all
        .iter()
        .position(|(_, kind, data)| kind == "stream_event" && data.contains("text_delta"))
        .unwrap();
    let model = model_of(&all[..=first_delta]);
    let streaming: Vec<&ChatItem> = model
        .items
        .iter()
        .filter(|i| {
            matches!(
                i.body,
                ItemBody::Text {
                    streaming: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(streaming.len(), 1);
    assert!(model.is_streaming());
    let key = streaming[0].key;
    // Once the whole message arrives the same item holds it, finished.
    let model = model_of(&all);
    assert!(
        matches!(&model.item(key).unwrap().body, ItemBody::Text { streaming: false, text } if text == "Asking a sub-agent.")
    );
}

#[test]
fn replayed_frames_change_nothing() {
    let all = frames();
    let mut model = model_of(&all);
    let before = model.items.clone();
    for (seq, kind, data) in &all {
        model.apply(*seq, kind, data);
    }
    assert_eq!(model.items, before);
}

#[test]
fn versions_move_when_an_item_changes() {
    let all = frames();
    let mut model = ChatModel::new();
    let task_use = all
        .iter()
        .position(|(_, kind, d)| kind == "assistant" && d.contains(r#""name":"Task""#))
        .unwrap();
    for (seq, kind, data) in &all[..=task_use] {
        model.apply(*seq, kind, data);
    }
    let task = model
        .items
        .iter()
        .find(|i| matches!(&i.body, ItemBody::Tool { name, .. } if name == "Task"))
        .unwrap()
        .clone();
    let rest = &all[task_use + 1..];
    for (seq, kind, data) in rest {
        model.apply(*seq, kind, data);
    }
    let after = model.item(task.key).unwrap();
    assert!(
        after.version > task.version,
        "the Task card re-renders when its sub-agent speaks"
    );
}

#[test]
fn unknown_and_malformed_lines_are_kept() {
    let mut model = ChatModel::new();
    model.apply(1, "from_the_future", r#"{"type":"from_the_future","x":1}"#);
    model.apply(2, "malformed", r#""not json {""#);
    model.apply(3, "system", r#"{"type":"system","subtype":"brand_new"}"#);
    model.apply(4, "stderr", r#""warning: something""#);
    let kinds: Vec<String> = model
        .items
        .iter()
        .map(|i| match &i.body {
            ItemBody::Raw { kind, .. } => kind.clone(),
            ItemBody::Stderr { .. } => "stderr".into(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        vec!["from_the_future", "malformed", "system/brand_new", "stderr"]
    );
}

#[test]
fn permission_timeouts_and_expiry() {
    let mut model = ChatModel::new();
    let ask = |id: &str| {
        format!(
            r#"{{"type":"control_request","request_id":"{id}","request":{{"subtype":"can_use_tool","tool_name":"Bash","input":{{"command":"rm -rf x"}}}}}}"#
        )
    };
    model.apply(1, "control_request", &ask("a"));
    model.apply(2, "control_request", &ask("b"));
    model.apply(
        3,
        "flotilla",
        r#"{"event":"permission_timeout","request_id":"a"}"#,
    );
    model.apply(4, "stdin", r#"{"type":"control_response","response":{"subtype":"success","request_id":"a","response":{"behavior":"deny","message":"late"}}}"#);
    model.apply(
        5,
        "result",
        r#"{"type":"result","subtype":"success","is_error":false,"total_cost_usd":0.5}"#,
    );
    let states: Vec<&PermissionState> = model
        .items
        .iter()
        .filter_map(|i| match &i.body {
            ItemBody::Permission { state, .. } => Some(state),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        vec![&PermissionState::TimedOut, &PermissionState::Expired]
    );
}

#[test]
fn turn_cost_is_the_difference_of_running_totals() {
    let mut model = ChatModel::new();
    let result =
        |total: f64| format!(r#"{{"type":"result","subtype":"success","total_cost_usd":{total}}}"#);
    model.apply(1, "result", &result(0.25));
    model.apply(2, "result", &result(0.75));
    // A new process starts its total from zero.
    model.apply(
        3,
        "flotilla",
        r#"{"event":"spawned","pid":1,"resumed":true}"#,
    );
    model.apply(4, "result", &result(0.1));
    let costs: Vec<f64> = model
        .items
        .iter()
        .filter_map(|i| match &i.body {
            ItemBody::TurnEnd { cost_usd, .. } => Some(*cost_usd),
            _ => None,
        })
        .collect();
    assert_eq!(costs, vec![0.25, 0.5, 0.1]);
}

#[test]
fn the_init_line_tells_the_mcp_servers_with_their_tools() {
    let mut model = ChatModel::new();
    let init = serde_json::json!({"type": "system", "subtype": "init", "session_id": "s",
        "tools": ["Bash", "mcp__fs__read", "mcp__fs__write", "mcp__web__fetch"],
        "mcp_servers": [{"name": "fs", "status": "connected"}, {"name": "web", "status": "failed"}]});
    model.apply(1, "system", &init.to_string());
    assert_eq!(
        model.mcp,
        vec![
            McpStatus {
                name: "fs".into(),
                status: "connected".into(),
                tools: vec!["read".into(), "write".into()]
            },
            McpStatus {
                name: "web".into(),
                status: "failed".into(),
                tools: vec!["fetch".into()]
            },
        ]
    );
    assert!(model.items.is_empty(), "the init line is not a chat item");
}
