-- Passkeys (WebAuthn credentials) and what their ceremonies need.

-- Each account's WebAuthn user handle: a random UUID made when its first
-- passkey is added, never the username or the account id, so an
-- authenticator (or anyone reading it) learns nothing about the account.
CREATE TABLE webauthn_users (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle TEXT NOT NULL
);
CREATE UNIQUE INDEX webauthn_users_handle_key ON webauthn_users (handle);

-- One row per passkey. `passkey` is webauthn-rs's serialised credential
-- (public key, counter, flags); `credential_id` (base64url) is unique across
-- every account, so one authenticator's key cannot be claimed twice.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL,
    passkey TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    -- 1 when the authenticator says the key is synced (backed up) to other
    -- devices, 0 when it is bound to the one it was made on.
    backed_up BIGINT NOT NULL,
    -- The browser's `credProps.rk`: 1 discoverable, 0 not, NULL not said.
    discoverable BIGINT,
    sign_count BIGINT NOT NULL,
    -- Set when the key signed with a count that did not go up (a copy of
    -- it may exist): from then on it signs nobody in, until its owner
    -- removes it.
    suspended_at BIGINT
);
CREATE UNIQUE INDEX passkeys_credential_id_key ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id);

-- A WebAuthn ceremony in progress (the challenge and what webauthn-rs needs
-- to check the answer) when the shared store is the database; Redis keeps
-- them as keys with a TTL. Taken once: read and deleted in one statement.
CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX ceremonies_expires_idx ON ceremonies (expires_at);

-- How each sign-in was proved (RFC 8176 `amr`): `pwd`, or a passkey held by
-- one device's hardware (`hwk`) or synced by its provider (`swk`). Rows
-- written before passkeys were password sign-ins.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
