-- One schema for SQLite and PostgreSQL: TEXT ids made by the application,
-- timestamps as BIGINT Unix seconds, no engine-specific types.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    -- stored lower-cased: usernames are case-insensitive
    username TEXT NOT NULL,
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE UNIQUE INDEX users_username_key ON users (username);

-- One row per signed-in device. Session mode: token_hash is the SHA-256 of the
-- session ID held in the browser's cookie; the raw ID is never stored.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL,
    user_agent TEXT,
    ip TEXT,
    revoked_at BIGINT,
    revoke_reason TEXT
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_absolute_expires_idx ON sessions (absolute_expires_at);

-- Append-only audit trail of authentication events.
CREATE TABLE auth_events (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX auth_events_user_id_idx ON auth_events (user_id, at);
