//! Sessions that move and combine: export on one machine, import on another and continue it with
//! the real CLI; merge two sessions into a new one; the family tree of forks and merges.

use crate::support::TestServer;
use serde_json::{json, Value};

/// Waits until the index lists session `sid` with a reply.
async fn indexed(server: &TestServer, sid: &str) {
    server
        .get_until(&format!("/api/sessions/{sid}"), |s| {
            s["session"]["api_messages"].as_u64() >= Some(1)
        })
        .await;
}

/// Runs one turn in a new instance and returns (instance id, session id).
async fn one_turn(server: &TestServer, prompt: &str) -> (String, String) {
    let instance = server.create(json!({"prompt": prompt})).await;
    let id = instance["id"].as_str().unwrap().to_string();
    let idle = server.wait_status(&id, "idle").await;
    let sid = idle["session_id"].as_str().unwrap().to_string();
    indexed(server, &sid).await;
    (id, sid)
}

async fn import(
    server: &TestServer,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let res = server
        .http
        .post(format!("{}/api/sessions/import{query}", server.url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every file under the claude home's transcripts folder.
fn transcript_files(server: &TestServer) -> Vec<String> {
    let root = server.home.path().join(".claude/projects");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            out.push(f.path().display().to_string());
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn an_exported_session_imported_elsewhere_is_continued_by_the_cli() {
    let a = TestServer::start(&[]).await;
    let (_, sid) = one_turn(&a, "remember the word avocado").await;
    let exported = a
        .http
        .get(format!("{}/api/sessions/{sid}/export?format=jsonl", a.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();

    // Another machine: its own claude home and folders.
    let b = TestServer::start(&[]).await;
    let before = transcript_files(&b);
    for (query, content_type, body, status, says) in [
        (
            "",
            "application/json",
            exported.clone(),
            400,
            "application/x-ndjson",
        ),
        (
            "",
            "application/x-ndjson",
            b"not json\n".to_vec(),
            422,
            "line 1",
        ),
        (
            "?cwd=relative/dir",
            "application/x-ndjson",
            exported.clone(),
            422,
            "not a folder",
        ),
        (
            "?cwd=/no/such/folder",
            "application/x-ndjson",
            exported.clone(),
            422,
            "not a folder",
        ),
    ] {
        let (got, body) = import(&b, query, content_type, body).await;
        assert_eq!(got, status, "{query} {content_type}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{message}");
    }
    // A transcript naming a folder that is not on this machine needs one chosen.
    let elsewhere = String::from_utf8(exported.clone())
        .unwrap()
        .replace(&a.dir(), "/home/someone-else/project");
    let (got, body) = import(&b, "", "application/x-ndjson", elsewhere.into_bytes()).await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(
        transcript_files(&b),
        before,
        "nothing written by a refused import"
    );

    let query = format!("?cwd={}", b.dir());
    let (status, imported) = import(&b, &query, "application/x-ndjson", exported.clone()).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["session_id"], sid.as_str());
    assert_eq!(imported["cwd"], b.dir());
    let (status, detail) = b.get(&format!("/api/sessions/{sid}")).await;
    assert_eq!(
        status, 200,
        "listed as soon as the import answers: {detail}"
    );
    assert_eq!(detail["session"]["cwd"], b.dir());
    assert_eq!(detail["session"]["title"], "remember the word avocado");
    let (status, again) = import(&b, &query, "application/x-ndjson", exported).await;
    assert_eq!(status, 409, "{again}");

    // Resumed there, the real CLI continues it: its next request carries the imported history.
    let (status, instance) = b
        .post(&format!("/api/sessions/{sid}/resume"), json!({}))
        .await;
    assert_eq!(status, 200, "{instance}");
    let iid = instance["id"].as_str().unwrap();
    let (status, _) = b
        .post(
            &format!("/api/instances/{iid}/query"),
            json!({"prompt": "which word was it?"}),
        )
        .await;
    assert_eq!(status, 202);
    b.request_with(&["remember the word avocado", "which word was it?"])
        .await;
    let idle = b.wait_status(iid, "idle").await;
    assert_eq!(idle["session_id"], sid.as_str());
}

#[tokio::test]
async fn two_sessions_merge_into_a_new_one_and_the_family_tree_shows_forks_and_merges() {
    let server = TestServer::start(&[]).await;
    let (_, sa) = one_turn(&server, "plan alpha: use a queue").await;
    let (_, sb) = one_turn(&server, "plan beta: use a lock").await;

    for (body, status) in [
        (json!({"sessions": [sa]}), 422),
        (json!({"sessions": [sa, sa]}), 422),
        (
            json!({"sessions": [sa, "00000000-0000-4000-8000-000000000000"]}),
            404,
        ),
        (json!({"sessions": [sa, sb], "colour": "red"}), 400),
    ] {
        let (got, answer) = server.post("/api/sessions/merge", body.clone()).await;
        assert!(
            got == status || (status == 400 && got == 422),
            "{body}: {got} {answer}"
        );
        assert!(answer["message"].is_string(), "{answer}");
    }

    let (status, merged) = server
        .post(
            "/api/sessions/merge",
            json!({"sessions": [sa, sb], "instruction": "Keep the queue."}),
        )
        .await;
    assert_eq!(status, 201, "{merged}");
    assert!(
        merged["name"]
            .as_str()
            .unwrap()
            .starts_with("Merge: plan alpha"),
        "{merged}"
    );
    let sm = merged["session_id"].as_str().unwrap().to_string();
    assert!(sm != sa && sm != sb);
    // Its first request carries both sessions' summaries, then the instruction.
    let request = server
        .request_with(&[
            "## Session A: plan alpha: use a queue",
            "## Session B: plan beta: use a lock",
        ])
        .await;
    let text = request.to_string();
    assert!(
        text.contains(&format!("Session id: {sa}")) && text.contains(&format!("Session id: {sb}"))
    );
    assert!(
        text.contains("Hello from fake API"),
        "each summary has Claude's reply: {text}"
    );
    assert!(
        text.contains("## What to do now\\n\\nKeep the queue."),
        "{text}"
    );
    server
        .wait_status(merged["id"].as_str().unwrap(), "idle")
        .await;
    indexed(&server, &sm).await;

    // A fork of A too: the family of A holds A, B, the merge and the fork.
    let (_, detail) = server.get(&format!("/api/sessions/{sa}")).await;
    let prompt = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["prompt"] == true)
        .unwrap()["uuid"]
        .clone();
    let (status, fork) = server
        .post(&format!("/api/sessions/{sa}/fork"), json!({"at": prompt}))
        .await;
    assert_eq!(status, 201, "{fork}");
    let sf = fork["session_id"].as_str().unwrap().to_string();

    let (_, detail) = server.get(&format!("/api/sessions/{sm}")).await;
    let family = detail["family"].as_array().unwrap();
    let member = |id: &str| {
        family
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {family:?}"))
    };
    let parents = |id: &str| -> Vec<(String, String)> {
        member(id)["parents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["parent_id"].as_str().unwrap().to_string(),
                    p["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(family.len(), 4, "{family:?}");
    assert_eq!(
        parents(&sm),
        vec![(sa.clone(), "merge".into()), (sb.clone(), "merge".into())]
    );
    assert_eq!(parents(&sf), vec![(sa.clone(), "fork".into())]);
    assert_eq!(member(&sf)["parents"][0]["at_uuid"], prompt);
    assert!(parents(&sa).is_empty() && parents(&sb).is_empty());
    assert_eq!(member(&sa)["title"], "plan alpha: use a queue");
    // B belongs to the same family, seen from its own page.
    let (_, b) = server.get(&format!("/api/sessions/{sb}")).await;
    assert_eq!(b["family"].as_array().unwrap().len(), 4, "{b}");
}

#[tokio::test]
async fn a_fork_made_with_the_cli_joins_its_parents_family_and_costs_nothing_twice() {
    let server = TestServer::start(&[]).await;
    let (_, parent) = one_turn(&server, "first: sketch the parser").await;
    let (_, before) = server.get(&format!("/api/sessions/{parent}")).await;

    // In a terminal, outside Flotilla: `claude --resume <parent> --fork-session`.
    // (tokio's Command: the fake API answers on this test's runtime, which must not block.)
    let out = tokio::process::Command::new(crate::support::claude_bin())
        .args(["-p", "then: test it", "--output-format", "json"])
        .args(["--resume", &parent, "--fork-session"])
        .current_dir(server.work.path())
        .env("HOME", server.home.path())
        .envs(server.fake.claude_env())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run claude");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "claude printed {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let fork = answer["session_id"].as_str().unwrap().to_string();
    assert_ne!(fork, parent, "--fork-session writes a new session");
    indexed(&server, &fork).await;

    let (_, detail) = server.get(&format!("/api/sessions/{fork}")).await;
    let family = detail["family"].as_array().unwrap();
    assert_eq!(family.len(), 2, "{family:?}");
    let child = family.iter().find(|m| m["id"] == fork.as_str()).unwrap();
    assert_eq!(child["parents"][0]["parent_id"], parent.as_str(), "{child}");
    assert_eq!(child["parents"][0]["kind"], "fork");
    // Titled by its own first prompt, not the parent's it repeats.
    assert_eq!(child["title"], "then: test it");
    assert_eq!(detail["session"]["title"], "then: test it");
    // Seen from the parent too.
    let (_, after) = server.get(&format!("/api/sessions/{parent}")).await;
    assert_eq!(after["family"].as_array().unwrap().len(), 2, "{after}");
    // The copied history counts for the parent only: its figures did not change, and the fork
    // has just its own reply.
    assert_eq!(
        after["session"]["api_messages"],
        before["session"]["api_messages"]
    );
    assert_eq!(
        after["session"]["tokens"], before["session"]["tokens"],
        "{after}"
    );
    assert_eq!(detail["session"]["api_messages"], 1, "{detail}");
}
