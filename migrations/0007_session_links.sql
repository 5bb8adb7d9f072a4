-- Where a session came from, when Flotilla made it: a fork of one session at a message, or a
-- merge of two (one row per parent). The family tree of a session is read from here.
CREATE TABLE session_links (
    session_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('fork', 'merge')),
    -- The parent's message a fork was made at (None: its newest).
    at_uuid TEXT,
    -- Which parent it is: a merge's A is 0, its B 1.
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, parent_id)
);
CREATE INDEX session_links_parent ON session_links (parent_id);
