//! The file explorer of a checkout: folders listed one level at a time (what .gitignore ignores
//! left out), files read and written. Every path is confined to the checkout: no absolute
//! paths, no `..`, nothing under `.git`, and no symlink that leads outside.

use super::checkout::confine_relative;
use super::service::Review;
use super::types::{CheckoutKind, DirEntry, FileContent};
use crate::base::error::DomainError;
use crate::git::Repo;
use std::path::{Path, PathBuf};

/// Files larger than this are not opened in the editor.
pub const MAX_FILE: u64 = 2 * 1024 * 1024;

/// Resolves `rel` inside `root`, refusing escapes. The target need not exist (for writes), but
/// its parent must, and both must resolve (following symlinks) to somewhere inside `root`.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, DomainError> {
    let rel = if rel.is_empty() || rel == "." {
        String::new()
    } else {
        confine_relative(rel)?
    };
    let root = root.canonicalize().map_err(|e| {
        DomainError::Internal(format!(
            "the checkout {} cannot be opened: {e}",
            root.display()
        ))
    })?;
    let joined = root.join(&rel);
    let escape = || DomainError::Invalid(format!("{rel:?} leads outside the checkout"));
    let resolved = if joined.exists() || joined.is_symlink() {
        joined.canonicalize().map_err(|_| escape())?
    } else {
        let parent = joined.parent().ok_or_else(escape)?;
        let name = joined.file_name().ok_or_else(escape)?;
        parent
            .canonicalize()
            .map_err(|_| DomainError::NotFound(format!("the folder of {rel:?} does not exist")))?
            .join(name)
    };
    if !resolved.starts_with(&root)
        || resolved
            .strip_prefix(&root)
            .is_ok_and(|r| r.starts_with(".git"))
    {
        return Err(escape());
    }
    Ok(resolved)
}

impl Review {
    /// The entries of folder `dir` of the checkout (see [`list_dir`]).
    pub async fn files(
        &self,
        kind: CheckoutKind,
        id: &str,
        dir: &str,
    ) -> Result<Vec<DirEntry>, DomainError> {
        list_dir(&self.checkout(kind, id).await?.repo, dir).await
    }

    pub async fn read_file(
        &self,
        kind: CheckoutKind,
        id: &str,
        path: String,
    ) -> Result<FileContent, DomainError> {
        let root = self.checkout(kind, id).await?.path().to_path_buf();
        off_thread(move || read_file(&root, &path)).await
    }

    pub async fn write_file(
        &self,
        kind: CheckoutKind,
        id: &str,
        path: String,
        content: String,
    ) -> Result<(), DomainError> {
        let root = self.checkout(kind, id).await?.path().to_path_buf();
        off_thread(move || write_file(&root, &path, &content)).await
    }
}

/// File system work off the async threads.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
) -> Result<T, DomainError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DomainError::Internal(format!("the file operation was interrupted: {e}")))?
}

/// The entries of folder `rel` (folders first, then files, by name), without `.git` and
/// without what .gitignore ignores.
pub async fn list_dir(repo: &Repo, rel: &str) -> Result<Vec<DirEntry>, DomainError> {
    let (root, dir) = (repo.path().to_path_buf(), rel.to_string());
    let entries = off_thread(move || entries(&root, &dir)).await?;
    let candidates = entries
        .iter()
        .map(|e| (PathBuf::from(&e.path), e.dir))
        .collect();
    let ignored = repo.ignored(candidates).await;
    let mut entries: Vec<DirEntry> = entries
        .into_iter()
        .zip(ignored)
        .filter_map(|(entry, ignored)| (!ignored).then_some(entry))
        .collect();
    entries.sort_by(|a, b| b.dir.cmp(&a.dir).then_with(|| a.name.cmp(&b.name)));
    Ok(entries)
}

/// Every entry of folder `rel` but `.git`, unsorted and unfiltered.
fn entries(root: &Path, rel: &str) -> Result<Vec<DirEntry>, DomainError> {
    let dir = resolve(root, rel)?;
    if !dir.is_dir() {
        return Err(DomainError::NotFound(format!("{rel:?} is not a folder")));
    }
    let root = root
        .canonicalize()
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let mut entries = Vec::new();
    let listing = std::fs::read_dir(&dir)
        .map_err(|e| DomainError::Internal(format!("cannot list {rel:?}: {e}")))?;
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = entry.path();
        let Ok(rel_path) = path.strip_prefix(&root) else {
            continue;
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let is_dir = meta.is_dir();
        entries.push(DirEntry {
            name,
            path: rel_path.to_string_lossy().into_owned(),
            dir: is_dir,
            size: if is_dir { 0 } else { meta.len() },
        });
    }
    Ok(entries)
}

pub fn read_file(root: &Path, rel: &str) -> Result<FileContent, DomainError> {
    let path = resolve(root, rel)?;
    let meta = std::fs::metadata(&path)
        .map_err(|_| DomainError::NotFound(format!("there is no file {rel:?}")))?;
    if !meta.is_file() {
        return Err(DomainError::Invalid(format!("{rel:?} is not a file")));
    }
    if meta.len() > MAX_FILE {
        return Ok(FileContent {
            path: rel.into(),
            content: None,
            size: meta.len(),
            binary: false,
        });
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| DomainError::Internal(format!("cannot read {rel:?}: {e}")))?;
    let binary = crate::git::diff::is_binary(&bytes);
    let content = if binary {
        None
    } else {
        String::from_utf8(bytes).ok()
    };
    Ok(FileContent {
        path: rel.into(),
        binary: binary || content.is_none(),
        content,
        size: meta.len(),
    })
}

/// Writes a file whole (a temporary file renamed over it), never half.
pub fn write_file(root: &Path, rel: &str, content: &str) -> Result<(), DomainError> {
    let path = resolve(root, rel)?;
    if path.is_dir() {
        return Err(DomainError::Invalid(format!("{rel:?} is a folder")));
    }
    if content.len() as u64 > MAX_FILE {
        return Err(DomainError::Invalid(
            "the content is larger than 2 MiB".into(),
        ));
    }
    let parent = path
        .parent()
        .ok_or_else(|| DomainError::Invalid(format!("{rel:?} has no folder")))?;
    let temp = parent.join(format!(
        ".{}.flotilla-tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let io = |e: std::io::Error| DomainError::Internal(format!("cannot write {rel:?}: {e}"));
    std::fs::write(&temp, content).map_err(io)?;
    if let Ok(meta) = std::fs::metadata(&path) {
        let _ = std::fs::set_permissions(&temp, meta.permissions());
    }
    std::fs::rename(&temp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(path: &Path) -> Repo {
        crate::git::Git::default().repo(path)
    }

    fn checkout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target/\n*.log\n").unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::create_dir_all(dir.path().join("target")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(dir.path().join("debug.log"), "x").unwrap();
        std::fs::write(dir.path().join("README.md"), "# hi\n").unwrap();
        dir
    }

    #[tokio::test]
    async fn lists_honour_gitignore_and_hide_git() {
        let dir = checkout();
        let names: Vec<String> = list_dir(&repo(dir.path()), "")
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, vec!["src", ".gitignore", "README.md"]);
        let src = list_dir(&repo(dir.path()), "src").await.unwrap();
        assert_eq!(src[0].path, "src/main.rs");
        assert!(!src[0].dir);
    }

    #[tokio::test]
    async fn reads_and_writes_inside_only() {
        let dir = checkout();
        assert_eq!(
            read_file(dir.path(), "README.md")
                .unwrap()
                .content
                .as_deref(),
            Some("# hi\n")
        );
        write_file(dir.path(), "src/lib.rs", "pub fn x() {}\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
            "pub fn x() {}\n"
        );
        for bad in [
            "../outside.txt",
            "/etc/passwd",
            "src/../../x",
            ".git/config",
            ".git",
        ] {
            assert!(read_file(dir.path(), bad).is_err(), "read {bad}");
            assert!(write_file(dir.path(), bad, "x").is_err(), "write {bad}");
        }
        assert!(list_dir(&repo(dir.path()), "..").await.is_err());
    }

    #[tokio::test]
    async fn symlinks_out_of_the_checkout_are_refused() {
        let dir = checkout();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("file-link"),
        )
        .unwrap();
        assert!(read_file(dir.path(), "link/secret.txt").is_err());
        assert!(read_file(dir.path(), "file-link").is_err());
        assert!(write_file(dir.path(), "link/new.txt", "x").is_err());
        assert!(write_file(dir.path(), "file-link", "x").is_err());
        assert!(list_dir(&repo(dir.path()), "link").await.is_err());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
            "secret"
        );
        assert!(!outside.path().join("new.txt").exists());
        // A symlink that stays inside is fine.
        std::os::unix::fs::symlink(dir.path().join("README.md"), dir.path().join("inner")).unwrap();
        assert!(read_file(dir.path(), "inner").is_ok());
    }
}
