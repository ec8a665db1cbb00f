-- The candidate's consent to the publication of his name with his result (public results site,
-- outside bodies), asked at registration. Candidatures registered before it was asked: no consent.
ALTER TABLE candidatures ADD COLUMN consentement_publication boolean NOT NULL DEFAULT false;
