-- cornershop schema, version 1 (SQLite). Times are UTC text written by the
-- driver in one format, so they compare correctly as text.
CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT     NOT NULL DEFAULT '',
	tags       TEXT     NOT NULL DEFAULT '[]',
	blocked    BOOLEAN  NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL
);

CREATE TABLE identities (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	platform   TEXT    NOT NULL,
	user_id    TEXT    NOT NULL,
	handle     TEXT    NOT NULL DEFAULT '',
	name       TEXT    NOT NULL DEFAULT '',
	avatar_url TEXT    NOT NULL DEFAULT '',
	UNIQUE (platform, user_id)
);
CREATE INDEX identities_contact ON identities (contact_id);

CREATE TABLE conversations (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	contact_id        INTEGER  NOT NULL REFERENCES contacts (id),
	customer_platform TEXT     NOT NULL,
	customer_chat     TEXT     NOT NULL,
	customer_thread   TEXT     NOT NULL DEFAULT '',
	anchor            TEXT     NOT NULL DEFAULT '',
	desk_platform     TEXT     NOT NULL DEFAULT '',
	desk_chat         TEXT     NOT NULL DEFAULT '',
	desk_thread       TEXT     NOT NULL DEFAULT '',
	desk_card         TEXT     NOT NULL DEFAULT '',
	status            TEXT     NOT NULL,
	assignee          TEXT     NOT NULL DEFAULT '',
	tags              TEXT     NOT NULL DEFAULT '[]',
	priority          INTEGER  NOT NULL DEFAULT 0,
	closed_at         DATETIME,
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL
);
CREATE INDEX conversations_customer ON conversations (contact_id, customer_platform, customer_chat, id);
CREATE UNIQUE INDEX conversations_desk ON conversations (desk_platform, desk_chat, desk_thread) WHERE desk_thread <> '';

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER  NOT NULL REFERENCES conversations (id),
	direction       TEXT     NOT NULL,
	author          TEXT     NOT NULL DEFAULT '',
	author_name     TEXT     NOT NULL DEFAULT '',
	text            TEXT     NOT NULL DEFAULT '',
	attachments     TEXT     NOT NULL DEFAULT '[]',
	as_team         BOOLEAN  NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	edited_at       DATETIME,
	deleted_at      DATETIME
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE message_refs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	message_id  INTEGER NOT NULL REFERENCES messages (id),
	side        TEXT    NOT NULL,
	source      BOOLEAN NOT NULL DEFAULT 0,
	platform    TEXT    NOT NULL,
	chat        TEXT    NOT NULL,
	platform_id TEXT    NOT NULL,
	part        INTEGER NOT NULL DEFAULT 0,
	UNIQUE (platform, chat, platform_id)
);
CREATE INDEX message_refs_message ON message_refs (message_id, side, part);

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	idem_key        TEXT     NOT NULL UNIQUE,
	conversation_id INTEGER  NOT NULL REFERENCES conversations (id),
	message_id      INTEGER  REFERENCES messages (id),
	emoji           TEXT     NOT NULL DEFAULT '',
	op              TEXT     NOT NULL,
	side            TEXT     NOT NULL,
	platform        TEXT     NOT NULL DEFAULT '',
	state           TEXT     NOT NULL,
	attempts        INTEGER  NOT NULL DEFAULT 0,
	next_attempt_at DATETIME NOT NULL,
	last_error      TEXT     NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	done_at         DATETIME,
	claimed_by      TEXT     NOT NULL DEFAULT '',
	claimed_until   DATETIME
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at, id);
CREATE INDEX deliveries_order ON deliveries (conversation_id, side, id) WHERE state = 'pending';
CREATE INDEX deliveries_message ON deliveries (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE audit_entries (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     DATETIME NOT NULL,
	actor  TEXT     NOT NULL DEFAULT '',
	action TEXT     NOT NULL,
	object TEXT     NOT NULL DEFAULT '',
	detail TEXT     NOT NULL DEFAULT ''
);
CREATE INDEX audit_entries_object ON audit_entries (object, id);
