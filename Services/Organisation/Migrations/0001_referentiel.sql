-- Organisation's own copy of what réglementation and inscription publish: sessions, the step
-- services open, the épreuves of the published règlement (one row per unit), the centres with
-- their rooms, the validated candidatures. Written only by the consumer.

CREATE TABLE sessions (
    code            text PRIMARY KEY,
    academie        text NOT NULL,
    libelle         text NOT NULL,
    debut_epreuves  date,
    close           boolean NOT NULL DEFAULT false,
    services        text[] NOT NULL DEFAULT '{}',
    -- Set when the gestionnaire declared the organisation finished (`organisation.terminee`).
    terminee_le     timestamptz,
    terminee_par    text
);

-- The units of every spécialité of the latest published règlement, with this session's national
-- date and subject. Replaced as a whole when a newer publication arrives.
CREATE TABLE reglements (
    session   text PRIMARY KEY REFERENCES sessions (code),
    version   integer NOT NULL,
    recu_le   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE unites (
    session             text NOT NULL REFERENCES sessions (code),
    specialite          text NOT NULL,
    specialite_libelle  text NOT NULL,
    epreuve             text NOT NULL,
    epreuve_libelle     text NOT NULL,
    unite               text NOT NULL,
    libelle             text NOT NULL,
    -- écrite, orale, pratique (the first form of the unit).
    forme               text NOT NULL,
    duree_minutes       integer,
    preparation_minutes integer,
    pas_centiemes       integer NOT NULL,
    pas_ccf_centiemes   integer NOT NULL,
    -- `YYYY-MM-DDTHH:MM` of this session's national sitting, and its subject's reference.
    debut               text,
    sujet               text,
    PRIMARY KEY (session, specialite, unite)
);

CREATE TABLE centres (
    session          text NOT NULL REFERENCES sessions (code),
    uai              text NOT NULL,
    nom              text NOT NULL,
    commune          text NOT NULL,
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

-- Validated candidatures (inscription.candidature.validee / modifiee), the highest revision.
CREATE TABLE candidatures (
    id                      uuid PRIMARY KEY,
    numero                  text NOT NULL,
    session                 text NOT NULL REFERENCES sessions (code),
    revision                integer NOT NULL,
    nom_famille             text NOT NULL,
    nom_usage               text,
    prenoms                 text NOT NULL,
    sexe                    text NOT NULL,
    date_naissance          text NOT NULL,
    ine                     text,
    categorie               text NOT NULL,
    categorie_reglementaire text NOT NULL,
    -- The établissement d'inscription (none for Grand Public), its département (UAI's first 3 digits).
    uai                     text,
    etablissement           text,
    gestion_autonome        boolean NOT NULL DEFAULT false,
    departement             text,
    specialite              text NOT NULL,
    amenagements            jsonb NOT NULL DEFAULT '[]',
    -- From the aménagements granted: extra time (percent) and a room of one's own.
    majoration_pourcent     integer NOT NULL DEFAULT 0,
    salle_separee           boolean NOT NULL DEFAULT false,
    annulee                 boolean NOT NULL DEFAULT false,
    recue_le                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session, numero)
);
CREATE INDEX candidatures_session ON candidatures (session, specialite, uai);
