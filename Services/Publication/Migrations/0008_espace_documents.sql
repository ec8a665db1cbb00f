-- The documents space (management guide 2.10): every document other services produce for a
-- candidate — his convocation (organisation), the answer to his aménagement request
-- (inscription) — published to him and to his établissement, beside the end-of-session documents;
-- a notification for each document published.
CREATE TABLE espace_documents (
    id            uuid PRIMARY KEY,
    session       text NOT NULL,
    candidature   uuid NOT NULL,
    numero        text NOT NULL,
    etablissement text,
    type          text NOT NULL CHECK (type IN ('convocation', 'amenagement')),
    -- One document per candidature and type and reference (the aménagement request's id; the
    -- convocation's is its candidature: one convocation, its versions replacing each other).
    reference     text NOT NULL,
    version       bigint NOT NULL,
    titre         text NOT NULL,
    -- The message it comes from (the aménagement's decision and measures; the convocation's path).
    contenu       jsonb NOT NULL,
    publie_le     timestamptz NOT NULL,
    UNIQUE (candidature, type, reference)
);
CREATE INDEX espace_documents_numero ON espace_documents (numero);
CREATE INDEX espace_documents_etablissement ON espace_documents (session, etablissement);

-- « Reçoit une notification pour chaque document publié »: to the candidate and his établissement.
CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,
    session      text NOT NULL,
    destinataire text NOT NULL,   -- candidat:<numéro> | uai:<UAI>
    document     uuid NOT NULL,
    message      text NOT NULL,
    creee_le     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_destinataire ON notifications (destinataire, id);

-- Every type of document can be hidden.
ALTER TABLE types_masques DROP CONSTRAINT types_masques_type_check;
ALTER TABLE types_masques ADD CONSTRAINT types_masques_type_check
    CHECK (type IN ('releve', 'attestation', 'diplome', 'convocation', 'amenagement'));
