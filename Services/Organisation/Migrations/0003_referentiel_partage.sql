-- The copy of the réglementation takes the one shape every service keeps (Shared/Referentiel):
-- the session normale of a session de remplacement, the règlement as received, every field of
-- a centre. Rows copied before keep their values; what they lack is filled in by the next
-- event about them (a règlement received before has no content: NULL until the next one;
-- a centre's sector and habilitations, which organisation never reads, take the defaults until
-- its next revision).

ALTER TABLE sessions ADD COLUMN session_normale text;

ALTER TABLE reglements ADD COLUMN contenu jsonb;

ALTER TABLE centres
    ADD COLUMN secteur          text    NOT NULL DEFAULT 'public',
    ADD COLUMN habilitation_cfa boolean NOT NULL DEFAULT false,
    ADD COLUMN habilitation_fpc boolean NOT NULL DEFAULT false;
ALTER TABLE centres
    ALTER COLUMN secteur DROP DEFAULT,
    ALTER COLUMN habilitation_cfa DROP DEFAULT,
    ALTER COLUMN habilitation_fpc DROP DEFAULT;
