-- Sessions of the BP exam opened by an académie's exam division.
CREATE TABLE sessions (
    code        text PRIMARY KEY,                -- SessionCode, e.g. BP-2027-06-N
    academie    text NOT NULL,
    libelle     text NOT NULL,
    ouverte_par text NOT NULL,
    ouverte_le  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_academie ON sessions (academie, code);
