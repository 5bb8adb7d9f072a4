-- Authentication and the audit log. Secrets are never stored: passwords as argon2id hashes,
-- session cookies and API tokens as the SHA-256 of their 256 random bits.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Signed-in browsers. `id` is public (shown, used to revoke); the cookie holds the secret.
CREATE TABLE auth_sessions (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- The absolute end, whatever the activity.
    expires_at   BIGINT NOT NULL,
    client_ip    TEXT,
    user_agent   TEXT
);

CREATE TABLE api_tokens (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    -- 'read' (GET and read-only streams) or 'full'.
    scope                TEXT NOT NULL,
    secret_hash          TEXT NOT NULL UNIQUE,
    -- After a rotation the previous secret keeps working until previous_valid_until.
    previous_hash        TEXT UNIQUE,
    previous_valid_until BIGINT,
    created_at           BIGINT NOT NULL,
    rotated_at           BIGINT,
    last_used_at         BIGINT,
    last_used_ip         TEXT,
    expires_at           BIGINT,
    revoked_at           BIGINT
);

-- Every state-changing operation: written as 'pending' before it runs and given its outcome
-- once afterwards, so an operation cut short by a crash still shows. Append-only, enforced by
-- the triggers below. (PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY, and the triggers as
-- functions.)
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    ts        BIGINT NOT NULL,
    -- 'owner:<name>', 'token:<name>', 'cli', 'anonymous' (auth off).
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    client_ip TEXT,
    -- 'pending', 'ok' or 'error'.
    result    TEXT NOT NULL,
    status    INTEGER,
    detail    TEXT
);
CREATE INDEX audit_log_ts ON audit_log (ts);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_outcome_once BEFORE UPDATE ON audit_log
WHEN OLD.result <> 'pending'
    OR NEW.id IS NOT OLD.id OR NEW.ts IS NOT OLD.ts OR NEW.actor IS NOT OLD.actor
    OR NEW.action IS NOT OLD.action OR NEW.target IS NOT OLD.target
    OR NEW.client_ip IS NOT OLD.client_ip
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
