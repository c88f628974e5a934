-- Version 3 (SQLite): staff members' sticky preferences.
CREATE TABLE staff_prefs (
	staff_id   TEXT PRIMARY KEY,
	as_team    BOOLEAN  NOT NULL DEFAULT 0,
	updated_at DATETIME NOT NULL
);

-- Free-form profile fields staff keep about a contact.
CREATE TABLE contact_fields (
	contact_id INTEGER  NOT NULL REFERENCES contacts (id),
	key        TEXT     NOT NULL,
	value      TEXT     NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (contact_id, key)
);

-- Snippets admins add from the chat (config seeds the rest).
CREATE TABLE snippets (
	name       TEXT PRIMARY KEY,
	text       TEXT     NOT NULL,
	author     TEXT     NOT NULL DEFAULT '',
	updated_at DATETIME NOT NULL
);
