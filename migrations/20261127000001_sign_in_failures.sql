-- Recent failed sign-ins per throttle key (a hashed account name, or a client
-- address), so every instance sharing the database applies the same delays.
-- A key is forgotten once it has been quiet for the reset period.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_last_idx ON sign_in_failures (last_failure_at);
