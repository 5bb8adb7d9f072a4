//! The session index through the API: transcripts the real CLI wrote, a synthetic history with
//! known totals, filters, bad input, and a session that outlives its instance.

use crate::support::{init_repo, transcripts, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn a_real_session_is_listed_with_its_cost_and_outlives_its_instance() {
    let server = TestServer::start(&[]).await;
    init_repo(server.work.path());
    let (status, project) = server
        .post(
            "/api/projects",
            json!({"name": "indexed", "path": server.dir()}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let instance = server
        .create(json!({"prompt": "Index this conversation\nplease", "project_id": project["id"]}))
        .await;
    let id = instance["id"].as_str().unwrap();
    let idle = server.wait_status(id, "idle").await;
    let session_id = idle["session_id"].as_str().unwrap().to_string();

    let page = server
        .get_until("/api/sessions", |p| {
            p["items"].as_array().is_some_and(|items| {
                items.iter().any(|s| {
                    s["id"] == session_id.as_str() && s["api_messages"].as_u64() >= Some(1)
                })
            })
        })
        .await;
    let s = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(s["title"], "Index this conversation");
    assert_eq!(s["project_id"], project["id"]);
    assert_eq!(s["project_name"], "indexed");
    assert_eq!(s["cwd"], server.dir());
    assert_eq!(s["prompts"], 1);
    assert!(
        s["input_tokens"].as_u64().unwrap() > 0 && s["output_tokens"].as_u64().unwrap() > 0,
        "{s}"
    );
    // The CLI's own figure, the one the instance reported too.
    assert_eq!(s["cost_from_cli"], true, "{s}");
    let (listed, reported) = (
        s["cost_usd"].as_f64().unwrap(),
        idle["cost_usd"].as_f64().unwrap(),
    );
    assert!(
        listed > 0.0 && (listed - reported).abs() < 1e-9,
        "{listed} vs {reported}"
    );
    assert!(
        page["index"]["ready"] == true && page["index"]["files"].as_u64() >= Some(1),
        "{page}"
    );

    // Filters.
    let (_, found) = server.get("/api/sessions?q=INDEX%20conversation").await;
    assert_eq!(found["total"], 1, "{found}");
    // Any line of any prompt, not only the title.
    let (_, found) = server.get("/api/sessions?q=PLEASE").await;
    assert_eq!(found["total"], 1, "{found}");
    let cost = s["cost_usd"].as_f64().unwrap();
    for (query, total) in [
        (format!("min_cost={}", cost / 2.0), 1),
        (format!("min_cost={}", cost * 2.0), 0),
        (format!("max_cost={}", cost / 2.0), 0),
    ] {
        let (_, page) = server.get(&format!("/api/sessions?{query}")).await;
        assert_eq!(page["total"], total, "{query}: {page}");
    }
    let (_, none) = server.get("/api/sessions?q=nothing-like-this").await;
    assert_eq!(
        (none["total"].clone(), none["items"].clone()),
        (json!(0), json!([]))
    );
    let (_, by_project) = server
        .get(&format!(
            "/api/sessions?project={}",
            project["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_project["total"], 1);
    let day = s["ended_at"].as_str().unwrap()[..10].to_string();
    let (_, on_day) = server
        .get(&format!("/api/sessions?from={day}&to={day}"))
        .await;
    assert_eq!(on_day["total"], 1);
    let (_, before) = server.get("/api/sessions?to=2000-01-01").await;
    assert_eq!(before["total"], 0);

    // Bad input: a JSON error, nothing else.
    for (query, status) in [
        ("limit=0", 422),
        ("limit=201", 422),
        ("from=yesterday", 422),
        ("min_cost=-1", 422),
        ("max_cost=lots", 400),
        ("project=nope", 404),
        ("colour=red", 400),
    ] {
        let (got, body) = server.get(&format!("/api/sessions?{query}")).await;
        assert_eq!(got, status, "{query}: {body}");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{query}: {body}"
        );
    }

    // Export: the transcript as it is on disk, and as Markdown.
    let base = format!("{}/api/sessions/{session_id}/export", server.url);
    let res = server
        .http
        .get(format!("{base}?format=jsonl"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"{session_id}.jsonl\"").as_str()
    );
    let on_disk = std::fs::read(
        server
            .home
            .path()
            .join(".claude/projects")
            .join(flotilla::base::claude::escape_project_dir(&server.dir()))
            .join(format!("{session_id}.jsonl")),
    )
    .unwrap();
    let exported = res.bytes().await.unwrap();
    assert!(
        exported.len() <= on_disk.len() && on_disk.starts_with(&exported),
        "the exported transcript is the file as it was"
    );
    let md = server
        .http
        .get(format!("{base}?format=markdown"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md.starts_with("# Index this conversation\n"), "{md}");
    assert!(md.contains(&format!("- Session: `{session_id}`")), "{md}");
    assert!(md.contains("Index this conversation\nplease"), "{md}");
    assert!(md.contains("## Claude · "), "{md}");
    for (query, status) in [
        (format!("{session_id}/export?format=pdf"), 422),
        (format!("{session_id}/export"), 400),
        (
            "00000000-0000-4000-8000-000000000000/export?format=jsonl".into(),
            404,
        ),
    ] {
        let (got, body) = server.get(&format!("/api/sessions/{query}")).await;
        assert_eq!(got, status, "{query}: {body}");
        assert!(body["message"].is_string(), "{query}: {body}");
    }

    // Deleting the instance keeps its session.
    let (status, _) = server.delete(&format!("/api/instances/{id}")).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (_, after) = server.get("/api/sessions").await;
    let kept = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == session_id.as_str())
        .cloned();
    let kept = kept.unwrap_or_else(|| panic!("the session outlives its instance: {after}"));
    assert_eq!(kept["cost_usd"], s["cost_usd"], "and so does its cost");
}

#[tokio::test]
async fn a_synthetic_history_gives_its_exact_totals_and_an_append_shows_up() {
    let server = TestServer::start(&[]).await;
    let projects = server.home.path().join(".claude/projects");
    let expected = transcripts::generate(&projects, 4 << 20, 42);
    let page = server
        .get_until("/api/sessions?limit=200", |p| {
            p["index"]["ready"] == true && p["total"].as_u64() == Some(expected.sessions)
        })
        .await;
    assert_eq!(page["index"]["malformed_lines"], expected.malformed_lines);
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let (_, p) = server
            .get(&format!("/api/sessions?limit=200&offset={offset}"))
            .await;
        let items = p["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        offset += items.len();
        all.extend(items);
    }
    assert_eq!(all.len() as u64, expected.sessions);
    let sum = |k: &str| all.iter().map(|s| s[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(
        (
            sum("input_tokens"),
            sum("output_tokens"),
            sum("cache_creation_tokens"),
            sum("cache_read_tokens"),
            sum("api_messages")
        ),
        (
            expected.total.input,
            expected.total.output,
            expected.total.cache_creation,
            expected.total.cache_read,
            expected.total.messages
        )
    );
    // Newest activity first.
    let ends: Vec<&str> = all
        .iter()
        .map(|s| s["ended_at"].as_str().unwrap())
        .collect();
    assert!(ends.windows(2).all(|w| w[0] >= w[1]));
    let (_, sonnet) = server.get("/api/sessions?model=sonnet&limit=1").await;
    assert!(
        sonnet["total"].as_u64().unwrap() >= 1
            && sonnet["items"][0]["models"].to_string().contains("sonnet")
    );

    let (id, totals) = transcripts::append_session(&projects, 4242);
    let page = server
        .get_until("/api/sessions?q=appended", |p| p["total"] == 1)
        .await;
    assert_eq!(page["items"][0]["id"], id.as_str());
    assert_eq!(page["items"][0]["input_tokens"], totals.input);
}

#[tokio::test]
async fn a_session_shows_its_tree_resumes_and_forks_at_a_message() {
    let server = TestServer::start(&[]).await;
    let instance = server
        .create(json!({"prompt": "first question about forks"}))
        .await;
    let id = instance["id"].as_str().unwrap().to_string();
    let idle = server.wait_status(&id, "idle").await;
    let sid = idle["session_id"].as_str().unwrap().to_string();
    server
        .get_until("/api/sessions", |p| {
            p["items"].as_array().is_some_and(|i| {
                i.iter()
                    .any(|s| s["id"] == sid.as_str() && s["api_messages"].as_u64() >= Some(1))
            })
        })
        .await;

    // The tree: the prompt (replayed as the stdin frame the engine records), then the reply.
    let (status, detail) = server.get(&format!("/api/sessions/{sid}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["session"]["id"], sid.as_str());
    let messages = detail["messages"].as_array().unwrap();
    let prompt = messages
        .iter()
        .find(|m| m["prompt"] == true)
        .unwrap_or_else(|| panic!("a prompt: {detail}"));
    assert_eq!(prompt["summary"], "first question about forks");
    assert_eq!(prompt["frame_kind"], "stdin");
    assert_eq!(prompt["parent_uuid"], Value::Null);
    assert!(
        messages
            .iter()
            .any(|m| m["frame_kind"] == "assistant" && m["on_path"] == true),
        "{detail}"
    );
    let (status, _) = server.get("/api/sessions/no-such-session").await;
    assert_eq!(status, 404);

    // Resume while its instance is live: that instance.
    let (status, resumed) = server
        .post(&format!("/api/sessions/{sid}/resume"), json!({}))
        .await;
    assert_eq!(
        (status, resumed["id"].as_str()),
        (200, Some(id.as_str())),
        "{resumed}"
    );

    // Fork at the prompt: a new session holding the conversation up to there, in a new instance.
    let at = prompt["uuid"].as_str().unwrap();
    let (status, forked) = server
        .post(&format!("/api/sessions/{sid}/fork"), json!({"at": at}))
        .await;
    assert_eq!(status, 201, "{forked}");
    let fork_sid = forked["session_id"].as_str().unwrap().to_string();
    assert_ne!(fork_sid, sid);
    let dir = server
        .home
        .path()
        .join(".claude/projects")
        .join(flotilla::base::claude::escape_project_dir(&server.dir()));
    let copy = std::fs::read_to_string(dir.join(format!("{fork_sid}.jsonl"))).unwrap();
    let kinds: Vec<Value> = copy
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("uuid").is_some())
        .map(|v| v["type"].clone())
        .collect();
    assert_eq!(kinds.first(), Some(&json!("user")), "{copy}");
    assert!(
        !kinds.contains(&json!("assistant")),
        "nothing after the fork point: {copy}"
    );
    // The real CLI continues the copy: its next request carries the forked history.
    let fork_id = forked["id"].as_str().unwrap().to_string();
    let (status, _) = server
        .post(
            &format!("/api/instances/{fork_id}/query"),
            json!({"prompt": "second question on the fork"}),
        )
        .await;
    assert_eq!(status, 202);
    // The real CLI's next request carries the history.
    server
        .request_with(&["first question about forks", "second question on the fork"])
        .await;
    let fork_idle = server.wait_status(&fork_id, "idle").await;
    assert_eq!(
        fork_idle["session_id"],
        fork_sid.as_str(),
        "the fork keeps its id"
    );

    // Bad input.
    let (status, body) = server
        .post(&format!("/api/sessions/{sid}/fork"), json!({"at": "nope"}))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = server
        .post(
            &format!("/api/sessions/{sid}/fork"),
            json!({"colour": "red"}),
        )
        .await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert!(body["message"].is_string(), "{body}");

    // Once its instance is gone, resume starts a new one on the same session.
    let (status, _) = server.delete(&format!("/api/instances/{id}")).await;
    assert_eq!(status, 200);
    let (status, again) = server
        .post(&format!("/api/sessions/{sid}/resume"), json!({}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_ne!(again["id"], id.as_str());
    assert_eq!(again["session_id"], sid.as_str());
    let again_id = again["id"].as_str().unwrap();
    let (status, _) = server
        .post(
            &format!("/api/instances/{again_id}/query"),
            json!({"prompt": "third question, resumed"}),
        )
        .await;
    assert_eq!(status, 202);
    // The real CLI's next request carries the history.
    server
        .request_with(&["first question about forks", "third question, resumed"])
        .await;
}
