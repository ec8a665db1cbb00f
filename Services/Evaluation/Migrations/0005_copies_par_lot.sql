-- A worker checks each grade's copy against its lot by (lot, numero). With only `copies_lot`,
-- each check read the lot's ~50 copies, and for batches of thousands of lines the planner
-- preferred hashing the whole `copies` table (every session's) once per batch: the batch's cost
-- grew with the table, not with the batch. One index on (lot, numero) answers each check with one
-- probe and still serves the queries by lot alone.
CREATE UNIQUE INDEX copies_lot_numero ON copies (lot, numero) WHERE lot IS NOT NULL;
DROP INDEX copies_lot;
