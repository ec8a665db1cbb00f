-- The national pilot: one versioned règlement per spécialité. A version never changes once
-- imported (its fingerprint says whether a re-import brings the same content).
CREATE TABLE specialites (
    code    text PRIMARY KEY,
    libelle text NOT NULL
);

CREATE TABLE reglements (
    specialite text NOT NULL REFERENCES specialites (code),
    version    integer NOT NULL CHECK (version > 0),
    libelle    text NOT NULL,
    reference  text,
    empreinte  text NOT NULL,              -- SHA-256 of the canonical JSON content
    importe_le timestamptz NOT NULL DEFAULT now(),
    importe_par text NOT NULL,
    PRIMARY KEY (specialite, version)
);

CREATE TABLE epreuves (
    specialite  text NOT NULL,
    version     integer NOT NULL,
    code        text NOT NULL,
    rang        integer NOT NULL,
    libelle     text NOT NULL,
    facultative boolean NOT NULL,
    au_choix    boolean NOT NULL,
    PRIMARY KEY (specialite, version, code),
    FOREIGN KEY (specialite, version) REFERENCES reglements (specialite, version)
);

-- A unit belongs to exactly one épreuve of a version: the key has no épreuve in it.
CREATE TABLE unites (
    specialite          text NOT NULL,
    version             integer NOT NULL,
    code                text NOT NULL,
    epreuve             text NOT NULL,
    rang                integer NOT NULL,
    sous_epreuve        text,
    libelle             text NOT NULL,
    coefficient         integer CHECK (coefficient > 0),
    formes              text[] NOT NULL,
    duree_minutes       integer CHECK (duree_minutes > 0),
    preparation_minutes integer CHECK (preparation_minutes > 0),
    pas                 integer NOT NULL,   -- hundredths of a point
    pas_ccf             integer NOT NULL,
    categories_ccf      text[] NOT NULL,    -- the categories taking it in CCF; the others: ponctuel
    PRIMARY KEY (specialite, version, code),
    FOREIGN KEY (specialite, version, epreuve) REFERENCES epreuves (specialite, version, code)
);

CREATE TABLE dates_nationales (
    specialite text NOT NULL,
    version    integer NOT NULL,
    unite      text NOT NULL,
    session    text NOT NULL,
    debut      timestamp NOT NULL,          -- local time (metropolitan France)
    sujet      text NOT NULL,
    PRIMARY KEY (specialite, version, unite, session),
    FOREIGN KEY (specialite, version, unite) REFERENCES unites (specialite, version, code)
);
