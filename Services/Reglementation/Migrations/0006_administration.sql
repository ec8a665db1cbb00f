-- Administration: planned treatments with their runs, and the académie's resources printed on
-- documents (signatures, logos), versioned.
CREATE TABLE traitements (
    id                  uuid PRIMARY KEY,
    code                text NOT NULL,
    libelle             text NOT NULL,
    session             text REFERENCES sessions (code) ON DELETE CASCADE,
    prochaine_execution timestamptz,          -- NULL: nothing more planned
    periodicite_minutes integer CHECK (periodicite_minutes > 0),
    actif               boolean NOT NULL DEFAULT true,
    cree_par            text NOT NULL,
    cree_le             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX traitements_echus ON traitements (prochaine_execution) WHERE actif;

CREATE TABLE executions (
    id         uuid PRIMARY KEY,
    traitement uuid NOT NULL REFERENCES traitements (id) ON DELETE CASCADE,
    executant  text NOT NULL,
    debut      timestamptz NOT NULL DEFAULT clock_timestamp(),
    fin        timestamptz,
    statut     text NOT NULL CHECK (statut IN ('en_cours', 'reussie', 'echouee')),
    resultat   text
);
CREATE INDEX executions_traitement ON executions (traitement, debut DESC);

CREATE TABLE ressources (
    academie    text NOT NULL,
    code        text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    libelle     text NOT NULL,
    media_type  text NOT NULL,
    contenu     bytea NOT NULL,
    empreinte   text NOT NULL,
    deposee_par text NOT NULL,
    deposee_le  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (academie, code, version)
);
