-- Pièces justificatives (stored in the database, served only to who may see them) and
-- aménagement requests with the gestionnaire's decision.

CREATE TABLE pieces (
    id          uuid PRIMARY KEY,
    candidature uuid NOT NULL REFERENCES candidatures (id),
    -- A code of the règlement's list, or DISPENSE / AVIS_MEDICAL / BENEFICE.
    type        text NOT NULL,
    nom_fichier text NOT NULL,
    -- Sniffed from the content, never trusted from the client.
    media_type  text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    taille      integer NOT NULL,
    sha256      text NOT NULL,
    contenu     bytea NOT NULL,
    statut      text NOT NULL CHECK (statut IN ('recue', 'acceptee', 'refusee')),
    motif_refus text,
    deposee_par text NOT NULL,
    deposee_le  timestamptz NOT NULL DEFAULT now(),
    decidee_par text,
    decidee_le  timestamptz
);
CREATE INDEX pieces_candidature ON pieces (candidature, type);

CREATE TABLE amenagements (
    id          uuid PRIMARY KEY,
    candidature uuid NOT NULL REFERENCES candidatures (id),
    types       text[] NOT NULL CHECK (cardinality(types) > 0),
    motif       text NOT NULL,
    -- The medical opinion (a piece of type AVIS_MEDICAL).
    avis        uuid NOT NULL REFERENCES pieces (id),
    etat        text NOT NULL CHECK (etat IN ('demande', 'accorde', 'accorde_partiellement', 'refuse')),
    mesures     jsonb NOT NULL DEFAULT '[]',
    motivation  text,
    demande_par text NOT NULL,
    demande_le  timestamptz NOT NULL DEFAULT now(),
    decide_par  text,
    decide_le   timestamptz
);
CREATE INDEX amenagements_candidature ON amenagements (candidature);
CREATE INDEX amenagements_etat ON amenagements (etat);
