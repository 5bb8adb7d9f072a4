//! Review and ship on real repositories: status and diffs, staging, commits (with a message drafted
//! by the real `claude` CLI against the fake API), branches, rebase with a conflict, push to a
//! local bare remote, pull requests against a fake GitHub, and the explorer's path confinement.

use crate::support::fake_github::FakeGitHub;
use crate::support::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A project on a fresh repository and one worktree on branch `work`: (project, worktree, its path, main path).
async fn setup(server: &TestServer) -> (String, String, PathBuf, PathBuf) {
    let repo = server.work.path().join("app");
    init_repo(&repo);
    std::fs::write(
        repo.join("old-name.txt"),
        "a file that will be renamed\nwith two lines\n",
    )
    .unwrap();
    std::fs::write(repo.join("image.bin"), [0u8, 1, 2, 3, 0, 255]).unwrap();
    commit_all(&repo, "more files");
    let (_, p) = server
        .post("/api/projects", json!({"name": "App", "path": repo}))
        .await;
    let project = id_of(&p);
    let (status, w) = server
        .post(
            "/api/worktrees",
            json!({"project_id": project, "branch": "work"}),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    let path = PathBuf::from(w["path"].as_str().unwrap());
    (project, id_of(&w), path, repo)
}

fn paths(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c.as_str()
                .map(String::from)
                .unwrap_or_else(|| c["path"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn status_and_diffs_of_every_kind_of_change() {
    let server = TestServer::start(&[]).await;
    let (_, wt, dir, _) = setup(&server).await;
    let base = format!("/api/worktrees/{wt}");

    std::fs::write(dir.join("README.md"), "# demo\n\nline two changed\n").unwrap(); // unstaged
    std::fs::write(dir.join("staged.txt"), "new and staged\n").unwrap();
    git(&dir, &["add", "staged.txt"]);
    git(&dir, &["mv", "old-name.txt", "new-name.txt"]); // staged rename
    std::fs::write(dir.join("image.bin"), [9u8, 0, 8, 7]).unwrap(); // binary, unstaged
    std::fs::write(dir.join("untracked.txt"), "nobody added me\n").unwrap();
    std::fs::create_dir_all(dir.join("target")).unwrap();
    std::fs::write(dir.join("target/ignored.o"), "ignored").unwrap();

    let (status, st) = server.get(&format!("{base}/status")).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["branch"], "work");
    assert_eq!(paths(&st["staged"]), ["new-name.txt", "staged.txt"], "{st}");
    let renamed = &st["staged"][0];
    assert_eq!(renamed["kind"], "renamed");
    assert_eq!(renamed["old_path"], "old-name.txt");
    assert_eq!(st["staged"][1]["kind"], "added");
    assert_eq!(paths(&st["unstaged"]), ["README.md", "image.bin"], "{st}");
    assert_eq!(
        paths(&st["untracked"]),
        ["untracked.txt"],
        "ignored files are left out: {st}"
    );

    // Unstaged text diff, with line numbers.
    let (status, d) = server
        .get(&format!("{base}/diff?path=README.md&source=unstaged"))
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        (d["added"].as_u64(), d["removed"].as_u64()),
        (Some(1), Some(1))
    );
    let lines = d["hunks"][0]["lines"].as_array().unwrap();
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "removed" && l["text"] == "line two" && l["old_no"] == 3));
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "added" && l["text"] == "line two changed" && l["new_no"] == 3));
    // Staged new file; untracked file against nothing; binary flagged, no lines.
    let (_, d) = server
        .get(&format!("{base}/diff?path=staged.txt&source=staged"))
        .await;
    assert_eq!(d["added"], 1);
    let (_, d) = server
        .get(&format!("{base}/diff?path=untracked.txt&source=unstaged"))
        .await;
    assert_eq!(d["added"], 1);
    let (_, d) = server
        .get(&format!("{base}/diff?path=image.bin&source=unstaged"))
        .await;
    assert_eq!(d["binary"], true);
    assert_eq!(d["hunks"], json!([]));
    // A rename with no content change has no lines.
    let (_, d) = server
        .get(&format!(
            "{base}/diff?path=new-name.txt&old_path=old-name.txt&source=staged"
        ))
        .await;
    assert_eq!(
        (d["added"].as_u64(), d["removed"].as_u64()),
        (Some(0), Some(0)),
        "{d}"
    );

    // Stage and unstage move files between the lists.
    let (status, st) = server
        .post(
            &format!("{base}/stage"),
            json!({"paths": ["README.md", "untracked.txt"]}),
        )
        .await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(
        paths(&st["staged"]),
        ["README.md", "new-name.txt", "staged.txt", "untracked.txt"]
    );
    let (_, st) = server
        .post(&format!("{base}/unstage"), json!({"paths": ["staged.txt"]}))
        .await;
    assert_eq!(paths(&st["untracked"]), ["staged.txt"]);
    let (status, err) = server
        .post(&format!("{base}/stage"), json!({"paths": ["../outside"]}))
        .await;
    assert_eq!(status, 422, "{err}");

    // Against the base: committed work shows up too.
    commit_all(&dir, "everything");
    let (_, changes) = server.get(&format!("{base}/changes")).await;
    let changed = paths(&changes);
    for p in [
        "README.md",
        "image.bin",
        "new-name.txt",
        "staged.txt",
        "untracked.txt",
    ] {
        assert!(changed.contains(&p.to_string()), "{p} missing in {changes}");
    }
    let (_, d) = server
        .get(&format!("{base}/diff?path=README.md&source=base"))
        .await;
    assert_eq!(d["added"], 1);
}

#[tokio::test]
async fn large_diffs_are_paginated() {
    let server = TestServer::start(&[]).await;
    let (_, wt, dir, _) = setup(&server).await;
    let text: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(dir.join("big.txt"), &text).unwrap();
    commit_all(&dir, "big");
    let changed: String = (0..10_000)
        .map(|i| {
            if i % 20 == 0 {
                format!("changed {i}\n")
            } else {
                format!("line {i}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("big.txt"), changed).unwrap();
    let (status, first) = server
        .get(&format!(
            "/api/worktrees/{wt}/diff?path=big.txt&source=unstaged"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(first["total_hunks"], 500);
    assert_eq!(first["removed"], 500, "the totals count the whole file");
    let shown = first["hunks"].as_array().unwrap().len();
    assert!(shown > 0 && shown < 500, "one page, not all: {shown}");
    let (_, second) = server
        .get(&format!(
            "/api/worktrees/{wt}/diff?path=big.txt&source=unstaged&page=1"
        ))
        .await;
    assert_eq!(second["first_hunk"].as_u64(), Some(shown as u64));
}

#[tokio::test]
async fn commit_with_a_message_drafted_by_claude() {
    let server = TestServer::start(&[]).await;
    let (_, wt, dir, _) = setup(&server).await;
    let base = format!("/api/worktrees/{wt}");
    let (status, err) = server
        .post(&format!("{base}/draft-message"), json!({}))
        .await;
    assert_eq!(status, 409, "nothing staged: {err}");

    std::fs::write(dir.join("feature.rs"), "fn distinctive_feature_name() {}\n").unwrap();
    server
        .post(&format!("{base}/stage"), json!({"paths": ["feature.rs"]}))
        .await;
    let (status, draft) = server
        .post(&format!("{base}/draft-message"), json!({}))
        .await;
    assert_eq!(status, 200, "{draft}");
    let message = draft["message"].as_str().unwrap();
    assert!(message.starts_with("Hello from fake API"), "{message}");
    let asked = server.fake.requests();
    assert!(
        asked
            .iter()
            .any(|r| r.to_string().contains("distinctive_feature_name")),
        "claude was given the staged diff"
    );

    let (status, err) = server
        .post(&format!("{base}/commit"), json!({"message": "  "}))
        .await;
    assert_eq!(status, 422, "{err}");
    let edited = format!("Add the distinctive feature\n\n{message}");
    let (status, commit) = server
        .post(&format!("{base}/commit"), json!({"message": edited}))
        .await;
    assert_eq!(status, 201, "{commit}");
    assert_eq!(commit["summary"], "Add the distinctive feature");
    assert_eq!(
        git(&dir, &["log", "-1", "--format=%B"]).trim(),
        edited.trim()
    );
    let (_, st) = server.get(&format!("{base}/status")).await;
    assert_eq!(st["staged"], json!([]));

    // A plain commit that stages the paths it names.
    std::fs::write(dir.join("second.txt"), "two\n").unwrap();
    let (status, _) = server
        .post(
            &format!("{base}/commit"),
            json!({"message": "Second", "paths": ["second.txt"]}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, log) = server.get(&format!("{base}/log")).await;
    let summaries: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(&summaries[..2], ["Second", "Add the distinctive feature"]);
    let (status, err) = server
        .post(&format!("{base}/commit"), json!({"message": "Nothing"}))
        .await;
    assert_eq!(status / 100, 4, "nothing to commit: {err}");
}

#[tokio::test]
async fn branches_and_a_rebase_that_conflicts_is_undone() {
    let server = TestServer::start(&[]).await;
    let (project, wt, dir, repo) = setup(&server).await;
    let base = format!("/api/worktrees/{wt}");

    // Create, list, delete merged; an unmerged branch is kept.
    assert_eq!(
        server
            .post(&format!("{base}/branches"), json!({"name": "side"}))
            .await
            .0,
        201
    );
    assert_eq!(
        server
            .post(&format!("{base}/branches"), json!({"name": "side"}))
            .await
            .0
            / 100,
        4
    );
    assert_eq!(
        server
            .post(&format!("{base}/branches"), json!({"name": "-bad"}))
            .await
            .0,
        422
    );
    let (_, branches) = server.get(&format!("{base}/branches")).await;
    let names: Vec<&str> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"main") && names.contains(&"side") && names.contains(&"work"),
        "{branches}"
    );
    assert_eq!(server.delete(&format!("{base}/branches/side")).await.0, 204);
    git(&repo, &["branch", "unmerged"]);
    git(&repo, &["switch", "-q", "unmerged"]);
    std::fs::write(repo.join("u.txt"), "u\n").unwrap();
    commit_all(&repo, "unmerged work");
    git(&repo, &["switch", "-q", "main"]);
    let (status, err) = server
        .delete(&format!("/api/projects/{project}/branches/unmerged"))
        .await;
    assert_eq!(status, 409, "{err}");

    // Switch the main checkout (the right checkout) to another branch and back.
    let (status, st) = server
        .post(
            &format!("/api/projects/{project}/switch"),
            json!({"branch": "unmerged"}),
        )
        .await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(
        git(&repo, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "unmerged"
    );
    assert_eq!(
        git(&dir, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "work",
        "the worktree did not move"
    );
    server
        .post(
            &format!("/api/projects/{project}/switch"),
            json!({"branch": "main"}),
        )
        .await;

    // Both sides change the same line: the rebase stops, is reported, and is undone.
    std::fs::write(dir.join("README.md"), "# demo\n\nline two from work\n").unwrap();
    commit_all(&dir, "work side");
    std::fs::write(repo.join("README.md"), "# demo\n\nline two from main\n").unwrap();
    commit_all(&repo, "main side");
    let head_before = git(&dir, &["rev-parse", "HEAD"]);
    let (status, err) = server
        .post(&format!("{base}/sync"), json!({"strategy": "rebase"}))
        .await;
    assert_eq!(status, 409, "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("README.md") && message.contains("conflict"),
        "{message}"
    );
    assert_eq!(
        git(&dir, &["rev-parse", "HEAD"]),
        head_before,
        "the branch is as it was"
    );
    let state = git(&dir, &["status"]);
    assert!(
        !state.contains("rebase in progress") && !state.contains("Unmerged"),
        "{state}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "# demo\n\nline two from work\n"
    );

    // Without a conflict it rebases.
    git(&dir, &["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(dir.join("other.txt"), "no conflict\n").unwrap();
    commit_all(&dir, "work side again");
    let (status, done) = server
        .post(&format!("{base}/sync"), json!({"strategy": "rebase"}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["result"], "rebased");
    let (_, w) = server.get(&format!("/api/worktrees/{wt}")).await;
    assert_eq!(
        (w["ahead"].as_u64(), w["behind"].as_u64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn push_to_a_bare_remote_and_open_a_pull_request() {
    let server = TestServer::start(&[]).await;
    let (project, wt, dir, repo) = setup(&server).await;
    let base = format!("/api/worktrees/{wt}");
    let token = "ghs_fake_token_for_tests";
    let github = FakeGitHub::start(token).await;

    let (status, err) = server.post(&format!("{base}/push"), json!({})).await;
    assert_eq!(status, 409, "no remote yet: {err}");

    let remote = server.work.path().join("remote.git");
    git(
        server.work.path(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    git(
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    git(&repo, &["push", "-q", "origin", "main"]);
    std::fs::write(dir.join("shipped.txt"), "ship it\n").unwrap();
    commit_all(&dir, "Ship it");
    let (status, pushed) = server.post(&format!("{base}/push"), json!({})).await;
    assert_eq!(status, 200, "{pushed}");
    assert_eq!(
        git(&remote, &["rev-parse", "work"]),
        git(&dir, &["rev-parse", "HEAD"])
    );

    // The PR goes to the configured API with the project's secret token.
    server
        .put(
            &format!("/api/projects/{project}"),
            json!({"github_api_url": github.url}),
        )
        .await;
    server
        .put(
            &format!("/api/projects/{project}/env/GITHUB_TOKEN"),
            json!({"value": token, "secret": true}),
        )
        .await;
    server
        .put(
            &format!("/api/projects/{project}/env/GITHUB_REPOSITORY"),
            json!({"value": "acme/app"}),
        )
        .await;
    let (status, pr) = server
        .post(
            &format!("{base}/pr"),
            json!({"title": "Ship it", "body": "Please review"}),
        )
        .await;
    assert_eq!(status, 201, "{pr}");
    assert_eq!(pr["url"], "https://github.example/acme/app/pull/1");
    assert_eq!(pr["state"], "open");
    let requests = github.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0, format!("Bearer {token}"));
    assert_eq!(requests[0].1["head"], "work");
    assert_eq!(requests[0].1["base"], "main");
    assert_eq!(requests[0].1["title"], "Ship it");

    // Stored with the worktree; its state refreshed from GitHub.
    let (_, w) = server.get(&format!("/api/worktrees/{wt}")).await;
    assert_eq!(w["pr"]["url"], pr["url"]);
    github.merge(1);
    let (status, refreshed) = server.get(&format!("{base}/pr")).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(refreshed["state"], "merged");

    // A wrong token is reported, not swallowed.
    server
        .put(
            &format!("/api/projects/{project}/env/GITHUB_TOKEN"),
            json!({"value": "wrong", "secret": true}),
        )
        .await;
    let (status, err) = server
        .post(&format!("{base}/pr"), json!({"title": "Again"}))
        .await;
    assert_eq!(status / 100, 4, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("Bad credentials"),
        "{err}"
    );
}

#[tokio::test]
async fn the_explorer_stays_inside_the_worktree() {
    let server = TestServer::start(&[]).await;
    let (_, wt, dir, _) = setup(&server).await;
    let base = format!("/api/worktrees/{wt}");
    std::fs::create_dir_all(dir.join("src/deep")).unwrap();
    std::fs::write(dir.join("src/deep/a.rs"), "fn a() {}\n").unwrap();
    std::fs::create_dir_all(dir.join("target")).unwrap();
    std::fs::write(dir.join("target/junk"), "x").unwrap();
    let outside = server.work.path().join("secret.txt");
    std::fs::write(&outside, "top secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("escape.txt")).unwrap();
    std::os::unix::fs::symlink(server.work.path(), dir.join("escape-dir")).unwrap();

    let (status, root) = server.get(&format!("{base}/files")).await;
    assert_eq!(status, 200, "{root}");
    let names: Vec<&str> = root
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"src") && names.contains(&"README.md"),
        "{root}"
    );
    assert!(
        !names.contains(&"target"),
        "ignored folders are left out: {root}"
    );
    assert!(!names.contains(&".git"), "{root}");
    // Lazy: one level at a time.
    let (_, src) = server.get(&format!("{base}/files?dir=src")).await;
    assert_eq!(src[0]["path"], "src/deep");
    assert_eq!(src[0]["dir"], true);

    let (status, file) = server.get(&format!("{base}/file?path=src/deep/a.rs")).await;
    assert_eq!(status, 200);
    assert_eq!(file["content"], "fn a() {}\n");
    let (status, _) = server
        .put(
            &format!("{base}/file?path=src/deep/a.rs"),
            json!({"content": "fn b() {}\n"}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        std::fs::read_to_string(dir.join("src/deep/a.rs")).unwrap(),
        "fn b() {}\n"
    );

    for bad in [
        "../secret.txt",
        "src/../../secret.txt",
        "/etc/passwd",
        "escape.txt",
        "escape-dir/secret.txt",
    ] {
        let (status, err) = server
            .get(&format!("{base}/file?path={}", urlencoding(bad)))
            .await;
        assert_eq!(status, 422, "{bad}: {err}");
        assert!(!err.to_string().contains("top secret"));
        let (status, _) = server
            .put(
                &format!("{base}/file?path={}", urlencoding(bad)),
                json!({"content": "pwned"}),
            )
            .await;
        assert_eq!(status, 422, "writing {bad}");
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "top secret\n");
    let (status, _) = server.get(&format!("{base}/files?dir=escape-dir")).await;
    assert_eq!(status, 422);
    let (status, _) = server.get(&format!("{base}/files?dir=..")).await;
    assert_eq!(status, 422);
    assert!(Path::new(&outside).exists());
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
