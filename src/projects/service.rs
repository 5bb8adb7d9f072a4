//! Projects on the server: registering and scaffolding repositories, their settings, their
//! environment (secrets encrypted) and their CLAUDE.md.

use super::store::{self, EnvRecord, ProjectRecord};
use super::templates;
use super::types::{
    validate_env_name, validate_project_name, CreateProject, EnvVar, Project, SetEnvVar, Template,
    UpdateProject,
};
use crate::base::clock::{format_ts, now_ms};
use crate::base::db::Db;
use crate::base::error::DomainError;
use crate::base::secrets::{mask, SecretBox};
use crate::git::Git;
use crate::instances::types::{validate_model, validate_permission_mode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The projects of this installation. Cheap to clone.
#[derive(Clone)]
pub struct Projects {
    db: Db,
    git: Git,
    data_dir: PathBuf,
    secrets: SecretBox,
}

impl Projects {
    pub fn new(db: Db, git: Git, data_dir: PathBuf, secrets: SecretBox) -> Self {
        Projects {
            db,
            git,
            data_dir,
            secrets,
        }
    }

    pub fn git(&self) -> &Git {
        &self.git
    }

    pub fn templates(&self) -> Vec<Template> {
        templates::list(&self.data_dir)
    }

    /// Registers an existing repository (`path` given, no template) or scaffolds a new one.
    pub async fn create(&self, mut req: CreateProject) -> Result<Project, DomainError> {
        if req.name.trim().is_empty() {
            // A registered repository is named after its folder unless told otherwise.
            if let Some(folder) = req
                .path
                .as_deref()
                .and_then(|p| Path::new(p.trim()).file_name())
            {
                req.name = folder.to_string_lossy().into_owned();
            }
        }
        validate_project_name(&req.name).map_err(DomainError::Invalid)?;
        if let Some(m) = &req.default_model {
            validate_model(m).map_err(DomainError::Invalid)?;
        }
        if let Some(m) = &req.default_permission_mode {
            validate_permission_mode(m).map_err(DomainError::Invalid)?;
        }
        let name = req.name.trim().to_string();
        let path = match &req.template {
            None => {
                let Some(path) = req.path.as_deref().filter(|p| !p.trim().is_empty()) else {
                    return Err(DomainError::Invalid(
                        "give the path of an existing repository, or a template to start from"
                            .into(),
                    ));
                };
                self.existing_repository(path).await?
            }
            Some(template) => self.scaffold(&name, template, req.path.as_deref()).await?,
        };
        let now = now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let record = ProjectRecord {
            worktree_root: self
                .data_dir
                .join("worktrees")
                .join(format!("{}-{}", super::types::slug(&name), &id[..8]))
                .display()
                .to_string(),
            id,
            name,
            path: path.display().to_string(),
            default_model: req.default_model,
            default_permission_mode: req.default_permission_mode,
            setup_script: None,
            run_script: None,
            base_branch: None,
            github_api_url: None,
            created_at: now,
            updated_at: now,
        };
        store::insert(&self.db, &record)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    DomainError::Conflict(format!(
                        "a project with the name {:?} or the path {} exists already",
                        record.name, record.path
                    ))
                }
                other => other.into(),
            })?;
        Ok(self.project(record).await)
    }

    /// Checks that `path` is the top of a git working tree; returns it canonical.
    async fn existing_repository(&self, path: &str) -> Result<PathBuf, DomainError> {
        if !path.starts_with('/') {
            return Err(DomainError::Invalid(format!(
                "path must be absolute, got {path:?}"
            )));
        }
        let canonical = std::fs::canonicalize(path)
            .map_err(|_| DomainError::Invalid(format!("{path} does not exist")))?;
        let is_repo = self.git.repo(canonical.clone()).is_work_tree().await;
        if !is_repo {
            return Err(DomainError::Invalid(format!(
                "{path} is not the top folder of a git repository (run `git init` there, or pick a template)"
            )));
        }
        Ok(canonical)
    }

    /// Writes a template into a new folder, then `git init` and a first commit.
    async fn scaffold(
        &self,
        name: &str,
        template: &str,
        path: Option<&str>,
    ) -> Result<PathBuf, DomainError> {
        if !self.templates().iter().any(|t| t.name == template) {
            return Err(DomainError::Invalid(format!(
                "there is no template {template:?}"
            )));
        }
        let dest = match path.filter(|p| !p.trim().is_empty()) {
            Some(p) if !p.starts_with('/') => {
                return Err(DomainError::Invalid(format!(
                    "path must be absolute, got {p:?}"
                )))
            }
            Some(p) => PathBuf::from(p),
            None => self
                .data_dir
                .join("projects")
                .join(super::types::slug(name)),
        };
        let io = |e: std::io::Error| {
            DomainError::Internal(format!("cannot create {}: {e}", dest.display()))
        };
        if dest.exists() {
            let empty = std::fs::read_dir(&dest).map_err(io)?.next().is_none();
            if !empty {
                return Err(DomainError::Conflict(format!(
                    "{} exists and is not empty; pick another path, or register it as an existing repository",
                    dest.display()
                )));
            }
        }
        std::fs::create_dir_all(&dest).map_err(io)?;
        let result = self.init_with_template(name, template, &dest).await;
        if result.is_err() {
            // Nothing half-made stays behind.
            let _ = std::fs::remove_dir_all(&dest);
        }
        result?;
        std::fs::canonicalize(&dest).map_err(io)
    }

    async fn init_with_template(
        &self,
        name: &str,
        template: &str,
        dest: &Path,
    ) -> Result<(), DomainError> {
        templates::scaffold(&self.data_dir, template, name, dest)?;
        self.git.run(dest, &["init", "-q", "-b", "main"]).await?;
        self.git.run(dest, &["add", "-A"]).await?;
        let message = format!("Start {name} from the {template} template");
        let mut args = vec![];
        // Without a configured identity git refuses to commit; the first commit says who made it.
        if self.git.run(dest, &["config", "user.email"]).await.is_err() {
            args.extend([
                "-c",
                "user.name=Flotilla",
                "-c",
                "user.email=flotilla@localhost",
            ]);
        }
        args.extend(["commit", "-q", "-m", &message]);
        self.git.run(dest, &args).await?;
        Ok(())
    }

    /// A record with what is read live from the repository added.
    async fn project(&self, r: ProjectRecord) -> Project {
        let (branch, missing) = match self.git.repo(&r.path).head().await {
            Ok(head) => (head.branch, false),
            Err(_) => (None, true),
        };
        Project {
            id: r.id,
            name: r.name,
            path: r.path,
            default_model: r.default_model,
            default_permission_mode: r.default_permission_mode,
            worktree_root: r.worktree_root,
            setup_script: r.setup_script,
            run_script: r.run_script,
            base_branch: r.base_branch,
            github_api_url: r.github_api_url,
            created_at: format_ts(r.created_at),
            updated_at: format_ts(r.updated_at),
            branch,
            missing,
        }
    }

    pub async fn list(&self) -> Result<Vec<Project>, DomainError> {
        let mut projects = Vec::new();
        for r in store::all(&self.db).await? {
            projects.push(self.project(r).await);
        }
        Ok(projects)
    }

    /// Every project as stored (no git reads).
    pub async fn records(&self) -> Result<Vec<ProjectRecord>, DomainError> {
        Ok(store::all(&self.db).await?)
    }

    pub async fn record(&self, id: &str) -> Result<ProjectRecord, DomainError> {
        store::get(&self.db, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no project {id}")))
    }

    pub async fn get(&self, id: &str) -> Result<Project, DomainError> {
        Ok(self.project(self.record(id).await?).await)
    }

    pub async fn update(&self, id: &str, req: UpdateProject) -> Result<Project, DomainError> {
        let mut r = self.record(id).await?;
        // An empty string clears an optional setting.
        let set = |field: &mut Option<String>, value: Option<String>| {
            if let Some(v) = value {
                *field = Some(v).filter(|v| !v.trim().is_empty());
            }
        };
        if let Some(name) = req.name {
            validate_project_name(&name).map_err(DomainError::Invalid)?;
            r.name = name.trim().to_string();
        }
        if let Some(m) = req.default_model.as_deref().filter(|m| !m.is_empty()) {
            validate_model(m).map_err(DomainError::Invalid)?;
        }
        if let Some(m) = req
            .default_permission_mode
            .as_deref()
            .filter(|m| !m.is_empty())
        {
            validate_permission_mode(m).map_err(DomainError::Invalid)?;
        }
        if let Some(b) = req.base_branch.as_deref().filter(|b| !b.is_empty()) {
            crate::git::types::validate_branch_name(b).map_err(DomainError::Invalid)?;
        }
        if let Some(url) = req.github_api_url.as_deref().filter(|u| !u.is_empty()) {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(DomainError::Invalid(format!(
                    "github_api_url must be an http(s) URL, got {url:?}"
                )));
            }
        }
        if let Some(root) = req.worktree_root {
            if !root.starts_with('/') {
                return Err(DomainError::Invalid(format!(
                    "worktree_root must be an absolute path, got {root:?}"
                )));
            }
            r.worktree_root = root;
        }
        set(&mut r.default_model, req.default_model);
        set(&mut r.default_permission_mode, req.default_permission_mode);
        set(&mut r.setup_script, req.setup_script);
        set(&mut r.run_script, req.run_script);
        set(&mut r.base_branch, req.base_branch);
        set(&mut r.github_api_url, req.github_api_url);
        r.updated_at = now_ms();
        store::update(&self.db, &r).await.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                DomainError::Conflict(format!("a project named {:?} exists already", r.name))
            }
            other => other.into(),
        })?;
        Ok(self.project(r).await)
    }

    /// Forgets the project. With `delete_files`, also deletes its folder and its worktrees'
    /// folders — only when `confirm` repeats the project's name.
    pub async fn delete(
        &self,
        id: &str,
        delete_files: bool,
        confirm: Option<&str>,
        worktree_paths: &[String],
    ) -> Result<Project, DomainError> {
        let project = self.get(id).await?;
        if delete_files {
            if confirm != Some(project.name.as_str()) {
                return Err(DomainError::Invalid(format!(
                    "deleting the files of {0:?} needs confirm={0:?}: they cannot be brought back",
                    project.name
                )));
            }
            let path = PathBuf::from(&project.path);
            let home = std::env::var_os("HOME").map(PathBuf::from);
            if path.parent().is_none()
                || Some(&path) == home.as_ref()
                || self.data_dir.starts_with(&path)
            {
                return Err(DomainError::Invalid(format!(
                    "refusing to delete {}",
                    path.display()
                )));
            }
            for worktree in worktree_paths {
                let _ = self
                    .git
                    .run(&path, &["worktree", "remove", "--force", worktree])
                    .await;
                let _ = std::fs::remove_dir_all(worktree);
            }
            std::fs::remove_dir_all(&path).map_err(|e| {
                DomainError::Internal(format!("cannot delete {}: {e}", path.display()))
            })?;
        }
        store::delete(&self.db, id).await?;
        Ok(project)
    }

    pub async fn env_vars(&self, id: &str) -> Result<Vec<EnvVar>, DomainError> {
        self.record(id).await?;
        Ok(store::env(&self.db, id)
            .await?
            .into_iter()
            .map(|v| EnvVar {
                value: if v.secret {
                    self.secrets
                        .decrypt(&v.value)
                        .map(|p| mask(&p))
                        .unwrap_or_else(|_| "(cannot be decrypted)".into())
                } else {
                    v.value
                },
                name: v.name,
                secret: v.secret,
            })
            .collect())
    }

    pub async fn set_env(&self, id: &str, name: &str, req: SetEnvVar) -> Result<(), DomainError> {
        self.record(id).await?;
        validate_env_name(name).map_err(DomainError::Invalid)?;
        let value = if req.secret {
            self.secrets.encrypt(&req.value)
        } else {
            req.value
        };
        store::set_env(
            &self.db,
            id,
            &EnvRecord {
                name: name.into(),
                value,
                secret: req.secret,
            },
        )
        .await?;
        Ok(())
    }

    pub async fn delete_env(&self, id: &str, name: &str) -> Result<(), DomainError> {
        self.record(id).await?;
        if !store::delete_env(&self.db, id, name).await? {
            return Err(DomainError::NotFound(format!(
                "the project has no variable {name}"
            )));
        }
        Ok(())
    }

    /// The project's environment with secrets decrypted, for its instances and its scripts.
    pub async fn env_plain(&self, id: &str) -> Result<BTreeMap<String, String>, DomainError> {
        let mut env = BTreeMap::new();
        for v in store::env(&self.db, id).await? {
            let value = if v.secret {
                self.secrets.decrypt(&v.value)?
            } else {
                v.value
            };
            env.insert(v.name, value);
        }
        Ok(env)
    }

    pub async fn claude_md(&self, id: &str) -> Result<String, DomainError> {
        let r = self.record(id).await?;
        match std::fs::read_to_string(Path::new(&r.path).join("CLAUDE.md")) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(DomainError::Internal(format!("cannot read CLAUDE.md: {e}"))),
        }
    }

    pub async fn set_claude_md(&self, id: &str, content: &str) -> Result<(), DomainError> {
        let r = self.record(id).await?;
        // Written whole or not at all: a temporary file renamed over the old one.
        let path = Path::new(&r.path).join("CLAUDE.md");
        let temp = Path::new(&r.path).join(".CLAUDE.md.flotilla-tmp");
        let io = |e: std::io::Error| DomainError::Internal(format!("cannot write CLAUDE.md: {e}"));
        std::fs::write(&temp, content).map_err(io)?;
        std::fs::rename(&temp, &path).map_err(io)
    }
}
