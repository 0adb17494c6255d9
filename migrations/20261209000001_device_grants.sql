-- Device authorization requests (RFC 8628) when the shared store is the
-- database; Redis keeps them as hashes with a TTL. `id` is the SHA-256 of
-- the device code the client polls with; `user_code` is what the person
-- types at /device. `decision`: pending, approved, denied, or issued once
-- the approved request's tokens were handed out (they are handed out once).
CREATE TABLE device_grants (
    id TEXT PRIMARY KEY,
    user_code TEXT NOT NULL,
    client_id TEXT NOT NULL,
    resource TEXT,
    dpop_jkt TEXT,
    ip TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    interval_secs BIGINT NOT NULL,
    polled_at BIGINT NOT NULL,
    decision TEXT NOT NULL,
    user_id TEXT,
    amr TEXT
);
CREATE UNIQUE INDEX device_grants_user_code_key ON device_grants (user_code);
CREATE INDEX device_grants_expires_idx ON device_grants (expires_at);
