-- Forme progressive: the compulsory units a candidate leaves for a later session.
ALTER TABLE candidatures ADD COLUMN ulterieures text[] NOT NULL DEFAULT '{}';
