-- Events the broker returned as unroutable (published `mandatory` while no queue was bound for
-- their routing key) stay unsent: the relay sets them aside so that they do not block the
-- messages behind them, retries them on a slower schedule, and reports them (metrics, /health,
-- a warning) until a subscriber's queue exists and takes them.
ALTER TABLE outbox
    ADD COLUMN returned_at timestamptz,
    ADD COLUMN returns     int4 NOT NULL DEFAULT 0;
CREATE INDEX outbox_unroutable ON outbox (position) WHERE sent_at IS NULL AND returned_at IS NOT NULL;
