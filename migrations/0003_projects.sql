-- Projects (git repositories), their environment, their worktrees and script runs.
CREATE TABLE projects (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL UNIQUE,
    -- The main checkout.
    path                    TEXT NOT NULL UNIQUE,
    default_model           TEXT,
    default_permission_mode TEXT,
    -- Where new worktrees go.
    worktree_root           TEXT NOT NULL,
    -- Run in a new worktree right after it is created (sh -c, in the worktree).
    setup_script            TEXT,
    run_script              TEXT,
    -- The branch new worktrees start from; the main checkout's branch when not set.
    base_branch             TEXT,
    -- GitHub (or GitHub Enterprise) REST API base URL for pull requests.
    github_api_url          TEXT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

-- Environment variables of a project's instances. A secret value is stored encrypted.
CREATE TABLE project_env (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    secret     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (project_id, name)
);

CREATE TABLE worktrees (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    branch     TEXT NOT NULL,
    -- What it was created from, and what "ahead", "behind" and "diff against base" refer to.
    base       TEXT NOT NULL,
    path       TEXT NOT NULL UNIQUE,
    pr_url     TEXT,
    pr_number  BIGINT,
    pr_state   TEXT,
    created_at BIGINT NOT NULL
);

-- Setup and run scripts: what ran, how it ended, and everything it printed.
CREATE TABLE script_runs (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    worktree_id TEXT REFERENCES worktrees (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    command     TEXT NOT NULL,
    status      TEXT NOT NULL,
    exit_code   INTEGER,
    output      TEXT NOT NULL DEFAULT '',
    started_at  BIGINT NOT NULL,
    finished_at BIGINT
);

ALTER TABLE instances ADD COLUMN project_id TEXT REFERENCES projects (id) ON DELETE SET NULL;
ALTER TABLE instances ADD COLUMN worktree_id TEXT REFERENCES worktrees (id) ON DELETE SET NULL;
