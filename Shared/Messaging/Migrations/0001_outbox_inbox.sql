-- The transactional outbox and the idempotency inbox every service carries in its own schema.

CREATE TABLE outbox (
    position       bigserial PRIMARY KEY,          -- publication order
    id             uuid NOT NULL UNIQUE,           -- the message id
    type           text NOT NULL,                  -- the contract, e.g. reglementation.publiee
    exchange       text NOT NULL,
    routing_key    text NOT NULL,
    aggregate      text NOT NULL,                  -- what it is about (order is kept per aggregate)
    correlation_id text,
    envelope       bytea NOT NULL,                 -- the JSON envelope as published
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz
);
CREATE INDEX outbox_unsent ON outbox (position) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Wakes the relay as soon as a transaction that wrote events commits (one notification per
-- statement, folded by PostgreSQL per transaction).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE inbox (
    message_id  text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
