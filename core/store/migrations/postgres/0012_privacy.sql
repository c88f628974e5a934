-- Version 12 (PostgreSQL): erasure. A contact or conversation erased at a
-- person's request (or by retention) keeps its row, emptied, with the
-- time it was erased, so a second erase changes nothing and retention
-- skips what is gone.
ALTER TABLE contacts ADD COLUMN erased_at timestamptz;
ALTER TABLE conversations ADD COLUMN erased_at timestamptz;
CREATE INDEX conversations_closed ON conversations (closed_at, id) WHERE closed_at IS NOT NULL AND erased_at IS NULL;

-- The attachment store's shared backend (core.Files): a file's bytes in
-- chunks of 256 KiB, so every replica reads every file.
CREATE TABLE files (
	key          text   PRIMARY KEY,
	size         bigint NOT NULL,
	content_type text   NOT NULL,
	sha256       text   NOT NULL
);
CREATE TABLE file_chunks (
	key  text    NOT NULL REFERENCES files (key) ON DELETE CASCADE,
	n    integer NOT NULL,
	data bytea   NOT NULL,
	PRIMARY KEY (key, n)
);
