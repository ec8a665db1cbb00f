-- The organisation of grading: commissions, lots (de copies, d'interrogation, CCF) and the
-- graders assigned to them.

CREATE TABLE commissions (
    id         uuid PRIMARY KEY,
    session    text NOT NULL REFERENCES sessions (code),
    unite      text NOT NULL,
    -- The centre de correction (written) or the centre hosting the interrogations.
    centre     text NOT NULL,
    nature     text NOT NULL CHECK (nature IN ('correction', 'interrogation')),
    libelle    text NOT NULL,
    -- Day of the interrogations, `YYYY-MM-DD`, for an interrogation commission.
    jour       text,
    cree_le    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (session, unite) REFERENCES unites (session, unite)
);

CREATE TABLE lots (
    id          uuid PRIMARY KEY,
    session     text NOT NULL,
    unite       text NOT NULL,
    -- 1, 2, … per unit: the number printed on the slips.
    numero      integer NOT NULL,
    nature      text NOT NULL CHECK (nature IN ('copies', 'interrogation', 'ccf')),
    commission  uuid REFERENCES commissions (id),
    -- Centre de correction (copies), centre of the interrogations, or the établissement (CCF).
    centre      text NOT NULL,
    jour        text,
    ouvert      boolean NOT NULL DEFAULT false,
    verrouille  boolean NOT NULL DEFAULT false,
    verrouille_par  text,
    verrouille_le   timestamptz,
    -- Head of the lot's audit chain: the last sequence number and its hash ('' before any).
    audit_seq   bigint NOT NULL DEFAULT 0,
    audit_hash  text NOT NULL DEFAULT '',
    cree_le     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session, unite, numero),
    FOREIGN KEY (session, unite) REFERENCES unites (session, unite)
);
CREATE INDEX lots_unite ON lots (session, unite);

ALTER TABLE copies ADD FOREIGN KEY (lot) REFERENCES lots (id);

-- Graders of a lot: the gateway's account id (`sub`), with a display name for the follow-up.
CREATE TABLE correcteurs (
    lot     uuid NOT NULL REFERENCES lots (id),
    sujet   text NOT NULL,
    nom     text NOT NULL,
    affecte_le timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lot, sujet)
);
CREATE INDEX correcteurs_sujet ON correcteurs (sujet);

-- Lock and unlock history (who, when, why).
CREATE TABLE verrouillages (
    id        bigserial PRIMARY KEY,
    lot       uuid NOT NULL REFERENCES lots (id),
    verrouille boolean NOT NULL,
    par       text NOT NULL,
    role      text NOT NULL,
    motif     text,
    le        timestamptz NOT NULL DEFAULT now()
);

-- Units whose grades were consolidated (`evaluation.notes.consolidees`), latest time.
CREATE TABLE consolidations (
    session  text NOT NULL,
    unite    text NOT NULL,
    notes    integer NOT NULL,
    le       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, unite)
);
