-- What the services of the steps report of their own work, so that closing a step means its
-- work is done (issue 12): organisation's declaration that it finished (`organisation.terminee`),
-- and evaluation's lots with whether they are locked (`evaluation.lots.crees`,
-- `evaluation.lot.verrouille`). Written only by the consumer. And the step ends already told to
-- IMAG'IN (`reglementation.etape.terminee` once per step, a closing after a reopening says
-- nothing again).

CREATE TABLE organisations_terminees (
    session     text PRIMARY KEY REFERENCES sessions (code),
    candidats   integer NOT NULL,
    epreuves    integer NOT NULL,
    par         text NOT NULL,
    le          timestamptz NOT NULL
);

CREATE TABLE lots_notes (
    session     text NOT NULL REFERENCES sessions (code),
    lot         uuid NOT NULL,
    unite       text NOT NULL,
    numero      integer,
    verrouille  boolean NOT NULL,
    -- When evaluation wrote the state kept (the message's occurredAt): an older message, redelivered
    -- late, changes nothing.
    etat_le     timestamptz NOT NULL,
    PRIMARY KEY (session, lot)
);
CREATE INDEX lots_notes_ouverts ON lots_notes (session) WHERE NOT verrouille;

CREATE TABLE etapes_notifiees (
    session     text NOT NULL REFERENCES sessions (code),
    etape       text NOT NULL,
    le          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session, etape)
);
