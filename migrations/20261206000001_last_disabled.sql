-- When the account was last disabled, kept when it is enabled again: servers
-- that keep sessions in their own memory end the sessions older than it, so
-- an enable that follows a disable within their polling interval cannot
-- spare them.
ALTER TABLE users ADD COLUMN last_disabled_at BIGINT;
UPDATE users SET last_disabled_at = disabled_at;
