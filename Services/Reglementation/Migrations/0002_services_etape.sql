-- Sessions: nature links, planned test dates, closing; each session's step services with their
-- planned dates and state, and the history of every opening and closing (who, when).
ALTER TABLE sessions
    ADD COLUMN session_normale text REFERENCES sessions (code) ON DELETE SET NULL,
    ADD COLUMN debut_epreuves date,
    ADD COLUMN fin_epreuves date,
    ADD COLUMN close_par text,
    ADD COLUMN close_le timestamptz,
    -- Grows at every change of the local adaptations; a publication records the one it carries.
    ADD COLUMN revision_adaptations integer NOT NULL DEFAULT 0;

CREATE TABLE services_etape (
    session          text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    service          text NOT NULL CHECK (service IN (
                         'reglementation', 'inscription_etablissement', 'inscription_grand_public',
                         'organisation', 'collecte_notes', 'deliberation', 'publication',
                         'extraction_etablissement')),
    ouverture_prevue date,
    fermeture_prevue date,
    etat             text NOT NULL DEFAULT 'a_ouvrir' CHECK (etat IN ('a_ouvrir', 'ouvert', 'ferme')),
    ouvert_le        timestamptz,
    ouvert_par       text,
    ferme_le         timestamptz,
    ferme_par        text,
    PRIMARY KEY (session, service)
);

-- The timeline of a session: its opening and closing, and every action on its step services.
CREATE TABLE historique (
    id       bigserial PRIMARY KEY,
    session  text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
    service  text,
    action   text NOT NULL CHECK (action IN (
                 'session_ouverte', 'session_close', 'calendrier', 'ouvert', 'rouvert', 'ferme')),
    par      text NOT NULL,
    le       timestamptz NOT NULL DEFAULT clock_timestamp(),
    ouverture_prevue date,
    fermeture_prevue date
);
CREATE INDEX historique_session ON historique (session, id);

-- Sessions opened before this migration get their services and the start of their timeline.
INSERT INTO services_etape (session, service)
SELECT s.code, service
FROM sessions s
CROSS JOIN UNNEST(ARRAY['reglementation', 'inscription_etablissement', 'inscription_grand_public',
                        'organisation', 'collecte_notes', 'deliberation', 'publication',
                        'extraction_etablissement']) AS service;
INSERT INTO historique (session, action, par, le)
SELECT code, 'session_ouverte', ouverte_par, ouverte_le FROM sessions;
