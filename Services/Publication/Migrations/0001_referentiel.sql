-- Publication's own copy of what réglementation publishes, in the shape every service keeps
-- (Shared/Referentiel): sessions and the step services open (the publication step among them),
-- the session's règlement (latest publication: the units' and spécialités' labels on relevés), the
-- centres with their rooms. Written only by the consumer.

CREATE TABLE sessions (
    code            text PRIMARY KEY,
    academie        text NOT NULL,
    libelle         text NOT NULL,
    session_normale text,
    debut_epreuves  date,
    close           boolean NOT NULL DEFAULT false,
    -- The step services open now (`deliberation`, …).
    services        text[] NOT NULL DEFAULT '{}',
    recue_le        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reglements (
    session    text PRIMARY KEY REFERENCES sessions (code),
    version    integer NOT NULL,
    -- The `reglementation.publiee` payload as received (spécialités, épreuves, coefficients).
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

CREATE TABLE salles (
    session  text NOT NULL,
    uai      text NOT NULL,
    nom      text NOT NULL,
    places   integer NOT NULL CHECK (places >= 0),
    ordre    integer NOT NULL,
    PRIMARY KEY (session, uai, nom),
    FOREIGN KEY (session, uai) REFERENCES centres (session, uai) ON DELETE CASCADE
);
