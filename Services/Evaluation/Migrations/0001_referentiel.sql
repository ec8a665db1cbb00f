-- Evaluation's own copy of what réglementation and organisation publish: sessions and the step
-- services open, centres (those with the correction role), the units to grade and their copies
-- by numéro d'anonymat (never an identity), absences recorded by the centres. Written only by
-- the consumer.

CREATE TABLE sessions (
    code      text PRIMARY KEY,
    academie  text NOT NULL,
    libelle   text NOT NULL,
    close     boolean NOT NULL DEFAULT false,
    -- The step services open now (`collecte_notes`, …).
    services  text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE centres (
    session   text NOT NULL REFERENCES sessions (code),
    uai       text NOT NULL,
    nom       text NOT NULL,
    commune   text NOT NULL,
    roles     text[] NOT NULL,
    revision  integer NOT NULL,
    retire    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (session, uai)
);

-- A unit to grade in a session, as `organisation.anonymat.attribue` describes it.
CREATE TABLE unites (
    session     text NOT NULL REFERENCES sessions (code),
    unite       text NOT NULL,
    specialite  text NOT NULL,
    epreuve     text NOT NULL,
    forme       text NOT NULL,
    mode        text NOT NULL,
    -- Grading step in hundredths (25 = 0.25 point).
    pas         integer NOT NULL CHECK (pas > 0 AND 2000 % pas = 0),
    PRIMARY KEY (session, unite)
);

-- The latest list of copies of one unit in one centre (revision of the organisation message).
CREATE TABLE listes_copies (
    session   text NOT NULL,
    unite     text NOT NULL,
    centre    text NOT NULL,
    debut     text,
    revision  integer NOT NULL,
    PRIMARY KEY (session, unite, centre),
    FOREIGN KEY (session, unite) REFERENCES unites (session, unite)
);

-- One written copy (or one candidate's oral/practical/CCF sitting) by numéro d'anonymat.
CREATE TABLE copies (
    session   text NOT NULL,
    unite     text NOT NULL,
    numero    text NOT NULL,
    -- The centre d'épreuve (or the établissement, for CCF).
    centre    text NOT NULL,
    -- Withdrawn by organisation after the fact (kept when already in a lot).
    retiree   boolean NOT NULL DEFAULT false,
    -- ABS / ABJ recorded by the centre (organisation.absence.constatee), with its revision.
    absence          text CHECK (absence IN ('ABS', 'ABJ')),
    absence_revision integer NOT NULL DEFAULT 0,
    lot       uuid,
    PRIMARY KEY (session, unite, numero),
    FOREIGN KEY (session, unite) REFERENCES unites (session, unite)
);
CREATE INDEX copies_lot ON copies (lot) WHERE lot IS NOT NULL;
CREATE INDEX copies_sans_lot ON copies (session, unite, centre) WHERE lot IS NULL;
