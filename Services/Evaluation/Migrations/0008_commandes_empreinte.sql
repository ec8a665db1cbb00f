-- What each handled command contained (SHA-256 of its lot, sender and lines): a resend under the
-- same command id with other grades is answered as a conflict instead of « enregistrée ».
ALTER TABLE commandes ADD COLUMN empreinte text;
