-- Version 12 (SQLite): erasure. A contact or conversation erased at a
-- person's request (or by retention) keeps its row, emptied, with the
-- time it was erased, so a second erase changes nothing and retention
-- skips what is gone.
ALTER TABLE contacts ADD COLUMN erased_at DATETIME;
ALTER TABLE conversations ADD COLUMN erased_at DATETIME;
CREATE INDEX conversations_closed ON conversations (closed_at, id) WHERE closed_at IS NOT NULL AND erased_at IS NULL;

-- The attachment store's shared backend (core.Files) keeps files in the
-- database on PostgreSQL; SQLite keeps them in a directory, and these
-- tables stay empty here (they keep the two dialects' versions in step).
CREATE TABLE files (
	key          TEXT PRIMARY KEY,
	size         INTEGER  NOT NULL,
	content_type TEXT     NOT NULL,
	sha256       TEXT     NOT NULL
);
CREATE TABLE file_chunks (
	key  TEXT    NOT NULL REFERENCES files (key) ON DELETE CASCADE,
	n    INTEGER NOT NULL,
	data BLOB    NOT NULL,
	PRIMARY KEY (key, n)
);
