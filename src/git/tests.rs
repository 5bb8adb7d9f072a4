//! The git boundary against real repositories in temporary directories.

use super::diff::file_diff;
use super::read;
use super::types::{ChangeKind, FileChange};
use super::Git;
use std::path::Path;

/// A repository with one commit on `main`, and an identity for commits.
pub async fn repo_with_commit(dir: &Path) -> Git {
    let git = Git::default();
    git.run(dir, &["init", "-q", "-b", "main"]).await.unwrap();
    git.run(dir, &["config", "user.name", "Test"])
        .await
        .unwrap();
    git.run(dir, &["config", "user.email", "test@example.com"])
        .await
        .unwrap();
    std::fs::write(dir.join("a.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(
        dir.join("old.txt"),
        "a file that will be renamed\nwith two lines\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git.run(dir, &["add", "-A"]).await.unwrap();
    git.run(dir, &["commit", "-q", "-m", "first"])
        .await
        .unwrap();
    git
}

fn change(path: &str, kind: ChangeKind) -> FileChange {
    FileChange {
        path: path.into(),
        old_path: None,
        kind,
    }
}

#[tokio::test]
async fn status_sees_staged_unstaged_untracked_renamed_and_ignores_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = repo_with_commit(root).await;
    // Staged: a new file and a rename. Unstaged: a modification. Untracked: a file; ignored: target/.
    std::fs::write(root.join("new.txt"), "new\n").unwrap();
    git.run(root, &["add", "new.txt"]).await.unwrap();
    git.run(root, &["mv", "old.txt", "renamed.txt"])
        .await
        .unwrap();
    std::fs::write(root.join("a.txt"), "one\nTWO\nthree\n").unwrap();
    std::fs::write(root.join("loose.txt"), "?\n").unwrap();
    std::fs::create_dir(root.join("target")).unwrap();
    std::fs::write(root.join("target/out.o"), "ignored").unwrap();
    std::fs::write(root.join("blob.bin"), [0u8, 1, 2, 3, 255]).unwrap();

    let root_buf = root.to_path_buf();
    let status = tokio::task::spawn_blocking(move || read::status(&root_buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.branch.as_deref(), Some("main"));
    assert!(status.head.is_some());
    assert!(
        status
            .staged
            .contains(&change("new.txt", ChangeKind::Added)),
        "{status:?}"
    );
    assert!(
        status.staged.contains(&FileChange {
            path: "renamed.txt".into(),
            old_path: Some("old.txt".into()),
            kind: ChangeKind::Renamed
        }),
        "{status:?}"
    );
    assert_eq!(status.unstaged, vec![change("a.txt", ChangeKind::Modified)]);
    assert_eq!(
        status.untracked,
        vec!["blob.bin".to_string(), "loose.txt".to_string()]
    );
    assert!(!status.is_clean());
    // git agrees.
    let short = git.run(root, &["status", "--short"]).await.unwrap();
    assert!(short.contains("R  old.txt -> renamed.txt"), "{short}");
    assert!(!short.contains("target"));
}

#[tokio::test]
async fn blobs_and_diffs_of_each_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = repo_with_commit(root).await;
    std::fs::write(root.join("a.txt"), "one\ntwo\nthree\nfour\n").unwrap();
    git.run(root, &["add", "a.txt"]).await.unwrap();
    std::fs::write(root.join("a.txt"), "zero\none\ntwo\nthree\nfour\n").unwrap();
    let repo = read::open(root).unwrap();
    let head = read::head_id(&repo).unwrap().unwrap();
    let committed = read::blob_at(&repo, head, "a.txt").unwrap().unwrap();
    let staged = read::blob_in_index(&repo, "a.txt").unwrap().unwrap();
    let worktree = std::fs::read(root.join("a.txt")).unwrap();
    assert_eq!(committed, b"one\ntwo\nthree\n");
    assert_eq!(staged, b"one\ntwo\nthree\nfour\n");
    assert!(read::blob_at(&repo, head, "missing.txt").unwrap().is_none());
    let staged_diff = file_diff("a.txt", None, &committed, &staged, 0, 10);
    assert_eq!((staged_diff.added, staged_diff.removed), (1, 0));
    let unstaged_diff = file_diff("a.txt", None, &staged, &worktree, 0, 10);
    assert_eq!(unstaged_diff.hunks[0].lines[0].text, "zero");
}

#[tokio::test]
async fn branches_ahead_behind_and_log() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = repo_with_commit(root).await;
    git.run(root, &["switch", "-q", "-c", "feature"])
        .await
        .unwrap();
    for n in 1..=3 {
        std::fs::write(root.join(format!("f{n}.txt")), "x").unwrap();
        git.run(root, &["add", "-A"]).await.unwrap();
        git.run(root, &["commit", "-q", "-m", &format!("feature {n}")])
            .await
            .unwrap();
    }
    git.run(root, &["switch", "-q", "main"]).await.unwrap();
    std::fs::write(root.join("m.txt"), "m").unwrap();
    git.run(root, &["add", "-A"]).await.unwrap();
    git.run(root, &["commit", "-q", "-m", "on main"])
        .await
        .unwrap();

    let names: Vec<(String, bool)> = read::branches(root)
        .unwrap()
        .into_iter()
        .map(|b| (b.name, b.current))
        .collect();
    assert_eq!(
        names,
        vec![("feature".to_string(), false), ("main".to_string(), true)]
    );
    assert_eq!(read::ahead_behind(root, "feature", "main").unwrap(), (3, 1));
    let log = read::log(root, "feature", 2).unwrap();
    assert_eq!(
        log.iter().map(|c| c.summary.as_str()).collect::<Vec<_>>(),
        vec!["feature 3", "feature 2"]
    );
    assert_eq!(log[0].author, "Test");
    assert!(read::resolve(&read::open(root).unwrap(), "nope").is_err());
}

#[tokio::test]
async fn linked_worktrees_open_and_report_their_branch() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main");
    std::fs::create_dir(&main).unwrap();
    let git = repo_with_commit(&main).await;
    let linked = dir.path().join("linked");
    git.run(
        &main,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "wt",
            linked.to_str().unwrap(),
        ],
    )
    .await
    .unwrap();
    assert!(read::is_work_tree(&linked));
    assert!(read::is_work_tree(&main));
    assert!(!read::is_work_tree(&linked.join("..")));
    let status = read::status(&linked).unwrap();
    assert_eq!(status.branch.as_deref(), Some("wt"));
    assert!(status.is_clean(), "{status:?}");
}
