//! The checkout a review operation is about, found from what the request names: a worktree by
//! its id, or a project's main checkout by the project's id.

use super::service::Review;
use super::types::CheckoutKind;
use crate::base::error::DomainError;
use crate::git::Repo;
use crate::projects::store::ProjectRecord;
use crate::worktrees::store::WorktreeRecord;
use std::collections::BTreeMap;
use std::path::Path;

/// A checkout being reviewed.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub repo: Repo,
    /// The branch to compare against and rebase onto (None for a main checkout with no base
    /// configured).
    pub base: Option<String>,
    /// The project's environment, for what runs Claude, scripts or GitHub calls (empty unless
    /// asked for: it means decrypting the project's secrets).
    pub env: BTreeMap<String, String>,
    pub project: ProjectRecord,
    /// The worktree's record; None for a main checkout.
    pub worktree: Option<WorktreeRecord>,
}

impl Checkout {
    pub fn path(&self) -> &Path {
        self.repo.path()
    }

    /// The base branch, or why there is none.
    pub fn require_base(&self) -> Result<&str, DomainError> {
        self.base.as_deref().ok_or_else(|| {
            DomainError::Invalid("this checkout has no base branch to compare with".into())
        })
    }
}

impl Review {
    /// The checkout `(kind, id)` names, without its environment: most operations are git reads
    /// that the pages poll.
    pub async fn checkout(&self, kind: CheckoutKind, id: &str) -> Result<Checkout, DomainError> {
        let (project, worktree) = match kind {
            CheckoutKind::Worktree => {
                let w = self.worktrees.record(id).await?;
                (self.projects.record(&w.project_id).await?, Some(w))
            }
            CheckoutKind::MainCheckout => (self.projects.record(id).await?, None),
        };
        let (path, base) = match &worktree {
            Some(w) => (w.path.clone(), Some(w.base.clone())),
            None => (project.path.clone(), project.base_branch.clone()),
        };
        if !Path::new(&path).is_dir() {
            return Err(DomainError::Conflict(format!(
                "the checkout {path} is missing on disk"
            )));
        }
        Ok(Checkout {
            repo: self.git.repo(path),
            base,
            env: BTreeMap::new(),
            project,
            worktree,
        })
    }

    /// [`Review::checkout`] with the project's environment.
    pub async fn checkout_with_env(
        &self,
        kind: CheckoutKind,
        id: &str,
    ) -> Result<Checkout, DomainError> {
        let mut c = self.checkout(kind, id).await?;
        c.env = self.projects.env_plain(&c.project.id).await?;
        Ok(c)
    }
}

/// A path relative to a checkout, refusing anything that could leave it (absolute paths, `..`,
/// the `.git` folder).
pub fn confine_relative(path: &str) -> Result<String, DomainError> {
    use std::path::Component;
    let p = Path::new(path);
    let ok = !path.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components()
            .next()
            .is_some_and(|c| c.as_os_str() != ".git");
    if !ok {
        return Err(DomainError::Invalid(format!(
            "{path:?} is not a path inside the checkout"
        )));
    }
    Ok(path.trim_start_matches("./").to_string())
}

pub(super) fn confine_all(paths: &[String]) -> Result<Vec<String>, DomainError> {
    if paths.is_empty() {
        return Err(DomainError::Invalid("no paths given".into()));
    }
    paths.iter().map(|p| confine_relative(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_inside() {
        assert_eq!(confine_relative("src/main.rs").unwrap(), "src/main.rs");
        assert_eq!(confine_relative("./a").unwrap(), "a");
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            ".git/config",
            ".git",
        ] {
            assert!(confine_relative(bad).is_err(), "{bad}");
        }
    }
}
