-- Attempts at handling a redelivered message, counted before each attempt and outside its
-- transaction: a message that keeps crashing its consumer is recognised (and dead-lettered)
-- without dragging down the innocent messages delivered with it.
CREATE TABLE inbox_attempts (
    message_id    text PRIMARY KEY,
    attempts      integer NOT NULL,
    last_attempt  timestamptz NOT NULL DEFAULT now()
);
