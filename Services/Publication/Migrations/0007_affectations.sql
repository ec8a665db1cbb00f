-- Where each candidate sits his épreuves (from organisation.candidat.affecte, highest revision per
-- unit): the centre épreuve « édite les résultats des candidats affectés dans le centre ».
CREATE TABLE affectations (
    candidature uuid NOT NULL,
    unite       text NOT NULL,
    session     text NOT NULL,
    centre      text NOT NULL,
    revision    integer NOT NULL,
    PRIMARY KEY (candidature, unite)
);
CREATE INDEX affectations_centre ON affectations (session, centre);
