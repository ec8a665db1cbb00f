-- Local adaptations of a session: spécialités and options offered in the académie, required
-- pièces justificatives; and the publications of the session's règlement.
CREATE TABLE specialites_offertes (
    session    text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    specialite text NOT NULL,
    version    integer NOT NULL,
    options    text[] NOT NULL,             -- option units offered (all of them when none restricted)
    modifie_par text NOT NULL,
    modifie_le timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, specialite),
    FOREIGN KEY (specialite, version) REFERENCES reglements (specialite, version)
);

CREATE TABLE pieces_justificatives (
    session     text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    code        text NOT NULL,
    rang        integer NOT NULL,
    libelle     text NOT NULL,
    categories  text[] NOT NULL,
    obligatoire boolean NOT NULL,
    PRIMARY KEY (session, code)
);

CREATE TABLE publications (
    session     text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version > 0),
    revision    integer NOT NULL,            -- sessions.revision_adaptations it carries
    publiee_par text NOT NULL,
    publiee_le  timestamptz NOT NULL DEFAULT now(),
    contenu     jsonb NOT NULL,              -- the reglementation.publiee payload
    PRIMARY KEY (session, version)
);
