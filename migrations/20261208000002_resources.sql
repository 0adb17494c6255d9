-- Resource indicators (RFC 8707): the service a refresh family's tokens are
-- for, their `aud`. NULL: Latchkey's own API.
ALTER TABLE sessions ADD COLUMN audience TEXT;
