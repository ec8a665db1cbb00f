-- Inscription's own copy of what réglementation publishes: sessions, the step services open,
-- the session's règlement (latest publication), the centres. Written only by the consumer.

CREATE TABLE sessions (
    code            text PRIMARY KEY,
    academie        text NOT NULL,
    libelle         text NOT NULL,
    session_normale text,
    debut_epreuves  date,
    close           boolean NOT NULL DEFAULT false,
    -- The step services open now (`inscription_etablissement`, `inscription_grand_public`, …).
    services        text[] NOT NULL DEFAULT '{}',
    recue_le        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reglements (
    session    text PRIMARY KEY REFERENCES sessions (code),
    version    integer NOT NULL,
    -- The `reglementation.publiee` payload as received (spécialités, options, pièces).
    contenu    jsonb NOT NULL,
    recu_le    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE centres (
    session          text NOT NULL REFERENCES sessions (code),
    uai              text NOT NULL,
    nom              text NOT NULL,
    commune          text NOT NULL,
    secteur          text NOT NULL,
    habilitation_cfa boolean NOT NULL,
    habilitation_fpc boolean NOT NULL,
    roles            text[] NOT NULL,
    gestion_autonome boolean NOT NULL,
    revision         integer NOT NULL,
    retire           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (session, uai)
);
