//! What the MCP page does with a server beyond its configuration: test it, connect the inspector,
//! rebuild it and reconnect, and make a new one from a template.

use super::config::{Change, Location};
use super::service::{encode_id, valid_name, Mcp};
use super::types::{
    Inspection, McpServerInput, ScaffoldRequest, Scaffolded, Scope, TestResult, Transport,
};
use crate::base::error::DomainError;
use crate::projects::types::{slug, CreateProject};
use std::path::Path;
use std::time::Duration;

/// The longest a build may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

impl Mcp {
    pub async fn test(&self, id: &str) -> Result<TestResult, DomainError> {
        let target = self.target(id).await?;
        Ok(self.inspector.test(&target).await)
    }

    pub async fn connect(&self, id: &str) -> Result<Inspection, DomainError> {
        let target = self.target(id).await?;
        Ok(self.inspector.connect(id, &target).await)
    }

    /// Builds server `id`'s folder again (see [`build_command`]) and reconnects. The build's output
    /// goes into the connection's log; a failed build is the inspection's error.
    pub async fn rebuild(&self, id: &str) -> Result<Inspection, DomainError> {
        let server = self.get(id).await?;
        let folder = server.folder.clone().ok_or_else(|| {
            DomainError::Invalid("only a server that belongs to a folder can be rebuilt".into())
        })?;
        let project_id = server.project_id.clone().ok_or_else(|| {
            DomainError::Invalid(format!(
                "{folder} is not a project: register it to rebuild there"
            ))
        })?;
        let command = build_command(Path::new(&folder)).ok_or_else(|| {
            DomainError::Invalid(format!(
                "nothing to build in {folder} (no Cargo.toml, requirements.txt or package.json)"
            ))
        })?;
        self.inspector.disconnect(id).await;
        self.inspector.note(id, format!("building: {command}"));
        let run = self
            .scripts
            .start(
                &project_id,
                None,
                "build",
                &command,
                folder.clone().into(),
                Default::default(),
            )
            .await?;
        let finished = self.wait_for(&run.id, id).await?;
        if finished.exit_code != Some(0) {
            let why = format!(
                "the build failed ({}); its output is in the log",
                finished
                    .exit_code
                    .map_or("stopped".to_string(), |c| format!("exit {c}"))
            );
            self.inspector.fail(id, why);
            return Ok(self.inspector.inspection(id));
        }
        self.inspector.note(id, "built".into());
        self.connect(id).await
    }

    /// Follows build `run` to its end, copying each line into server `id`'s log.
    async fn wait_for(
        &self,
        run: &str,
        id: &str,
    ) -> Result<crate::worktrees::types::ScriptRun, DomainError> {
        let deadline = tokio::time::Instant::now() + BUILD_TIMEOUT + Duration::from_secs(30);
        let Some((_, feed)) = self.scripts.watch(run).await? else {
            return Err(DomainError::Internal("the build vanished".into()));
        };
        if let Some(mut feed) = feed {
            loop {
                match tokio::time::timeout_at(deadline, feed.recv()).await {
                    Ok(Ok(Some(line))) => self.inspector.note(id, format!("build: {line}")),
                    Ok(Ok(None)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => {
                        break
                    }
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
                    Err(_) => break,
                }
            }
        }
        // The run is saved just after its feed ends.
        for _ in 0..50 {
            if let Some((done, None)) = self.scripts.watch(run).await? {
                return Ok(done);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(DomainError::Unavailable("the build did not finish".into()))
    }

    /// A new MCP server project: the template's files in a new git repository, registered as a
    /// project, and the server added in local scope for that folder (named `req.name`).
    pub async fn scaffold(&self, req: ScaffoldRequest) -> Result<Scaffolded, DomainError> {
        if !valid_name(&req.name) {
            return Err(DomainError::Invalid(format!(
                "{:?} is not a valid server name: use 1 to 64 letters, digits, - and _",
                req.name
            )));
        }
        if !super::types::TEMPLATES
            .iter()
            .any(|(t, _)| *t == req.template)
        {
            return Err(DomainError::Invalid(format!(
                "there is no MCP server template {:?}: use python or rust",
                req.template
            )));
        }
        let project = self
            .projects
            .create(CreateProject {
                name: req.name.clone(),
                path: req.path.clone(),
                template: Some(format!("mcp-{}", req.template)),
                ..Default::default()
            })
            .await?;
        let folder = Path::new(&project.path);
        // The name the template filled in (a Rust crate's name has no hyphens).
        let filled = slug(&req.name).replace('-', "_");
        let (command, args) = match req.template.as_str() {
            "rust" => (folder.join("target/debug").join(&filled), Vec::new()),
            _ => (
                folder.join(".venv/bin/python"),
                vec![folder.join("server.py").display().to_string()],
            ),
        };
        let location = Location {
            scope: Scope::Local,
            folder: Some(project.path.clone()),
        };
        let input = McpServerInput {
            name: req.name.clone(),
            scope: Some(Scope::Local),
            transport: Transport::Stdio,
            command: Some(command.display().to_string()),
            args,
            ..Default::default()
        };
        // Not built yet: its command appears once "Rebuild" ran.
        let config = super::service::config_unchecked(&input)?;
        self.write_entry(&location, &req.name, Change::Create(config))
            .await?;
        let server = self.get(&encode_id(&location, &req.name)).await?;
        Ok(Scaffolded {
            project_id: project.id,
            build: build_command(folder).unwrap_or_default(),
            server,
        })
    }
}

/// How a server's folder is built, by what is in it: Cargo.toml → `cargo build`,
/// requirements.txt → a virtual environment with its packages, package.json → `npm install` and
/// its build script.
pub fn build_command(folder: &Path) -> Option<String> {
    if folder.join("Cargo.toml").is_file() {
        Some("cargo build".into())
    } else if folder.join("requirements.txt").is_file() {
        Some(
            "test -x .venv/bin/python || python3 -m venv .venv; \
             .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt"
                .into(),
        )
    } else if folder.join("package.json").is_file() {
        Some("npm install --no-audit --no-fund && npm run build --if-present".into())
    } else {
        None
    }
}
