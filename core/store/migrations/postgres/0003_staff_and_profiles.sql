-- Version 3 (PostgreSQL): staff members' sticky preferences.
CREATE TABLE staff_prefs (
	staff_id   text PRIMARY KEY,
	as_team    boolean     NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL
);

-- Free-form profile fields staff keep about a contact.
CREATE TABLE contact_fields (
	contact_id bigint      NOT NULL REFERENCES contacts (id),
	key        text        NOT NULL,
	value      text        NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (contact_id, key)
);

-- Snippets admins add from the chat (config seeds the rest).
CREATE TABLE snippets (
	name       text PRIMARY KEY,
	text       text        NOT NULL,
	author     text        NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL
);
