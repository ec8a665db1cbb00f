-- « Peut masquer ou rendre visible du candidat et de l'établissement un type de document publié »:
-- the types of documents the gestionnaire hid for a session (none: all visible).
CREATE TABLE types_masques (
    session   text NOT NULL REFERENCES sessions (code),
    type      text NOT NULL CHECK (type IN ('releve', 'attestation', 'diplome')),
    masque_par text NOT NULL,
    masque_le timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, type)
);
