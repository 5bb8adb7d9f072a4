//! Git figures (issue: projects and git). Run with `cargo bench --bench git` (release build):
//!
//! 1. working-tree status of a 20 000-file worktree through Flotilla (gix) vs. `git status`;
//! 2. a 10 000-line file's diff computed and serialised as the API serves it (a page of hunks);
//! 3. creating a worktree through Flotilla's service vs. `git worktree add`.
//!
//! Every figure is the median of several runs on real repositories in a temp dir. Printed, never
//! asserted. FLOTILLA_BENCH_FILES overrides the 20 000.

#[path = "../tests/support/repo.rs"]
mod repo;

use flotilla::git::types::DiffSource;
use flotilla::git::Git;
use flotilla::projects::service::Projects;
use flotilla::projects::types::CreateProject;
use flotilla::review::service::Review;
use flotilla::review::types::CheckoutKind;
use flotilla::worktrees::scripts::Scripts;
use flotilla::worktrees::service::Worktrees;
use flotilla::worktrees::types::CreateWorktree;
use repo::{commit_all, git};
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A repository of `files` small files in nested folders, committed, on `main`.
fn big_repo(dir: &Path, files: usize) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Bench"]);
    git(dir, &["config", "user.email", "bench@example.com"]);
    for i in 0..files {
        let sub = dir.join(format!("d{:02}/e{:02}", i % 50, (i / 50) % 20));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("f{i}.txt")),
            format!("file {i}\nsecond line\n"),
        )
        .unwrap();
    }
    commit_all(dir, "many files");
}

#[tokio::main]
async fn main() {
    let files: usize = std::env::var("FLOTILLA_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("repo");
    let started = Instant::now();
    big_repo(&repo, files);
    println!(
        "repository of {files} files made in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 1. Status: a few modified, deleted and untracked files.
    for i in (0..files).step_by(files / 10) {
        let path = repo.join(format!("d{:02}/e{:02}/f{i}.txt", i % 50, (i / 50) % 20));
        std::fs::write(path, "changed\n").unwrap();
    }
    for i in 0..5 {
        std::fs::write(repo.join(format!("untracked{i}.txt")), "new\n").unwrap();
    }
    let runs = 15;
    // Through the git boundary's async handle, as every caller reads a status.
    let handle = Git::default().repo(repo.clone());
    let _ = handle.status().await;
    let _ = git(&repo, &["status", "--porcelain"]);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let status = handle.status().await.expect("status");
        ours.push(t.elapsed());
        assert_eq!(status.unstaged.len(), 10);
        let t = Instant::now();
        let _ = git(&repo, &["status", "--porcelain"]);
        theirs.push(t.elapsed());
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "status of {files} files: flotilla (gix) {} vs git status {} — ratio {:.2}x (goal <= 1.2x)",
        ms(ours),
        ms(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );

    // The services, as the server builds them, with the repository registered as a project.
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = flotilla::base::db::open(&data.join("flotilla.db"))
        .await
        .expect("db");
    let secrets = flotilla::base::secrets::SecretBox::open(&data).expect("secrets");
    let projects = Projects::new(db.clone(), Git::default(), data.clone(), secrets);
    let worktrees = Worktrees::new(db.clone(), projects.clone(), Scripts::new(db.clone()));
    let project = projects
        .create(CreateProject {
            name: "bench".into(),
            path: Some(repo.display().to_string()),
            ..Default::default()
        })
        .await
        .expect("project");
    let review = Review::new(
        db.clone(),
        projects.clone(),
        worktrees.clone(),
        reqwest::Client::new(),
        "claude".into(),
        tmp.path().into(),
    );

    // 2. A 10 000-line diff: every 20th line changed (500 hunks), and a new 10 000-line file,
    // through the review service (the checkout found from the project id, as the API does).
    let text: String = (0..10_000)
        .map(|i| format!("line number {i} of a long file\n"))
        .collect();
    std::fs::write(repo.join("big.txt"), &text).unwrap();
    git(&repo, &["add", "big.txt"]);
    git(&repo, &["commit", "-q", "-m", "big"]);
    let changed: String = (0..10_000)
        .map(|i| {
            if i % 20 == 0 {
                format!("changed line {i}\n")
            } else {
                format!("line number {i} of a long file\n")
            }
        })
        .collect();
    std::fs::write(repo.join("big.txt"), changed).unwrap();
    std::fs::write(repo.join("new-big.txt"), &text).unwrap();
    for (name, file) in [
        ("500 hunks, one page of 200", "big.txt"),
        ("one 10 000-line hunk", "new-big.txt"),
    ] {
        let mut samples = Vec::new();
        let mut bytes = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let diff = review
                .diff(
                    CheckoutKind::MainCheckout,
                    &project.id,
                    file,
                    None,
                    DiffSource::Unstaged,
                    0,
                )
                .await
                .expect("diff");
            bytes = serde_json::to_vec(&diff).expect("json").len();
            samples.push(t.elapsed());
        }
        println!(
            "10 000-line diff ({name}): {} computed and serialised ({} KB of JSON; goal <= 50 ms)",
            ms(median(samples)),
            bytes / 1024
        );
    }

    // 3. Worktree creation: Flotilla's service (checks, git worktree add, record) vs. the CLI.
    git(&repo, &["checkout", "-q", "--", "."]);
    git(&repo, &["clean", "-qfd"]);
    let creations = 5;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for i in 0..creations {
        let t = Instant::now();
        worktrees
            .create(CreateWorktree {
                project_id: project.id.clone(),
                branch: format!("ours-{i}"),
                ..Default::default()
            })
            .await
            .expect("worktree");
        ours.push(t.elapsed());
        let path = tmp.path().join(format!("cli-{i}"));
        let t = Instant::now();
        git(
            &repo,
            &[
                "worktree",
                "add",
                "-q",
                "-b",
                &format!("cli-{i}"),
                path.to_str().unwrap(),
                "main",
            ],
        );
        theirs.push(t.elapsed());
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!(
        "worktree creation ({files} files): flotilla {} vs git worktree add {} — ratio {:.2}x",
        ms(ours),
        ms(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}
