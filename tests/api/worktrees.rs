//! Worktrees on real repositories: create (with the setup script), list, refuse to lose work,
//! forced removal, drift, cleanup, instances working in one.

use crate::support::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// A project registered on a fresh repository at `work/app`.
async fn project(server: &TestServer, settings: Value) -> (String, std::path::PathBuf) {
    let repo = server.work.path().join("app");
    init_repo(&repo);
    let (status, p) = server
        .post("/api/projects", json!({"name": "App", "path": repo}))
        .await;
    assert_eq!(status, 201, "{p}");
    let id = id_of(&p);
    if settings.as_object().is_some_and(|o| !o.is_empty()) {
        let (status, body) = server.put(&format!("/api/projects/{id}"), settings).await;
        assert_eq!(status, 200, "{body}");
    }
    (id, repo)
}

async fn wait_setup(server: &TestServer, worktree: &str) -> Value {
    for _ in 0..200 {
        let (_, w) = server.get(&format!("/api/worktrees/{worktree}")).await;
        if w["setup"]["status"] != "running" && !w["setup"].is_null() {
            return w["setup"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the setup script did not finish");
}

#[tokio::test]
async fn create_runs_setup_lists_and_removes_a_worktree() {
    let server = TestServer::start(&[]).await;
    let (project, repo) = project(
        &server,
        json!({"setup_script": "echo setting up $FLOTILLA_BRANCH; touch .setup-done; echo oops >&2"}),
    )
    .await;

    let (status, w) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "feature/one"}),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    let id = id_of(&w);
    let path = w["path"].as_str().unwrap().to_string();
    assert_eq!(w["branch"], "feature/one");
    assert_eq!(w["base"], "main");
    assert_eq!(w["dirty"], false, "a fresh checkout is clean");
    assert!(w["disk_bytes"].as_u64().unwrap() > 0, "{w}");
    assert!(Path::new(&path).join("README.md").exists());
    assert!(
        !path.starts_with(&repo.display().to_string()),
        "worktrees live outside the main checkout"
    );
    assert_eq!(
        git(Path::new(&path), &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "feature/one"
    );

    let setup = wait_setup(&server, &id).await;
    assert_eq!(setup["status"], "succeeded", "{setup}");
    assert!(
        setup["output"]
            .as_str()
            .unwrap()
            .contains("setting up feature/one"),
        "{setup}"
    );
    assert!(
        setup["output"].as_str().unwrap().contains("oops"),
        "stderr is kept too: {setup}"
    );
    assert!(Path::new(&path).join(".setup-done").exists());
    let (status, run) = server
        .get(&format!(
            "/api/script-runs/{}",
            setup["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(run["output"], setup["output"]);

    // Listed with its facts.
    let (_, list) = server
        .get(&format!("/api/worktrees?project_id={project}"))
        .await;
    let listed = list.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    for key in [
        "id",
        "project_id",
        "branch",
        "path",
        "head",
        "ahead",
        "behind",
        "dirty",
        "disk_bytes",
        "instances",
    ] {
        assert!(
            listed[0].get(key).is_some(),
            "{key} missing in {}",
            listed[0]
        );
    }
    assert_eq!(listed[0]["dirty"], true, "the setup left an untracked file");
    assert!(listed[0]["disk_bytes"].as_u64().unwrap() > 0);

    // An existing branch can be checked out; a branch already checked out cannot.
    git(&repo, &["branch", "existing"]);
    let (status, w2) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "existing"}),
        )
        .await;
    assert_eq!(status, 201, "{w2}");
    let (status, err) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "existing"}),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"], "conflict");
    let (status, err) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "bad..name"}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "x", "base": "nope"}),
        )
        .await;
    assert_eq!(status, 422);

    // Uncommitted work: refused, saying what would be lost; nothing removed.
    std::fs::write(Path::new(&path).join("notes.txt"), "unsaved\n").unwrap();
    let (status, err) = server.delete(&format!("/api/worktrees/{id}")).await;
    assert_eq!(status, 409, "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("uncommitted changes") && message.contains("notes.txt"),
        "{message}"
    );
    assert!(Path::new(&path).join("notes.txt").exists());

    // Committed but not pushed anywhere: still refused.
    commit_all(Path::new(&path), "work");
    let (status, err) = server.delete(&format!("/api/worktrees/{id}")).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap().contains("commit"), "{err}");

    // Forced: removed from disk and from git, the branch and the main checkout stay.
    let (status, _) = server
        .delete(&format!("/api/worktrees/{id}?force=true"))
        .await;
    assert_eq!(status, 200);
    assert!(!Path::new(&path).exists());
    assert!(!git(&repo, &["worktree", "list"]).contains(&path));
    assert!(git(&repo, &["branch", "--list", "feature/one"]).contains("feature/one"));
    assert!(repo.join("README.md").exists());
    assert_eq!(server.get(&format!("/api/worktrees/{id}")).await.0, 404);

    // A clean worktree with nothing unmerged goes without force.
    wait_setup(&server, &id_of(&w2)).await;
    std::fs::remove_file(Path::new(w2["path"].as_str().unwrap()).join(".setup-done")).unwrap();
    let (status, _) = server
        .delete(&format!("/api/worktrees/{}", id_of(&w2)))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_failing_setup_script_is_reported_with_its_output() {
    let server = TestServer::start(&[]).await;
    let (project, _) = project(
        &server,
        json!({"setup_script": "echo before failing; exit 3"}),
    )
    .await;
    let (status, w) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "fails"}),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    let setup = wait_setup(&server, &id_of(&w)).await;
    assert_eq!(setup["status"], "failed");
    assert_eq!(setup["exit_code"], 3);
    assert!(setup["output"].as_str().unwrap().contains("before failing"));
}

#[tokio::test]
async fn drift_and_cleanup() {
    let server = TestServer::start(&[]).await;
    let (project, repo) = project(&server, json!({})).await;
    let mut ids = Vec::new();
    for branch in ["gone", "switched", "merged", "busy", "fresh"] {
        let (status, w) = server
            .post(
                "/api/worktrees",
                json!({"project_id": project, "branch": branch}),
            )
            .await;
        assert_eq!(status, 201, "{w}");
        ids.push((id_of(&w), w["path"].as_str().unwrap().to_string()));
    }
    // Outside Flotilla: a folder deleted, a branch switched.
    std::fs::remove_dir_all(&ids[0].1).unwrap();
    git(Path::new(&ids[1].1), &["switch", "-q", "-c", "elsewhere"]);
    // "merged" has a commit that main took in.
    std::fs::write(Path::new(&ids[2].1).join("done.txt"), "done\n").unwrap();
    commit_all(Path::new(&ids[2].1), "done");
    git(&repo, &["merge", "-q", "--ff-only", "merged"]);
    // "busy" has a commit that is not in main.
    std::fs::write(Path::new(&ids[3].1).join("new.txt"), "x\n").unwrap();
    commit_all(Path::new(&ids[3].1), "busy work");

    let (_, list) = server
        .get(&format!("/api/worktrees?project_id={project}"))
        .await;
    let by_branch = |b: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|w| w["branch"] == b)
            .unwrap()
            .clone()
    };
    assert!(
        by_branch("gone")["drift"]
            .as_str()
            .unwrap()
            .contains("deleted"),
        "{list}"
    );
    assert!(
        by_branch("switched")["drift"]
            .as_str()
            .unwrap()
            .contains("elsewhere"),
        "{list}"
    );
    assert!(by_branch("merged")["drift"].is_null());
    assert_eq!(by_branch("busy")["ahead"], 1);
    assert_eq!(by_branch("merged")["merged"], true);
    assert_eq!(by_branch("busy")["merged"], false);
    assert_eq!(
        by_branch("fresh")["merged"],
        false,
        "untouched is not merged"
    );

    // A worktree made by hand shows up as external.
    let external = server.work.path().join("by-hand");
    git(
        &repo,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "by-hand",
            external.to_str().unwrap(),
        ],
    );

    let (status, cleanup) = server
        .get(&format!("/api/projects/{project}/cleanup"))
        .await;
    assert_eq!(status, 200, "{cleanup}");
    let reasons = |b: &str| -> Vec<String> {
        cleanup["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["worktree"]["branch"] == b)
            .map(|c| serde_json::from_value(c["reasons"].clone()).unwrap())
            .unwrap_or_default()
    };
    assert!(
        reasons("merged").contains(&"merged".to_string()),
        "{cleanup}"
    );
    assert!(
        !reasons("busy").contains(&"merged".to_string()),
        "{cleanup}"
    );
    let externals = cleanup["external"].as_array().unwrap();
    assert!(
        externals.iter().any(|e| e["branch"] == "by-hand"),
        "{cleanup}"
    );
    assert!(cleanup["total_disk_bytes"].as_u64().unwrap() > 0);
    // The deleted folder's metadata was pruned.
    assert!(!git(&repo, &["worktree", "list", "--porcelain"]).contains(&ids[0].1));
    // Removing the drifted one (folder gone) works and needs no force.
    assert_eq!(
        server
            .delete(&format!("/api/worktrees/{}", ids[0].0))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn an_instance_works_in_a_worktree_which_cannot_be_removed_under_it() {
    let server = TestServer::start(&[]).await;
    let (project, _) = project(&server, json!({})).await;
    let (_, w) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "agent"}),
        )
        .await;
    let worktree = id_of(&w);
    let (status, instance) = server
        .post(
            "/api/instances",
            json!({"worktree_id": worktree, "prompt": "fake:slow 1 30000", "permission_mode": "bypassPermissions"}),
        )
        .await;
    assert_eq!(status, 201, "{instance}");
    assert_eq!(instance["cwd"], w["path"]);
    assert_eq!(instance["project_id"], project.as_str());
    assert_eq!(instance["worktree_id"], worktree.as_str());
    let instance_id = id_of(&instance);
    server.wait_status(&instance_id, "running").await;

    let (_, listed) = server.get(&format!("/api/worktrees/{worktree}")).await;
    assert_eq!(listed["instances"], json!([instance_id]));
    let (status, err) = server
        .delete(&format!("/api/worktrees/{worktree}?force=true"))
        .await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap().contains("instance"));
    assert!(Path::new(w["path"].as_str().unwrap()).exists());

    // An unknown worktree is refused.
    let (status, _) = server
        .post(
            "/api/instances",
            json!({"worktree_id": "no-such-worktree", "prompt": "hi"}),
        )
        .await;
    assert_eq!(status, 404);

    // Once the instance stops, the worktree can go.
    assert_eq!(
        server
            .post(&format!("/api/instances/{instance_id}/stop"), json!({}))
            .await
            .0
            / 100,
        2
    );
    server.wait_status(&instance_id, "stopped").await;
    let (status, err) = server.delete(&format!("/api/worktrees/{worktree}")).await;
    assert_eq!(status, 200, "{err}");
}

#[tokio::test]
async fn the_run_script_runs_in_the_checkout_with_its_output_kept() {
    let server = TestServer::start(&[]).await;
    let (project, repo) = project(&server, json!({})).await;
    let (status, err) = server
        .post(&format!("/api/projects/{project}/run"), json!({}))
        .await;
    assert_eq!(status, 422, "no run script yet: {err}");
    server
        .put(
            &format!("/api/projects/{project}"),
            json!({"run_script": "echo running in $(pwd); exit 2"}),
        )
        .await;
    let (status, run) = server
        .post(&format!("/api/projects/{project}/run"), json!({}))
        .await;
    assert_eq!(status, 202, "{run}");
    let id = id_of(&run);
    for _ in 0..200 {
        let (_, r) = server.get(&format!("/api/script-runs/{id}")).await;
        if r["status"] != "running" {
            assert_eq!(r["status"], "failed");
            assert_eq!(r["exit_code"], 2);
            let expected = format!("running in {}", repo.canonicalize().unwrap().display());
            assert!(r["output"].as_str().unwrap().contains(&expected), "{r}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run script did not finish");
}
