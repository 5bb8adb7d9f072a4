-- Supervised Claude Code instances. Written in SQL that PostgreSQL also accepts.
CREATE TABLE instances (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    cwd                  TEXT NOT NULL,
    session_id           TEXT NOT NULL,
    model                TEXT,
    permission_mode      TEXT NOT NULL,
    env_json             TEXT NOT NULL DEFAULT '{}',
    mcp_config           TEXT,
    append_system_prompt TEXT,
    status               TEXT NOT NULL,
    status_reason        TEXT,
    -- The process group leader of the running process, and its start time in clock ticks, so
    -- a later start of the server can reap a group an unclean stop left behind.
    pid                  BIGINT,
    pid_start_ticks      BIGINT,
    cost_usd             DOUBLE PRECISION NOT NULL DEFAULT 0,
    restarts             INTEGER NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    last_active_at       BIGINT NOT NULL
);

-- Every line an instance's process wrote (and what Flotilla wrote to it or said about it), in
-- order. `seq` is per instance and gap-free; `data` is JSON (the CLI's line verbatim).
CREATE TABLE instance_events (
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    ts          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (instance_id, seq)
);
