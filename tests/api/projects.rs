//! Projects: registering, scaffolding from templates, settings, environment and secrets,
//! CLAUDE.md, deleting (files only when confirmed).

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn register_an_existing_repository_and_refuse_what_is_not_one() {
    let server = TestServer::start(&[]).await;
    let repo = server.work.path().join("app");
    init_repo(&repo);
    let (status, project) = server
        .post("/api/projects", json!({"name": "App", "path": repo}))
        .await;
    assert_eq!(status, 201, "{project}");
    assert_eq!(project["name"], "App");
    assert_eq!(
        project["path"],
        repo.canonicalize().unwrap().display().to_string()
    );
    assert_eq!(project["branch"], "main");
    assert_eq!(project["missing"], false);
    assert!(project["worktree_root"]
        .as_str()
        .unwrap()
        .starts_with(server.data_dir.path().to_str().unwrap()));

    let plain = server.work.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let expect = |(status, body): (u16, serde_json::Value), want: u16, needle: &str| {
        assert_eq!(status, want, "{body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains(needle),
            "{body}"
        );
    };
    expect(
        server
            .post("/api/projects", json!({"name": "Plain", "path": plain}))
            .await,
        422,
        "not the top folder of a git repository",
    );
    expect(
        server
            .post("/api/projects", json!({"name": "Rel", "path": "relative"}))
            .await,
        422,
        "absolute",
    );
    expect(
        server
            .post(
                "/api/projects",
                json!({"name": "Gone", "path": "/no/such/dir"}),
            )
            .await,
        422,
        "does not exist",
    );
    expect(
        server
            .post(
                "/api/projects",
                json!({"name": "Sub", "path": repo.join(".git")}),
            )
            .await,
        422,
        "not the top folder",
    );
    expect(
        server
            .post("/api/projects", json!({"name": "App", "path": repo}))
            .await,
        409,
        "exists already",
    );
    expect(
        server.post("/api/projects", json!({"name": ""})).await,
        422,
        "name is required",
    );
    expect(
        server.post("/api/projects", json!({"name": "X"})).await,
        422,
        "existing repository, or a template",
    );
    let (_, list) = server.get("/api/projects").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "nothing half-made: {list}"
    );
}

#[tokio::test]
async fn scaffold_from_a_template_with_git_init_and_a_first_commit() {
    let server = TestServer::start(&[]).await;
    let (status, templates) = server.get("/api/templates").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"rust") && names.contains(&"python") && names.contains(&"empty"),
        "{names:?}"
    );

    let dest = server.work.path().join("new-crate");
    let (status, project) = server
        .post("/api/projects", json!({"name": "New Crate", "template": "rust", "path": dest, "default_model": "sonnet"}))
        .await;
    assert_eq!(status, 201, "{project}");
    assert!(dest.join("Cargo.toml").exists());
    assert!(std::fs::read_to_string(dest.join("Cargo.toml"))
        .unwrap()
        .contains("name = \"new_crate\""));
    assert!(dest.join("CLAUDE.md").exists());
    let log = git(&dest, &["log", "--oneline"]);
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("rust template"));
    assert_eq!(
        git(&dest, &["status", "--porcelain"]),
        "",
        "everything is committed"
    );
    assert_eq!(project["default_model"], "sonnet");

    // Without a path it goes under the data directory.
    let (status, p2) = server
        .post(
            "/api/projects",
            json!({"name": "Py Tool", "template": "python"}),
        )
        .await;
    assert_eq!(status, 201, "{p2}");
    assert!(p2["path"].as_str().unwrap().contains("/projects/py-tool"));

    // A user template is a folder under <data dir>/templates.
    let t = server.data_dir.path().join("templates/site");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join("index.html"), "<h1>{{name}}</h1>").unwrap();
    let (status, p3) = server
        .post("/api/projects", json!({"name": "Site", "template": "site"}))
        .await;
    assert_eq!(status, 201, "{p3}");
    let index = std::path::Path::new(p3["path"].as_str().unwrap()).join("index.html");
    assert_eq!(std::fs::read_to_string(index).unwrap(), "<h1>site</h1>");

    // A non-empty folder is not overwritten; an unknown template is refused; nothing is left behind.
    let (status, body) = server
        .post(
            "/api/projects",
            json!({"name": "Again", "template": "rust", "path": dest}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = server
        .post(
            "/api/projects",
            json!({"name": "Nope", "template": "cobol"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(!server.data_dir.path().join("projects/nope").exists());
}

#[tokio::test]
async fn settings_env_secrets_and_claude_md() {
    let server = TestServer::start(&[]).await;
    let repo = server.work.path().join("app");
    init_repo(&repo);
    let id = id_of(
        &server
            .post("/api/projects", json!({"name": "App", "path": repo}))
            .await
            .1,
    );

    let (status, updated) = server
        .put(&format!("/api/projects/{id}"), json!({"setup_script": "echo hi", "default_permission_mode": "acceptEdits", "base_branch": "main"}))
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["setup_script"], "echo hi");
    assert_eq!(updated["default_permission_mode"], "acceptEdits");
    let (status, _) = server
        .put(
            &format!("/api/projects/{id}"),
            json!({"default_permission_mode": "yolo"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, cleared) = server
        .put(&format!("/api/projects/{id}"), json!({"setup_script": ""}))
        .await;
    assert_eq!(status, 200);
    assert!(cleared["setup_script"].is_null());

    // Environment: a secret is encrypted at rest and never shown in full.
    let secret = "ghp_supersecretvalue_9876";
    assert_eq!(
        server
            .put(
                &format!("/api/projects/{id}/env/GITHUB_TOKEN"),
                json!({"value": secret, "secret": true})
            )
            .await
            .0,
        204
    );
    assert_eq!(
        server
            .put(
                &format!("/api/projects/{id}/env/PLAIN"),
                json!({"value": "visible"})
            )
            .await
            .0,
        204
    );
    assert_eq!(
        server
            .put(
                &format!("/api/projects/{id}/env/bad-name"),
                json!({"value": "x"})
            )
            .await
            .0,
        422
    );
    let (_, env) = server.get(&format!("/api/projects/{id}/env")).await;
    assert_eq!(
        env,
        json!([
            {"name": "GITHUB_TOKEN", "value": "••••••76", "secret": true},
            {"name": "PLAIN", "value": "visible", "secret": false},
        ])
    );
    let db = std::fs::read(server.data_dir.path().join("flotilla.db")).unwrap();
    let wal = std::fs::read(server.data_dir.path().join("flotilla.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is stored in plain text"
        );
    }
    assert_eq!(
        server
            .delete(&format!("/api/projects/{id}/env/PLAIN"))
            .await
            .0,
        204
    );
    assert_eq!(
        server
            .delete(&format!("/api/projects/{id}/env/PLAIN"))
            .await
            .0,
        404
    );

    // An instance on the project gets the decrypted environment.
    let (status, instance) = server
        .post(
            "/api/instances",
            json!({"project_id": id, "prompt": "fake:bash echo token=$GITHUB_TOKEN"}),
        )
        .await;
    assert_eq!(status, 201, "{instance}");
    assert_eq!(
        instance["cwd"],
        repo.canonicalize().unwrap().display().to_string()
    );
    assert_eq!(instance["project_id"], id.as_str());
    assert_eq!(
        instance["permission_mode"], "acceptEdits",
        "the project's default applies"
    );
    let mut ws = server
        .ws(&format!("/ws/instances/{}/interact", id_of(&instance)))
        .await;
    let ask = ws
        .until("a permission request", is_permission_request)
        .await;
    let request_id = ask["data"]["request_id"].as_str().unwrap();
    ws.send(json!({"type": "permission", "request_id": request_id, "behavior": "allow"}))
        .await;
    ws.until("the result", is_result).await;
    assert!(ws
        .frames
        .iter()
        .any(|f| f["kind"] == "user" && f.to_string().contains(&format!("token={secret}"))));

    // CLAUDE.md is read and written in the main checkout.
    let (_, md) = server.get(&format!("/api/projects/{id}/claude-md")).await;
    assert_eq!(md["content"], "");
    assert_eq!(
        server
            .put(
                &format!("/api/projects/{id}/claude-md"),
                json!({"content": "# Rules\nBe nice.\n"})
            )
            .await
            .0,
        200
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("CLAUDE.md")).unwrap(),
        "# Rules\nBe nice.\n"
    );
}

#[tokio::test]
async fn deleting_a_project_keeps_its_files_unless_confirmed() {
    let server = TestServer::start(&[]).await;
    let keep = server.work.path().join("keep");
    init_repo(&keep);
    let id = id_of(
        &server
            .post("/api/projects", json!({"name": "Keep", "path": keep}))
            .await
            .1,
    );
    assert_eq!(server.delete(&format!("/api/projects/{id}")).await.0, 200);
    assert!(keep.join("README.md").exists(), "the user's files stay");
    assert_eq!(server.get(&format!("/api/projects/{id}")).await.0, 404);

    let gone = server.work.path().join("gone");
    init_repo(&gone);
    let id = id_of(
        &server
            .post("/api/projects", json!({"name": "Gone", "path": gone}))
            .await
            .1,
    );
    let (status, body) = server
        .delete(&format!("/api/projects/{id}?delete_files=true"))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("confirm"));
    let (status, _) = server
        .delete(&format!(
            "/api/projects/{id}?delete_files=true&confirm=Wrong"
        ))
        .await;
    assert_eq!(status, 422);
    assert!(gone.exists());
    let (status, _) = server
        .delete(&format!(
            "/api/projects/{id}?delete_files=true&confirm=Gone"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(!gone.exists());
}
