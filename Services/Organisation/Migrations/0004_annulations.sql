-- A cancellation is kept as a tombstone with its revision, whether or not its candidature is
-- known yet: a cancellation delivered before the validation it cancels (replay, redelivery,
-- reordering between queues) must still win over that older validation, or the cancelled
-- candidate would later be placed and convoked.
CREATE TABLE annulations (
    candidature uuid PRIMARY KEY,
    revision    int4 NOT NULL,
    recue_le    timestamptz NOT NULL DEFAULT now()
);
