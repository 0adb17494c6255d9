-- DPoP (RFC 9449): tokens bound to a key the client holds.

-- The RFC 7638 thumbprint of the key a refresh family is bound to: its
-- refresh tokens are refused unless the request proves that key. NULL: a
-- bearer family (browsers, clients that sent no proof).
ALTER TABLE sessions ADD COLUMN dpop_jkt TEXT;

-- The DPoP proofs seen lately when the shared store is the database (Redis
-- keeps them as keys with a TTL): a proof's `jti` is accepted once per key
-- while the proof is fresh. `id` is the SHA-256 of the key's thumbprint and
-- the `jti`; a second insert of it finds the row and is refused.
CREATE TABLE dpop_proofs (
    id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX dpop_proofs_expires_idx ON dpop_proofs (expires_at);
