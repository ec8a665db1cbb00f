-- Épreuves-candidats (one row per candidature and unit sat this session) and where each is
-- placed: centre, room, table, date; regroupements; delegations to centres; numéros d'anonymat;
-- presence; convocations.

CREATE TABLE regroupements (
    id          uuid PRIMARY KEY,
    session     text NOT NULL REFERENCES sessions (code),
    libelle     text NOT NULL,
    -- Criteria (empty = any): spécialités, établissements, départements, categories; the units
    -- (épreuves) grouped; the centres épreuve it may be assigned to.
    specialites text[] NOT NULL DEFAULT '{}',
    uais        text[] NOT NULL DEFAULT '{}',
    departements text[] NOT NULL DEFAULT '{}',
    categories  text[] NOT NULL DEFAULT '{}',
    unites      text[] NOT NULL DEFAULT '{}',
    centres     text[] NOT NULL DEFAULT '{}',
    cree_par    text NOT NULL,
    cree_le     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session, libelle)
);

CREATE TABLE affectations (
    candidature   uuid NOT NULL REFERENCES candidatures (id) ON DELETE CASCADE,
    unite         text NOT NULL,
    session       text NOT NULL,
    specialite    text NOT NULL,
    epreuve       text NOT NULL,
    mode          text NOT NULL CHECK (mode IN ('ccf', 'ponctuel')),
    centre        text,
    salle         text,
    place         integer,
    -- `YYYY-MM-DDTHH:MM`; the national date unless the gestionnaire or the centre set another.
    debut         text,
    debut_local   boolean NOT NULL DEFAULT false,
    -- Duration with the extra time granted.
    duree_minutes integer,
    regroupement  uuid REFERENCES regroupements (id) ON DELETE SET NULL,
    -- How it was placed (`automatique`, `manuel`, `gestion_autonome`) and, when it could not be, why.
    origine       text,
    motif         text,
    revision      integer NOT NULL DEFAULT 0,
    -- The placement changed and its `organisation.candidat.affecte` is still to be written.
    a_publier     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (candidature, unite)
);
CREATE INDEX affectations_a_publier ON affectations (session) WHERE a_publier;
CREATE INDEX affectations_session ON affectations (session, mode, centre);
CREATE INDEX affectations_centre ON affectations (session, centre, unite, salle);

-- The gestionnaire leaves the seating (and, with `date`, the date) of a unit in a centre to it.
CREATE TABLE delegations (
    session   text NOT NULL,
    centre    text NOT NULL,
    specialite text NOT NULL,
    unite     text NOT NULL,
    date      boolean NOT NULL DEFAULT false,
    par       text NOT NULL,
    le        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, centre, specialite, unite)
);

-- Numéros d'anonymat: random, never derived from the candidate, unique in the whole session.
-- The link copy ↔ candidature stays here.
CREATE TABLE anonymats (
    candidature uuid NOT NULL,
    unite       text NOT NULL,
    session     text NOT NULL,
    numero      text NOT NULL,
    attribue_le timestamptz NOT NULL DEFAULT now(),
    leve_le     timestamptz,
    PRIMARY KEY (candidature, unite),
    FOREIGN KEY (candidature, unite) REFERENCES affectations (candidature, unite) ON DELETE CASCADE
);
CREATE UNIQUE INDEX anonymats_numero ON anonymats (session, numero);

-- The copy lists last sent to evaluation, by unit and centre (`organisation.anonymat.attribue`).
CREATE TABLE lots_anonymat (
    session    text NOT NULL,
    specialite text NOT NULL,
    unite      text NOT NULL,
    centre     text NOT NULL,
    copies     text[] NOT NULL,
    revision   integer NOT NULL,
    PRIMARY KEY (session, specialite, unite, centre)
);

CREATE TABLE presences (
    candidature uuid NOT NULL,
    unite       text NOT NULL,
    statut      text NOT NULL CHECK (statut IN ('present', 'ABS', 'ABJ')),
    -- ABJ: the piece establishing the force majeure.
    piece       text,
    revision    integer NOT NULL,
    saisi_par   text NOT NULL,
    saisi_le    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidature, unite),
    FOREIGN KEY (candidature, unite) REFERENCES affectations (candidature, unite) ON DELETE CASCADE
);

-- Every version of a candidate's convocation: its frozen content (the PDF is rendered from it)
-- and what changed since the previous one.
CREATE TABLE convocations (
    candidature uuid NOT NULL REFERENCES candidatures (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    contenu     jsonb NOT NULL,
    changement  text,
    generee_par text NOT NULL,
    generee_le  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidature, version)
);
