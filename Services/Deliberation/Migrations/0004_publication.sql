-- When the gestionnaire first opened the session's publication step (réglementation's
-- `service.ouvert` publication): from then on a candidate's file shows his result, never before.
ALTER TABLE sessions ADD COLUMN resultats_publies_le timestamptz;
