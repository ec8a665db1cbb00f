-- Grades, the commands that wrote them (idempotency and request/reply), and the hash-chained
-- audit of every change.

-- The current grade of each copy of a lot; `revision` orders the writes (a replay or an older
-- revision changes nothing).
CREATE TABLE notes (
    lot        uuid NOT NULL REFERENCES lots (id),
    numero     text NOT NULL,
    note       text NOT NULL,              -- canonical: 12.50, ABS, ABJ, DI
    revision   bigint NOT NULL,
    commande   uuid NOT NULL,
    par        text NOT NULL,
    source     text NOT NULL,
    modifie_le timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lot, numero)
);

-- Every command handled by a worker, with its outcome: the idempotency key (a command handled
-- twice changes nothing the second time) and what the API reads back for the portal.
CREATE TABLE commandes (
    id         uuid PRIMARY KEY,
    lot        uuid NOT NULL,
    statut     text NOT NULL CHECK (statut IN ('enregistree', 'refusee')),
    appliquees integer NOT NULL,
    ignorees   integer NOT NULL,
    message    text,
    par        text NOT NULL,
    source     text NOT NULL,
    traitee_le timestamptz NOT NULL DEFAULT now()
);

-- Append-only audit, one hash chain per lot: `empreinte` = SHA-256 of the row's fields and the
-- previous row's `empreinte` (`precedent`); `lots.audit_seq/audit_hash` is the chain's head.
CREATE TABLE audit (
    lot        uuid NOT NULL,
    seq        bigint NOT NULL,
    numero     text NOT NULL,
    avant      text,                      -- null: no grade before
    apres      text NOT NULL,
    revision   bigint NOT NULL,
    par        text NOT NULL,
    role       text NOT NULL,
    source     text NOT NULL,
    commande   uuid NOT NULL,
    instant    bigint NOT NULL,            -- microseconds since 1970 (UTC)
    precedent  text NOT NULL,
    empreinte  text NOT NULL,
    PRIMARY KEY (lot, seq)
);

-- Append-only for everyone, the service included: only a superuser bypassing triggers
-- (session_replication_role) could change a row, and the chain then shows it.
CREATE FUNCTION audit_immuable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'le journal d''audit des notes est en ajout seul (% refusé)', TG_OP;
END;
$$;
CREATE TRIGGER audit_immuable BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_immuable();
CREATE TRIGGER audit_immuable_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_immuable();
