-- Fin de session: the documents generated for each released result — relevé de notes for every
-- candidate, attestation de réussite and diplôme for the admitted — each with a verification
-- code a third party checks on the public page. The PDF is drawn on demand from the released
-- result it was generated from (`revision`); a later revision replaces it (new code), and the old
-- code then says so.
CREATE TABLE documents (
    id          uuid PRIMARY KEY,
    session     text NOT NULL REFERENCES sessions (code),
    candidature uuid NOT NULL REFERENCES resultats_publies (candidature),
    type        text NOT NULL CHECK (type IN ('releve', 'attestation', 'diplome')),
    code        text NOT NULL UNIQUE,
    revision    integer NOT NULL,
    genere_le   timestamptz NOT NULL DEFAULT now(),
    remplace_le timestamptz
);
CREATE UNIQUE INDEX documents_actifs ON documents (candidature, type) WHERE remplace_le IS NULL;
CREATE INDEX documents_session ON documents (session, type);
