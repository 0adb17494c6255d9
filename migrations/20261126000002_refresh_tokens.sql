-- JWT mode: a `sessions` row is a refresh-token family (one signed-in device);
-- each refresh token is stored only as its SHA-256, chained to its parent.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    parent_hash TEXT,
    issued_at BIGINT NOT NULL,
    used_at BIGINT,
    expires_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- Each instance reads recent revocations every few seconds.
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at);
