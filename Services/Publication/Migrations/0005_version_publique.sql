-- Each session's public version: grows at each of its releases, so that the gateway's public
-- pages re-read only the sessions that changed (a page of results at a time).
ALTER TABLE publications ADD COLUMN version bigint NOT NULL DEFAULT 0;
