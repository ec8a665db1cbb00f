-- The juries of a session, their candidates, what the jury changed and the results it closed.

CREATE TABLE jurys (
    id            uuid PRIMARY KEY,
    session       text NOT NULL REFERENCES sessions (code),
    -- `J01`: unique in the session; the président's habilitation names it (`jury:<session>:<code>`).
    code          text NOT NULL,
    specialite    text NOT NULL,
    -- The centre de délibération (UAI) and the day, once set.
    centre        text,
    date          date,
    president     text NOT NULL,
    -- [{nom, qualite: enseignant | professionnel}]
    membres       jsonb NOT NULL DEFAULT '[]',
    etat          text NOT NULL DEFAULT 'preparation' CHECK (etat IN ('preparation', 'ouvert', 'clos')),
    -- PV de tenue: 1 at the first closing, +1 at each closing after a reopening.
    version_pv    integer NOT NULL DEFAULT 0,
    -- Head of the journal's hash chain (its last row), checked by the verification.
    journal_seq   bigint NOT NULL DEFAULT 0,
    journal_hash  text NOT NULL DEFAULT '',
    cree_le       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session, code)
);

-- A candidate sits before one jury.
CREATE TABLE jury_candidats (
    candidature  uuid PRIMARY KEY REFERENCES candidatures (id),
    jury         uuid NOT NULL REFERENCES jurys (id)
);
CREATE INDEX jury_candidats_jury ON jury_candidats (jury);

-- What the jury decided beyond the engine, in force: a unit's grade raised (`unite` set, `note`
-- in hundredths) or the decision raised to admis (`unite` = '', `decision` = 'admis'), each with
-- its mandatory reason. The journal keeps every change; this table the latest per unit.
CREATE TABLE interventions (
    candidature  uuid NOT NULL REFERENCES candidatures (id),
    unite        text NOT NULL,
    note         integer CHECK (note BETWEEN 0 AND 2000),
    decision     text CHECK (decision IN ('admis')),
    motif        text NOT NULL,
    par          text NOT NULL,
    le           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidature, unite),
    CHECK ((unite = '' AND decision IS NOT NULL AND note IS NULL) OR (unite <> '' AND note IS NOT NULL AND decision IS NULL))
);

-- The jury's journal: opening, every intervention, closing, reopening, PV signature — hash-chained
-- with the service's key from the environment (never in this schema).
CREATE TABLE journal (
    jury         uuid NOT NULL REFERENCES jurys (id),
    seq          bigint NOT NULL,
    nature       text NOT NULL CHECK (nature IN ('ouverture', 'intervention', 'cloture', 'reouverture')),
    candidature  uuid,
    numero       text,
    unite        text,
    avant        text,
    apres        text,
    motif        text,
    par          text NOT NULL,
    role         text NOT NULL,
    instant      bigint NOT NULL,
    precedent    text NOT NULL,
    empreinte    text NOT NULL,
    PRIMARY KEY (jury, seq)
);

-- The results a jury closed: what `deliberation.resultat.arrete` carries. A reopened jury
-- closes again with a higher revision.
CREATE TABLE resultats (
    candidature  uuid PRIMARY KEY REFERENCES candidatures (id),
    jury         uuid NOT NULL REFERENCES jurys (id),
    session      text NOT NULL,
    numero       text NOT NULL,
    specialite   text NOT NULL,
    decision     text NOT NULL,
    -- The exact average (points / coefficients, in hundredths), none when not computed.
    moyenne_points        integer,
    moyenne_coefficients  integer,
    -- The engine's whole answer with the jury's interventions applied.
    deliberation jsonb NOT NULL,
    revision     integer NOT NULL,
    arrete_le    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resultats_session ON resultats (session);
