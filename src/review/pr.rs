//! Pull requests on GitHub (or GitHub Enterprise): through the REST API with the project's
//! `GITHUB_TOKEN`, or through the `gh` CLI when there is no token and `gh` is installed.

use super::service::Review;
use super::types::{CheckoutKind, PullRequest};
use crate::base::error::DomainError;
use crate::git::Git;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_API: &str = "https://api.github.com";

impl Review {
    /// Pushes the branch and opens a pull request into the base; the link is kept with the
    /// worktree.
    pub async fn open_pr(
        &self,
        kind: CheckoutKind,
        id: &str,
        title: &str,
        body: &str,
    ) -> Result<PullRequest, DomainError> {
        let c = self.checkout_with_env(kind, id).await?;
        if title.trim().is_empty() {
            return Err(DomainError::Invalid("a pull request needs a title".into()));
        }
        let base = c
            .base
            .clone()
            .ok_or_else(|| DomainError::Invalid("a pull request needs a base branch".into()))?;
        let branch = super::service::push(&c, "origin").await?;
        let api = c.project.github_api_url.as_deref().unwrap_or(DEFAULT_API);
        let request = PrRequest {
            checkout: c.path(),
            branch: &branch,
            base: &base,
            title,
            body,
            api,
            env: &c.env,
        };
        let pr = open(&self.git, &self.http, request).await?;
        if let Some(w) = &c.worktree {
            let number = pr.number as i64;
            crate::worktrees::store::set_pr(&self.db, &w.id, &pr.url, number, &pr.state).await?;
        }
        Ok(pr)
    }

    /// The worktree's pull request with its state as GitHub has it now.
    pub async fn refresh_pr(
        &self,
        kind: CheckoutKind,
        id: &str,
    ) -> Result<PullRequest, DomainError> {
        let c = self.checkout_with_env(kind, id).await?;
        let Some(w) = c.worktree.as_ref().filter(|w| w.pr_url.is_some()) else {
            return Err(DomainError::NotFound(
                "no pull request was opened from this checkout".into(),
            ));
        };
        let api = c.project.github_api_url.as_deref().unwrap_or(DEFAULT_API);
        let number = w.pr_number.unwrap_or(0) as u64;
        let state = refresh(&self.git, &self.http, c.path(), api, number, &c.env).await?;
        let url = w.pr_url.clone().unwrap_or_default();
        crate::worktrees::store::set_pr(&self.db, &w.id, &url, number as i64, &state).await?;
        Ok(PullRequest { url, number, state })
    }
}

/// `owner/name` of a GitHub remote URL (https, ssh or scp-like).
pub fn repository_of(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/').trim_end_matches(".git");
    let path = if let Some(rest) = url.strip_prefix("git@") {
        rest.split_once(':')?.1.to_string()
    } else if let Some((_, rest)) = url.split_once("://") {
        rest.split_once('/')?.1.to_string()
    } else {
        return None;
    };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    (parts.len() == 2).then(|| format!("{}/{}", parts[0], parts[1]))
}

pub struct PrRequest<'a> {
    pub checkout: &'a Path,
    pub branch: &'a str,
    pub base: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub api: &'a str,
    pub env: &'a BTreeMap<String, String>,
}

/// Opens a pull request from `branch` into `base`. The repository is `GITHUB_REPOSITORY` from
/// the project's environment, else read from the `origin` remote.
pub async fn open(
    git: &Git,
    http: &reqwest::Client,
    req: PrRequest<'_>,
) -> Result<PullRequest, DomainError> {
    if req.title.trim().is_empty() {
        return Err(DomainError::Invalid("a pull request needs a title".into()));
    }
    match req.env.get("GITHUB_TOKEN").filter(|t| !t.is_empty()) {
        Some(token) => {
            let repo = repository(git, req.checkout, req.env).await?;
            let url = format!("{}/repos/{repo}/pulls", req.api.trim_end_matches('/'));
            let response = http
                .post(&url)
                .bearer_auth(token)
                .header("accept", "application/vnd.github+json")
                .header("user-agent", "flotilla")
                .json(&json!({"title": req.title, "body": req.body, "head": req.branch, "base": req.base}))
                .send()
                .await
                .map_err(|e| DomainError::Internal(format!("cannot reach {url}: {e}")))?;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if !status.is_success() {
                let detail = body["errors"][0]["message"]
                    .as_str()
                    .or(body["message"].as_str())
                    .unwrap_or("no details");
                return Err(DomainError::Conflict(format!(
                    "GitHub refused the pull request ({status}): {detail}"
                )));
            }
            Ok(PullRequest {
                url: body["html_url"].as_str().unwrap_or_default().to_string(),
                number: body["number"].as_u64().unwrap_or(0),
                state: body["state"].as_str().unwrap_or("open").to_string(),
            })
        }
        None => open_with_gh(req).await,
    }
}

async fn repository(
    git: &Git,
    checkout: &Path,
    env: &BTreeMap<String, String>,
) -> Result<String, DomainError> {
    if let Some(repo) = env.get("GITHUB_REPOSITORY").filter(|r| r.contains('/')) {
        return Ok(repo.clone());
    }
    let url = git.run(checkout, &["remote", "get-url", "origin"]).await?;
    repository_of(&url).ok_or_else(|| {
        DomainError::Invalid(format!(
            "the origin remote ({}) is not a GitHub repository URL; set GITHUB_REPOSITORY=owner/name in the project's environment",
            url.trim()
        ))
    })
}

async fn open_with_gh(req: PrRequest<'_>) -> Result<PullRequest, DomainError> {
    if crate::base::claude::resolve_executable(Path::new("gh")).is_none() {
        return Err(DomainError::Invalid(
            "to open pull requests, add a GITHUB_TOKEN (marked secret) to the project's environment, or install the gh CLI".into(),
        ));
    }
    let output = tokio::process::Command::new("gh")
        .args([
            "pr", "create", "--title", req.title, "--body", req.body, "--head", req.branch,
            "--base", req.base,
        ])
        .current_dir(req.checkout)
        .envs(req.env)
        .env("GH_PROMPT_DISABLED", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| DomainError::Internal(format!("cannot run gh: {e}")))?;
    if !output.status.success() {
        return Err(DomainError::Conflict(format!(
            "gh could not open the pull request: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let url = String::from_utf8_lossy(&output.stdout)
        .trim()
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    let number = url
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(PullRequest {
        url,
        number,
        state: "open".into(),
    })
}

/// The state of a pull request now: "open", "closed" or "merged".
pub async fn refresh(
    git: &Git,
    http: &reqwest::Client,
    checkout: &Path,
    api: &str,
    number: u64,
    env: &BTreeMap<String, String>,
) -> Result<String, DomainError> {
    let Some(token) = env.get("GITHUB_TOKEN").filter(|t| !t.is_empty()) else {
        return Err(DomainError::Invalid(
            "checking a pull request needs a GITHUB_TOKEN in the project's environment".into(),
        ));
    };
    let repo = repository(git, checkout, env).await?;
    let url = format!("{}/repos/{repo}/pulls/{number}", api.trim_end_matches('/'));
    let response = http
        .get(&url)
        .bearer_auth(token)
        .header("accept", "application/vnd.github+json")
        .header("user-agent", "flotilla")
        .send()
        .await
        .map_err(|e| DomainError::Internal(format!("cannot reach {url}: {e}")))?;
    if !response.status().is_success() {
        return Err(DomainError::Conflict(format!(
            "GitHub answered {} for pull request #{number}",
            response.status()
        )));
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    Ok(if body["merged"] == true {
        "merged".into()
    } else {
        body["state"].as_str().unwrap_or("open").to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::repository_of;

    #[test]
    fn github_remote_urls() {
        assert_eq!(
            repository_of("https://github.com/acme/app.git").as_deref(),
            Some("acme/app")
        );
        assert_eq!(
            repository_of("git@github.com:acme/app.git\n").as_deref(),
            Some("acme/app")
        );
        assert_eq!(
            repository_of("ssh://git@ghe.corp/acme/app").as_deref(),
            Some("acme/app")
        );
        assert_eq!(repository_of("/srv/git/app.git"), None);
        assert_eq!(repository_of("https://github.com/acme"), None);
    }
}
