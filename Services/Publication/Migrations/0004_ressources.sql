-- The académie's resources printed on documents (logo, recteur's signature), kept from
-- `reglementation.ressource.deposee`: the highest version of each.
CREATE TABLE ressources (
    academie   text NOT NULL,
    code       text NOT NULL,
    version    integer NOT NULL,
    media_type text NOT NULL,
    contenu    bytea NOT NULL,
    empreinte  text NOT NULL,
    PRIMARY KEY (academie, code)
);
