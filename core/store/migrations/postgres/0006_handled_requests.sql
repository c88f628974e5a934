-- Version 6 (PostgreSQL): the identities of commands and buttons already
-- acted on (core.Tx.MarkHandled), shared by every replica, so a replayed or
-- redelivered request is answered without acting again wherever it lands.
-- Rows older than the replay window are pruned (core.Tx.PruneHandled).
CREATE TABLE handled_requests (
	platform text        NOT NULL,
	key      text        NOT NULL,
	seen_at  timestamptz NOT NULL,
	PRIMARY KEY (platform, key)
);
CREATE INDEX handled_requests_seen ON handled_requests (seen_at);
