-- Version 14 (SQLite): new messages enter the full-text index once per
-- write transaction, just before it commits, instead of by a trigger per
-- row: an FTS5 table written to mid-transaction flushes its pending index
-- at the next statement's savepoint, so the trigger wrote (and later
-- merged) one index segment per message. messages_indexed is the highest
-- message id the index holds; every message above it is indexed by the
-- transaction that wrote it (search_setup.go replaces the triggers when
-- the store opens).
ALTER TABLE search_config ADD COLUMN messages_indexed INTEGER NOT NULL DEFAULT 0;
