-- Version 8 (SQLite): full-text search and when a contact last changed.
-- The FTS5 tables (messages_fts, external content over messages;
-- contacts_fts, a contact's name, handles and profile values) and the
-- triggers that keep them in sync are created by the store when it opens
-- (search.go), because their tokenizer depends on the configured search
-- language; search_config records the language they were built with, so a
-- change of language rebuilds them.
ALTER TABLE contacts ADD COLUMN updated_at DATETIME;

CREATE TABLE search_config (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	language TEXT NOT NULL
);
