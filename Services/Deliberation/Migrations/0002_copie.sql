-- What the jury decides from, copied from the other steps' events. Written only by the consumer.

-- Candidatures as inscription validated them (latest revision). The identity is kept for the
-- relevé, the diploma and the PV; no screen of the deliberation shows it before the jury closes.
CREATE TABLE candidatures (
    id            uuid PRIMARY KEY,
    session       text NOT NULL REFERENCES sessions (code),
    numero        text NOT NULL,
    specialite    text NOT NULL,
    forme         text NOT NULL CHECK (forme IN ('globale', 'progressive')),
    categorie     text NOT NULL,
    -- The établissement d'inscription (UAI), none for Grand Public.
    etablissement text,
    -- The units with their situation (presentee, benefice, dispense…), as `UniteInscrite`.
    unites        jsonb NOT NULL,
    identite      jsonb NOT NULL,
    revision      integer NOT NULL,
    annulee       boolean NOT NULL DEFAULT false
);
CREATE INDEX candidatures_session ON candidatures (session, specialite) WHERE NOT annulee;

-- A unit whose grades evaluation consolidated (every lot locked), with the time of the latest
-- consolidation: a late redelivery of an older one changes nothing.
CREATE TABLE unites_consolidees (
    session        text NOT NULL REFERENCES sessions (code),
    unite          text NOT NULL,
    specialite     text NOT NULL,
    epreuve        text NOT NULL,
    consolidee_le  timestamptz NOT NULL,
    PRIMARY KEY (session, unite)
);

-- Its grades by numéro d'anonymat: `12.50`, `ABS`, `ABJ` or `DI`.
CREATE TABLE notes (
    session          text NOT NULL,
    unite            text NOT NULL,
    numero_anonymat  text NOT NULL,
    note             text NOT NULL,
    PRIMARY KEY (session, unite, numero_anonymat),
    FOREIGN KEY (session, unite) REFERENCES unites_consolidees (session, unite)
);

-- The link copy ↔ candidature of a unit, which organisation gives to this service alone once
-- the unit is consolidated (`organisation.anonymat.leve`).
CREATE TABLE anonymats (
    session          text NOT NULL,
    unite            text NOT NULL,
    numero_anonymat  text NOT NULL,
    candidature      uuid NOT NULL,
    PRIMARY KEY (session, unite, numero_anonymat)
);
CREATE INDEX anonymats_candidature ON anonymats (candidature, unite);
