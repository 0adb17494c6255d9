-- A sign-in refused by a lock is written once per lock: the attempts the
-- lock blocks after the first are counted on that row (`attempts`), the last
-- one's time in `last_at`. A script hammering a locked name adds one row per
-- lock, not one per attempt.
ALTER TABLE auth_events ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE auth_events ADD COLUMN last_at BIGINT;
-- A client address's lock is counted on its row, found by address.
CREATE INDEX auth_events_ip_idx ON auth_events (ip, at);
