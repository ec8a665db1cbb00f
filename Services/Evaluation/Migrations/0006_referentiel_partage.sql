-- The copy of the réglementation takes the one shape every service keeps (Shared/Referentiel):
-- the session normale and first day of tests of a session, the règlement as received, every
-- field of a centre with its rooms. Rows copied before keep their values; a centre's sector,
-- habilitations and gestion autonome, which evaluation never reads, take the defaults until
-- its next revision.

ALTER TABLE sessions
    ADD COLUMN session_normale text,
    ADD COLUMN debut_epreuves  date;

CREATE TABLE reglements (
    session    text PRIMARY KEY REFERENCES sessions (code),
    version    integer NOT NULL,
    -- The `reglementation.publiee` payload as received (spécialités, épreuves, coefficients).
    contenu    jsonb NOT NULL,
    recu_le    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE centres
    ADD COLUMN secteur          text    NOT NULL DEFAULT 'public',
    ADD COLUMN habilitation_cfa boolean NOT NULL DEFAULT false,
    ADD COLUMN habilitation_fpc boolean NOT NULL DEFAULT false,
    ADD COLUMN gestion_autonome boolean NOT NULL DEFAULT false;
ALTER TABLE centres
    ALTER COLUMN secteur DROP DEFAULT,
    ALTER COLUMN habilitation_cfa DROP DEFAULT,
    ALTER COLUMN habilitation_fpc DROP DEFAULT,
    ALTER COLUMN gestion_autonome DROP DEFAULT;

CREATE TABLE salles (
    session  text NOT NULL,
    uai      text NOT NULL,
    nom      text NOT NULL,
    places   integer NOT NULL CHECK (places >= 0),
    ordre    integer NOT NULL,
    PRIMARY KEY (session, uai, nom),
    FOREIGN KEY (session, uai) REFERENCES centres (session, uai) ON DELETE CASCADE
);
