-- Candidats (people) and their candidatures (one per session), with the history of every change
-- and the confirmations (récapitulatifs) produced at validation and after each change.

CREATE TABLE candidats (
    id                uuid PRIMARY KEY,
    -- Known for scolaires and apprentices; the same INE is the same person.
    ine               text UNIQUE,
    -- The Grand Public candidate's account (gateway subject), when he registered himself.
    compte            text UNIQUE,
    nom_famille       text NOT NULL,
    nom_usage         text,
    prenoms           text NOT NULL,
    sexe              text NOT NULL CHECK (sexe IN ('M', 'F')),
    date_naissance    date NOT NULL,
    commune_naissance text NOT NULL,
    pays_naissance    text NOT NULL,
    adresse           text NOT NULL,
    code_postal       text NOT NULL,
    commune           text NOT NULL,
    courriel          text,
    telephone         text,
    -- Upper-case, unaccented family name + first first name + birth date: finds the same person
    -- registered twice without an INE.
    cle_identite      text NOT NULL,
    cree_le           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidats_cle_identite ON candidats (cle_identite);

-- Numéros candidat: unique across sessions, hence within each.
CREATE SEQUENCE numero_candidat START 100001;

CREATE TABLE candidatures (
    id                      uuid PRIMARY KEY,
    numero                  text NOT NULL UNIQUE,
    session                 text NOT NULL REFERENCES sessions (code),
    candidat                uuid NOT NULL REFERENCES candidats (id),
    categorie               text NOT NULL,
    uai                     text,
    specialite              text NOT NULL,
    options                 text[] NOT NULL DEFAULT '{}',
    facultatives            text[] NOT NULL DEFAULT '{}',
    forme                   text NOT NULL CHECK (forme IN ('globale', 'progressive')),
    benefices               jsonb NOT NULL DEFAULT '[]',
    dispenses               jsonb NOT NULL DEFAULT '[]',
    etat                    text NOT NULL CHECK (etat IN ('brouillon', 'validee', 'modifiee', 'annulee')),
    -- Computed at validation and at each change: units, modes, règlement category and version.
    unites                  jsonb,
    categorie_reglementaire text,
    reglement_version       integer,
    -- Another candidature of the same person (name + birth date) the gestionnaire accepted anyway.
    homonyme_accepte        text,
    revision                integer NOT NULL DEFAULT 1,
    cree_par                text NOT NULL,
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    modifie_le              timestamptz NOT NULL DEFAULT now(),
    validee_le              timestamptz,
    annulee_le              timestamptz,
    motif_annulation        text
);
-- One BP spécialité per candidate per session.
CREATE UNIQUE INDEX candidatures_une_par_session ON candidatures (session, candidat) WHERE etat <> 'annulee';
CREATE INDEX candidatures_session_uai ON candidatures (session, uai);
CREATE INDEX candidatures_session_specialite ON candidatures (session, specialite);
CREATE INDEX candidatures_candidat ON candidatures (candidat);

CREATE TABLE historique (
    position    bigserial PRIMARY KEY,
    candidature uuid NOT NULL REFERENCES candidatures (id),
    le          timestamptz NOT NULL DEFAULT now(),
    par         text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    -- What changed: {"champ": {"avant": …, "apres": …}} or the action's details.
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX historique_candidature ON historique (candidature, position);

CREATE TABLE confirmations (
    candidature uuid NOT NULL REFERENCES candidatures (id),
    version     integer NOT NULL,
    generee_le  timestamptz NOT NULL DEFAULT now(),
    generee_par text NOT NULL,
    -- Everything the document shows, frozen: the PDF is rendered from it, identical every time.
    contenu     jsonb NOT NULL,
    PRIMARY KEY (candidature, version)
);
