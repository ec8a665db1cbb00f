-- The audit chain also records locks, unlocks and reopenings (`nature`, with the reason given),
-- and is keyed: `empreinte` becomes an HMAC-SHA-256 with a key the database never holds
-- (`CYCLADES_EVALUATION_AUDIT_KEY`), so that whoever can write this schema cannot rewrite a
-- chain consistently. Chains written before this migration were plain SHA-256 and verify as
-- altered: the audit key did not exist then.
ALTER TABLE audit
    ADD COLUMN nature text NOT NULL DEFAULT 'note'
        CHECK (nature IN ('note', 'verrouillage', 'deverrouillage', 'reouverture')),
    ADD COLUMN motif text;

-- After consolidation, a lot of the unit is unlocked again only by a reopening recorded by the
-- gestionnaire (with its reason); it withdraws the consolidation.
CREATE TABLE reouvertures (
    id       bigserial PRIMARY KEY,
    lot      uuid NOT NULL REFERENCES lots (id),
    session  text NOT NULL,
    unite    text NOT NULL,
    par      text NOT NULL,
    motif    text NOT NULL,
    le       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (session, unite) REFERENCES unites (session, unite)
);
CREATE INDEX reouvertures_unite ON reouvertures (session, unite);
