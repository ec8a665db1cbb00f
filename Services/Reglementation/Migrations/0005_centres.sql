-- Établissements and their roles as centres of a session.
CREATE TABLE etablissements (
    uai              text PRIMARY KEY CHECK (uai ~ '^[0-9]{7}[A-Z]$'),
    nom              text NOT NULL,
    adresse          text NOT NULL,
    code_postal      text NOT NULL,
    commune          text NOT NULL,
    secteur          text NOT NULL CHECK (secteur IN ('public', 'prive')),
    habilitation_cfa boolean NOT NULL,
    habilitation_fpc boolean NOT NULL,
    modifie_par      text NOT NULL,
    modifie_le       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX etablissements_nom ON etablissements (lower(nom));

CREATE TABLE centres (
    session          text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    uai              text NOT NULL REFERENCES etablissements (uai),
    roles            text[] NOT NULL CHECK (cardinality(roles) > 0),
    gestion_autonome boolean NOT NULL,
    revision         integer NOT NULL DEFAULT 1,
    modifie_par      text NOT NULL,
    modifie_le       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, uai)
);
CREATE INDEX centres_uai ON centres (uai);

CREATE TABLE salles (
    session text NOT NULL,
    uai     text NOT NULL,
    rang    integer NOT NULL,
    nom     text NOT NULL,
    places  integer NOT NULL CHECK (places > 0),
    PRIMARY KEY (session, uai, nom),
    FOREIGN KEY (session, uai) REFERENCES centres (session, uai) ON DELETE CASCADE
);
