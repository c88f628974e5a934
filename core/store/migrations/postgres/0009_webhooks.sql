-- Version 9 (PostgreSQL): outbound webhook events, recorded with the change
-- they report, and the deliveries that post them to each endpoint.

CREATE TABLE webhook_events (
	id         BIGSERIAL   PRIMARY KEY,
	type       TEXT        NOT NULL,
	subject    TEXT        NOT NULL,
	contact_id BIGINT,
	data       TEXT        NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_events_contact ON webhook_events (contact_id) WHERE contact_id IS NOT NULL;

ALTER TABLE deliveries ADD COLUMN event_id BIGINT REFERENCES webhook_events (id);
ALTER TABLE deliveries ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_webhook_failed ON deliveries (done_at, id) WHERE op = 'webhook' AND state = 'failed';
