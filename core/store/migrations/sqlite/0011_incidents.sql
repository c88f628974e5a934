-- Version 11 (SQLite): incidents (core.Incident). Conversations link to an
-- incident; an update written in the incident's thread is recorded once
-- (incident_updates) and copied as a reply into every linked conversation
-- (incident_copies ties each copy's message to its update, so progress is
-- a query over the copies' deliveries).
--
-- Deliveries gain a priority: Claim takes higher priorities first, so an
-- incident's fan-out (priority -1) never holds back ordinary replies (0).
-- They also gain incident_id, for the incident thread's own operations.
--
-- Keywords are searched with FTS5 like answers (migration 7): two
-- external-content indexes over (title, keywords), porter and plain, kept
-- by triggers.
CREATE TABLE incidents (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	title        TEXT     NOT NULL,
	state        TEXT     NOT NULL,
	keywords     TEXT     NOT NULL DEFAULT '',
	desk_platform TEXT    NOT NULL DEFAULT '',
	desk_chat    TEXT     NOT NULL DEFAULT '',
	desk_thread  TEXT     NOT NULL DEFAULT '',
	card         TEXT     NOT NULL DEFAULT '',
	opener       TEXT     NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL,
	updated_at   DATETIME NOT NULL,
	resolved_at  DATETIME
);
CREATE INDEX incidents_thread ON incidents (desk_platform, desk_chat, desk_thread);
CREATE INDEX incidents_open ON incidents (id) WHERE resolved_at IS NULL;
CREATE INDEX incidents_created ON incidents (created_at);

CREATE VIRTUAL TABLE incidents_fts_porter USING fts5(title, keywords, content='incidents', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE incidents_fts_plain USING fts5(title, keywords, content='incidents', content_rowid='id', tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
	INSERT INTO incidents_fts_porter (rowid, title, keywords) VALUES (new.id, new.title, new.keywords);
	INSERT INTO incidents_fts_plain (rowid, title, keywords) VALUES (new.id, new.title, new.keywords);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
	INSERT INTO incidents_fts_porter (incidents_fts_porter, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
	INSERT INTO incidents_fts_plain (incidents_fts_plain, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, keywords ON incidents BEGIN
	INSERT INTO incidents_fts_porter (incidents_fts_porter, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
	INSERT INTO incidents_fts_plain (incidents_fts_plain, rowid, title, keywords) VALUES ('delete', old.id, old.title, old.keywords);
	INSERT INTO incidents_fts_porter (rowid, title, keywords) VALUES (new.id, new.title, new.keywords);
	INSERT INTO incidents_fts_plain (rowid, title, keywords) VALUES (new.id, new.title, new.keywords);
END;

CREATE TABLE incident_links (
	conversation_id INTEGER  NOT NULL PRIMARY KEY REFERENCES conversations (id),
	incident_id     INTEGER  NOT NULL REFERENCES incidents (id),
	linked_by       TEXT     NOT NULL DEFAULT '',
	linked_at       DATETIME NOT NULL
);
CREATE INDEX incident_links_incident ON incident_links (incident_id, linked_at);

CREATE TABLE incident_updates (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	incident_id INTEGER  NOT NULL REFERENCES incidents (id),
	author      TEXT     NOT NULL DEFAULT '',
	author_name TEXT     NOT NULL DEFAULT '',
	text        TEXT     NOT NULL DEFAULT '',
	as_team     BOOLEAN  NOT NULL DEFAULT 0,
	final       BOOLEAN  NOT NULL DEFAULT 0,
	created_at  DATETIME NOT NULL,
	undone_at   DATETIME
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, id);

CREATE TABLE incident_copies (
	update_id       INTEGER NOT NULL REFERENCES incident_updates (id),
	incident_id     INTEGER NOT NULL REFERENCES incidents (id),
	conversation_id INTEGER NOT NULL REFERENCES conversations (id),
	message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
	PRIMARY KEY (update_id, conversation_id)
);

CREATE TABLE incident_posts (
	idem_key    TEXT     NOT NULL PRIMARY KEY,
	incident_id INTEGER  NOT NULL REFERENCES incidents (id),
	text        TEXT     NOT NULL,
	created_at  DATETIME NOT NULL
);

-- Public status posts: one per incident and broadcast place, edited in
-- place with the history (post_ids: the platform ids, JSON).
CREATE TABLE incident_broadcasts (
	incident_id INTEGER  NOT NULL REFERENCES incidents (id),
	platform    TEXT    NOT NULL,
	chat        TEXT    NOT NULL,
	post_ids    TEXT    NOT NULL DEFAULT '[]',
	PRIMARY KEY (incident_id, platform, chat)
);

-- Claim walks pending deliveries by priority, then due time: this index
-- keeps that an index scan, not a sort of the whole backlog.
ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN incident_id INTEGER REFERENCES incidents (id);
CREATE INDEX deliveries_claim ON deliveries (state, priority, next_attempt_at, id);
