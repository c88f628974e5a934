-- Version 7 (SQLite): self-help answers, their full-text index, the one
-- suggestion each new conversation may get, and searches that found
-- nothing.
--
-- The index is FTS5, SQLite's own engine, as external-content tables over
-- answers kept in sync by triggers. There are two, one per tokenizer:
-- the store searches answers_fts_porter when database.search_language is
-- "english" (porter stemming) and answers_fts_plain otherwise (unicode61,
-- accents removed), so changing the setting needs no rebuild. bm25() ranks
-- with the title weighted above the body.
CREATE TABLE answers (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	slug           TEXT     NOT NULL UNIQUE,
	title          TEXT     NOT NULL,
	body           TEXT     NOT NULL,
	tags           TEXT     NOT NULL DEFAULT '[]',
	author         TEXT     NOT NULL DEFAULT '',
	author_name    TEXT     NOT NULL DEFAULT '',
	credit_id      INTEGER,
	credit_name    TEXT     NOT NULL DEFAULT '',
	shown          INTEGER  NOT NULL DEFAULT 0,
	helped         INTEGER  NOT NULL DEFAULT 0,
	not_helped     INTEGER  NOT NULL DEFAULT 0,
	created_at     DATETIME NOT NULL,
	updated_at     DATETIME NOT NULL
);

CREATE VIRTUAL TABLE answers_fts_porter USING fts5(title, body, content='answers', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE answers_fts_plain USING fts5(title, body, content='answers', content_rowid='id', tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER answers_fts_insert AFTER INSERT ON answers BEGIN
	INSERT INTO answers_fts_porter (rowid, title, body) VALUES (new.id, new.title, new.body);
	INSERT INTO answers_fts_plain (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER answers_fts_delete AFTER DELETE ON answers BEGIN
	INSERT INTO answers_fts_porter (answers_fts_porter, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO answers_fts_plain (answers_fts_plain, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER answers_fts_update AFTER UPDATE OF title, body ON answers BEGIN
	INSERT INTO answers_fts_porter (answers_fts_porter, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO answers_fts_plain (answers_fts_plain, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO answers_fts_porter (rowid, title, body) VALUES (new.id, new.title, new.body);
	INSERT INTO answers_fts_plain (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE answer_suggestions (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER  NOT NULL UNIQUE REFERENCES conversations (id),
	message_id      INTEGER  NOT NULL,
	answers         TEXT     NOT NULL DEFAULT '[]',
	outcome         TEXT     NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	decided_at      DATETIME
);
CREATE INDEX answer_suggestions_message ON answer_suggestions (message_id);
CREATE INDEX answer_suggestions_created ON answer_suggestions (created_at);

CREATE TABLE answer_misses (
	query   TEXT     NOT NULL PRIMARY KEY,
	count   INTEGER  NOT NULL DEFAULT 0,
	last_at DATETIME NOT NULL
);
CREATE INDEX answer_misses_last ON answer_misses (last_at);
