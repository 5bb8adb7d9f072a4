-- What a session Flotilla ran cost, as the CLI reported it (result.total_cost_usd), kept when its
-- instance is deleted: the session outlives the instance, in the sessions list and analytics.
CREATE TABLE session_costs (
    session_id TEXT PRIMARY KEY,
    cost_usd REAL NOT NULL,
    instance_id TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
