-- The revision of the organisation list that last named each copy: a new list marks the copies
-- it no longer names as withdrawn with one indexed comparison (instead of an anti-join against
-- the whole list, quadratic for a unit of thousands of copies).
ALTER TABLE copies ADD COLUMN liste_revision integer NOT NULL DEFAULT 0;
CREATE INDEX copies_liste ON copies (session, unite, centre, liste_revision);
