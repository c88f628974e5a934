-- Version 12 (SQLite): erasure. A contact or conversation erased at a
-- person's request (or by retention) keeps its row, emptied, with the
-- time it was erased, so a second erase changes nothing and retention
-- skips what is gone.
ALTER TABLE contacts ADD COLUMN erased_at DATETIME;
ALTER TABLE conversations ADD COLUMN erased_at DATETIME;
CREATE INDEX conversations_closed ON conversations (closed_at, id) WHERE closed_at IS NOT NULL AND erased_at IS NULL;
