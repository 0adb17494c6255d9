-- "Keep me signed in": 1 for a sign-in whose cookies outlive the browser, 0 for
-- one that ends with it (and with a short idle timeout). Rows written before
-- the choice existed were persistent.
ALTER TABLE sessions ADD COLUMN persistent BIGINT NOT NULL DEFAULT 1;

-- The device session an event is about (signed in, signed out, revoked,
-- reused), and what caused it (who revoked a device).
ALTER TABLE auth_events ADD COLUMN device_id TEXT;
ALTER TABLE auth_events ADD COLUMN detail TEXT;
-- Failed attempts are stored under the hash of the typed name, with no user
-- id: the activity page finds them by that hash.
CREATE INDEX auth_events_username_idx ON auth_events (username, at);
