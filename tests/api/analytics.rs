//! Analytics through the API: totals against figures worked out by hand, a synthetic history's
//! exact per-day totals, the CLI's own cost for a session Flotilla ran, CSV, and bad input.

use crate::support::{init_repo, transcripts, TestServer};
use serde_json::{json, Value};

/// Writes a transcript as the CLI does: a prompt, then one API message written as two lines.
fn terminal_session(
    server: &TestServer,
    id: &str,
    cwd: &str,
    day: &str,
    model: &str,
    usage: Value,
) {
    let common = json!({"cwd": cwd, "sessionId": id, "version": "2.1.331", "gitBranch": "main", "isSidechain": false});
    let msg = json!({"id": format!("msg_{id}"), "type": "message", "role": "assistant", "model": model, "usage": usage});
    let with = |mut v: Value| {
        for (k, val) in common.as_object().unwrap() {
            v[k] = val.clone();
        }
        v.to_string()
    };
    let mut reply = msg.clone();
    reply["content"] = json!([{"type": "text", "text": "Done."}]);
    let lines = [
        with(
            json!({"type": "user", "message": {"role": "user", "content": format!("work in {cwd}")},
            "uuid": format!("{id}-u1"), "parentUuid": null, "timestamp": format!("{day}T10:00:00.000Z")}),
        ),
        with(
            json!({"type": "assistant", "message": reply.clone(), "requestId": format!("req_{id}"),
            "uuid": format!("{id}-a1"), "parentUuid": format!("{id}-u1"), "timestamp": format!("{day}T10:00:01.000Z")}),
        ),
        with(
            json!({"type": "assistant", "message": reply, "requestId": format!("req_{id}"),
            "uuid": format!("{id}-a2"), "parentUuid": format!("{id}-a1"), "timestamp": format!("{day}T10:00:02.000Z")}),
        ),
    ];
    let dir = server
        .home
        .path()
        .join(".claude/projects")
        .join(flotilla::base::claude::escape_project_dir(cwd));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.jsonl")), lines.join("\n") + "\n").unwrap();
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

const P: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const Q: &str = "aaaaaaaa-0000-4000-8000-000000000002";

#[tokio::test]
async fn totals_by_day_model_and_project_match_figures_worked_out_by_hand() {
    let server = TestServer::start(&[]).await;
    init_repo(server.work.path());
    let (status, project) = server
        .post(
            "/api/projects",
            json!({"name": "shop", "path": server.dir()}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let pid = project["id"].as_str().unwrap().to_string();
    // P, in the project, on Nov 20: 1M input tokens of Sonnet = $3.00 (its message is written
    // twice and counts once). Q, elsewhere, on Nov 21: 100k output tokens of Opus 4 = $7.50.
    terminal_session(
        &server,
        P,
        &server.dir(),
        "2026-11-20",
        "claude-sonnet-4-20250514",
        json!({"input_tokens": 1_000_000, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
    );
    terminal_session(
        &server,
        Q,
        "/home/dev/elsewhere",
        "2026-11-21",
        "claude-opus-4-20250514",
        json!({"input_tokens": 0, "output_tokens": 100_000, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}),
    );

    let range = "from=2026-11-19&to=2026-11-22";
    let r = server
        .get_until(&format!("/api/analytics?{range}"), |r| r["sessions"] == 2)
        .await;
    assert!(close(&r["totals"]["cost_usd"], 10.5), "{r}");
    assert_eq!(r["totals"]["input_tokens"], 1_000_000);
    assert_eq!(r["totals"]["output_tokens"], 100_000);
    assert_eq!(
        r["totals"]["messages"], 2,
        "one message written twice counts once"
    );
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("2026-11-19"), Some("2026-11-22"))
    );
    let days: Vec<(String, f64)> = r["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["usage"]["cost_usd"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-11-19".into(), 0.0),
            ("2026-11-20".into(), 3.0),
            ("2026-11-21".into(), 7.5),
            ("2026-11-22".into(), 0.0)
        ]
    );
    let models = r["models"].as_array().unwrap();
    assert_eq!(models[0]["model"], "claude-opus-4-20250514");
    assert!(
        close(&models[0]["usage"]["cost_usd"], 7.5) && close(&models[1]["usage"]["cost_usd"], 3.0)
    );
    let projects = r["projects"].as_array().unwrap();
    assert_eq!(
        (
            projects[0]["name"].as_str(),
            projects[0]["project_id"].clone()
        ),
        (Some("No project"), Value::Null)
    );
    assert_eq!(
        (
            projects[1]["name"].as_str(),
            projects[1]["project_id"].as_str()
        ),
        (Some("shop"), Some(pid.as_str()))
    );
    assert!(close(&projects[1]["usage"]["cost_usd"], 3.0));
    assert_eq!(r["top_sessions"][0]["id"], Q);
    assert_eq!(
        r["sessions_cost_from_cli"], 0,
        "terminal sessions without cost-state: price table"
    );
    assert_eq!(r["windows"].as_array().unwrap().len(), 2);

    // One project.
    let (_, mine) = server
        .get(&format!("/api/analytics?{range}&project={pid}"))
        .await;
    assert!(close(&mine["totals"]["cost_usd"], 3.0), "{mine}");
    assert_eq!(mine["sessions"], 1);

    // CSV: the same numbers.
    let res = server
        .http
        .get(format!(
            "{}/api/analytics/csv?table=daily&{range}",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"flotilla-daily-2026-11-19-2026-11-22.csv\""
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert_eq!(lines[2], "2026-11-20,3.000000,1000000,0,0,0,1");
    assert_eq!(lines[3], "2026-11-21,7.500000,0,100000,0,0,1");

    // Bad input: a JSON error, nothing else.
    for (query, status) in [
        ("/api/analytics?from=2026-13-01", 422),
        ("/api/analytics?from=2026-11-22&to=2026-11-01", 422),
        ("/api/analytics?days=0", 422),
        ("/api/analytics?days=7&from=2026-11-01", 422),
        ("/api/analytics?project=nope", 404),
        ("/api/analytics?colour=red", 400),
        ("/api/analytics/csv?table=nope", 422),
        ("/api/analytics/csv", 400),
    ] {
        let (got, body) = server.get(query).await;
        assert_eq!(got, status, "{query}: {body}");
        assert!(
            body["error"].is_string() && body["message"].is_string(),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn a_session_flotilla_ran_counts_at_the_clis_own_cost() {
    let server = TestServer::start(&[]).await;
    let instance = server.create(json!({"prompt": "count my cost"})).await;
    let id = instance["id"].as_str().unwrap();
    let idle = server.wait_status(id, "idle").await;
    let reported = idle["cost_usd"].as_f64().unwrap();
    assert!(reported > 0.0);
    let r = server
        .get_until("/api/analytics?days=1", |r| {
            r["sessions"] == 1 && r["totals"]["messages"].as_u64() >= Some(1)
        })
        .await;
    assert_eq!(r["sessions_cost_from_cli"], 1, "{r}");
    assert!(
        close(&r["totals"]["cost_usd"], reported),
        "{r} vs {reported}"
    );
    assert!(close(&r["top_sessions"][0]["usage"]["cost_usd"], reported));
    // The open 5-hour window holds it.
    let five = &r["windows"][0];
    assert_eq!(five["name"], "5h");
    assert_eq!(five["active"], true, "{five}");
    assert!(close(&five["usage"]["cost_usd"], reported));
    assert!(five["resets_in_ms"].as_u64().unwrap() <= 5 * 3_600_000);
}

#[tokio::test]
async fn a_synthetic_historys_days_add_up_to_its_expected_totals_exactly() {
    let server = TestServer::start(&[]).await;
    let projects = server.home.path().join(".claude/projects");
    let expected = transcripts::generate(&projects, 2 << 20, 5);
    let r = server
        .get_until("/api/analytics?from=2026-11-01&to=2026-11-30", |r| {
            r["partial"] == false
                && r["totals"]["messages"].as_u64() == Some(expected.total.messages)
        })
        .await;
    assert_eq!(r["totals"]["input_tokens"], expected.total.input);
    assert_eq!(r["totals"]["output_tokens"], expected.total.output);
    assert_eq!(
        r["totals"]["cache_creation_tokens"],
        expected.total.cache_creation
    );
    assert_eq!(r["totals"]["cache_read_tokens"], expected.total.cache_read);
    // Costs: the CLI's own total for the sessions with a cost-state line, else the price table.
    assert!(!expected.cli_costs.is_empty());
    let want_cost = expected.reported_cost_by_day();
    let cost = r["totals"]["cost_usd"].as_f64().unwrap();
    let want_total: f64 = want_cost.values().sum();
    assert!((cost - want_total).abs() < 1e-6, "{cost} vs {want_total}");
    for d in r["daily"].as_array().unwrap() {
        let day = d["day"].as_str().unwrap();
        let want = expected.by_day.get(day).copied().unwrap_or_default();
        assert_eq!(d["usage"]["input_tokens"], want.input, "{day}");
        assert_eq!(d["usage"]["messages"], want.messages, "{day}");
        let got = d["usage"]["cost_usd"].as_f64().unwrap();
        let want = want_cost.get(day).copied().unwrap_or(0.0);
        assert!((got - want).abs() < 1e-6, "{day}: {got} vs {want}");
    }
}
