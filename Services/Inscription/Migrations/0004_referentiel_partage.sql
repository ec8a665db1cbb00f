-- The copy of the réglementation takes the one shape every service keeps (Shared/Referentiel):
-- the centres' rooms come with them.

CREATE TABLE salles (
    session  text NOT NULL,
    uai      text NOT NULL,
    nom      text NOT NULL,
    places   integer NOT NULL CHECK (places >= 0),
    ordre    integer NOT NULL,
    PRIMARY KEY (session, uai, nom),
    FOREIGN KEY (session, uai) REFERENCES centres (session, uai) ON DELETE CASCADE
);
