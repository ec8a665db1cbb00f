-- What Publication keeps: who each result belongs to (from inscription), the results and the
-- signed PVs as délibération arrêted them, and what was made public (with its revisions).

-- The validated candidatures (highest revision): the name, the birth date that the public lookup
-- asks for, the établissement, and the consent to the publication of the name.
CREATE TABLE candidatures (
    id                uuid PRIMARY KEY,
    session           text NOT NULL REFERENCES sessions (code),
    numero            text NOT NULL,
    nom_famille       text NOT NULL,
    nom_usage         text,
    prenoms           text NOT NULL,
    date_naissance    date NOT NULL,
    specialite        text NOT NULL,
    etablissement_uai text,
    etablissement_nom text,
    consentement      boolean NOT NULL,
    revision          integer NOT NULL,
    annulee           boolean NOT NULL DEFAULT false
);
CREATE INDEX candidatures_session ON candidatures (session, specialite);
CREATE INDEX candidatures_numero ON candidatures (numero);

-- Each candidate's result as his jury arrêted it (highest revision); `contenu` is the
-- `deliberation.resultat.arrete` payload, the relevé de notes' source.
CREATE TABLE resultats (
    candidature   uuid PRIMARY KEY,
    session       text NOT NULL REFERENCES sessions (code),
    numero        text NOT NULL,
    specialite    text NOT NULL,
    jury          text NOT NULL,
    decision      text NOT NULL,
    revision      integer NOT NULL,
    notes_signees text NOT NULL,
    contenu       jsonb NOT NULL,
    arrete_le     timestamptz NOT NULL
);
CREATE INDEX resultats_session ON resultats (session, jury);

-- The latest signed PV of each jury, with what it signed for each candidate.
CREATE TABLE proces_verbaux (
    session    text NOT NULL REFERENCES sessions (code),
    jury       text NOT NULL,
    specialite text NOT NULL,
    version    integer NOT NULL,
    candidats  integer NOT NULL,
    admis      integer NOT NULL,
    clos_par   text NOT NULL,
    clos_le    timestamptz NOT NULL,
    -- [{candidature, numero, decision, revision, notes}]
    lignes     jsonb NOT NULL,
    PRIMARY KEY (session, jury)
);

-- A session's publication: the last reconciliation and what it found, the release.
CREATE TABLE publications (
    session     text PRIMARY KEY REFERENCES sessions (code),
    verifiee_le timestamptz NOT NULL,
    -- [{code, jury, numero, message}]: any difference blocks the release of anything new.
    ecarts      jsonb NOT NULL DEFAULT '[]',
    ecarts_total integer NOT NULL DEFAULT 0,
    -- The first release (the embargo's end); NULL while nothing is public.
    publiee_le  timestamptz,
    resultats   integer NOT NULL DEFAULT 0,
    admis       integer NOT NULL DEFAULT 0
);

-- What is public: each candidate's released result (its revision, its content: a revision arrêted
-- but not yet released stays in `resultats`). Routes read only this.
CREATE TABLE resultats_publies (
    candidature uuid PRIMARY KEY REFERENCES resultats (candidature),
    session     text NOT NULL REFERENCES sessions (code),
    revision    integer NOT NULL,
    decision    text NOT NULL,
    contenu     jsonb NOT NULL,
    publie_le   timestamptz NOT NULL,
    revise_le   timestamptz
);
CREATE INDEX resultats_publies_session ON resultats_publies (session);

-- Results republished after the release (a reopened jury): the gestionnaire sees every change.
CREATE TABLE revisions (
    id              bigserial PRIMARY KEY,
    session         text NOT NULL,
    candidature     uuid NOT NULL,
    numero          text NOT NULL,
    jury            text NOT NULL,
    revision_avant  integer NOT NULL,
    decision_avant  text NOT NULL,
    revision        integer NOT NULL,
    decision        text NOT NULL,
    republie_le     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revisions_session ON revisions (session, id);

-- Grows at each release or republication: the gateway's precomputed public pages know from it
-- that they are stale (one cheap read a second, never a query per hit).
CREATE TABLE generation (
    unique_row boolean PRIMARY KEY DEFAULT true CHECK (unique_row),
    valeur     bigint NOT NULL
);
INSERT INTO generation VALUES (true, 0);
