-- Version 6 (SQLite): the identities of commands and buttons already acted
-- on (core.Tx.MarkHandled), so a replayed or redelivered request is
-- answered without acting again. Rows older than the replay window are
-- pruned (core.Tx.PruneHandled).
CREATE TABLE handled_requests (
	platform TEXT     NOT NULL,
	key      TEXT     NOT NULL,
	seen_at  DATETIME NOT NULL,
	PRIMARY KEY (platform, key)
);
CREATE INDEX handled_requests_seen ON handled_requests (seen_at);
