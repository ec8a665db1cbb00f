-- Accounts, habilitations, user sessions, one-time tokens, mails and the access audit.

CREATE TABLE accounts (
    id             uuid PRIMARY KEY,
    login          text NOT NULL UNIQUE,          -- lower-case identifier (usually an e-mail)
    display_name   text NOT NULL,
    email          text,
    role           text NOT NULL,
    scopes         text[] NOT NULL DEFAULT '{}',  -- uai:…, lot:…, jury:…, candidat:…
    password_hash  text,                          -- bcrypt; null until activated
    state          text NOT NULL CHECK (state IN ('en_attente', 'actif', 'desactive')),
    failed_logins  integer NOT NULL DEFAULT 0,    -- consecutive failures
    last_failure   timestamptz,
    locked_until   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_role ON accounts (role, state);
CREATE INDEX accounts_scopes ON accounts USING gin (scopes);

-- Signed session tokens carry their id (jti); a session row lets logout and disabling revoke it.
CREATE TABLE user_sessions (
    jti         uuid PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id),
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    address     text,
    user_agent  text
);
CREATE INDEX user_sessions_account ON user_sessions (account_id) WHERE revoked_at IS NULL;

-- Activation links, reset links and papillon codes: only a hash of the secret is kept.
CREATE TABLE one_time_tokens (
    token_hash  text PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id),
    purpose     text NOT NULL CHECK (purpose IN ('activation', 'reinitialisation', 'papillon')),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose);

-- Mails the system would send (the demo reads them here; a mailer would relay them).
CREATE TABLE mail_outbox (
    id          bigserial PRIMARY KEY,
    recipient   text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    purpose     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);

-- Who did what, when, from where: logins, failures, refusals, administrative changes.
CREATE TABLE access_audit (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text,                 -- account id or login attempted
    actor_role  text,
    address     text,
    action      text NOT NULL,        -- connexion, echec_connexion, refus, compte.creation, ...
    target      text,
    outcome     text NOT NULL,        -- succes, echec, refus
    detail      text
);
CREATE INDEX access_audit_at ON access_audit (at DESC);
CREATE INDEX access_audit_actor ON access_audit (actor, at DESC);
