-- Version 2 (SQLite): reversible contact merges and one-time link codes.
CREATE TABLE contact_merges (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	from_id       INTEGER  NOT NULL REFERENCES contacts (id),
	into_id       INTEGER  NOT NULL REFERENCES contacts (id),
	identities    TEXT     NOT NULL DEFAULT '[]',
	conversations TEXT     NOT NULL DEFAULT '[]',
	actor         TEXT     NOT NULL DEFAULT '',
	merged_at     DATETIME NOT NULL,
	undone_at     DATETIME
);
CREATE INDEX contact_merges_from ON contact_merges (from_id, id);

CREATE TABLE link_codes (
	code       TEXT PRIMARY KEY,
	contact_id INTEGER  NOT NULL REFERENCES contacts (id),
	expires_at DATETIME NOT NULL
);
