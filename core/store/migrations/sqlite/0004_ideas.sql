-- Version 4 (SQLite): idea threads, and deliveries that belong to an idea
-- rather than a conversation, ordered by lane.

CREATE TABLE ideas (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	title           TEXT     NOT NULL,
	body            TEXT     NOT NULL DEFAULT '',
	status          TEXT     NOT NULL,
	author_id       INTEGER  NOT NULL REFERENCES contacts (id),
	author_name     TEXT     NOT NULL DEFAULT '',
	origin_platform TEXT     NOT NULL DEFAULT '',
	origin_chat     TEXT     NOT NULL DEFAULT '',
	origin_thread   TEXT     NOT NULL DEFAULT '',
	source_id       TEXT     NOT NULL DEFAULT '',
	card_platform   TEXT     NOT NULL DEFAULT '',
	card_chat       TEXT     NOT NULL DEFAULT '',
	card_thread     TEXT     NOT NULL DEFAULT '',
	card_id         TEXT     NOT NULL DEFAULT '',
	merged_into     INTEGER  REFERENCES ideas (id),
	hidden          BOOLEAN  NOT NULL DEFAULT 0,
	hide_reason     TEXT     NOT NULL DEFAULT '',
	pinned          BOOLEAN  NOT NULL DEFAULT 0,
	tags            TEXT     NOT NULL DEFAULT '[]',
	message         TEXT     NOT NULL DEFAULT '',
	queued          BOOLEAN  NOT NULL DEFAULT 0,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL
);
CREATE INDEX ideas_status ON ideas (status, id);
CREATE UNIQUE INDEX ideas_source ON ideas (origin_platform, origin_chat, source_id) WHERE source_id <> '';
CREATE INDEX ideas_origin ON ideas (origin_platform, origin_chat, origin_thread) WHERE origin_thread <> '';
CREATE INDEX ideas_card ON ideas (card_platform, card_chat, card_id) WHERE card_id <> '';

-- SQLite cannot relax a NOT NULL column in place: rebuild deliveries with
-- conversation_id nullable, idea_id, and the lane that orders them.
CREATE TABLE deliveries_v4 (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	idem_key        TEXT     NOT NULL UNIQUE,
	conversation_id INTEGER  REFERENCES conversations (id),
	message_id      INTEGER  REFERENCES messages (id),
	idea_id         INTEGER  REFERENCES ideas (id),
	lane            TEXT     NOT NULL,
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
INSERT INTO deliveries_v4 (id, idem_key, conversation_id, message_id, lane, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, claimed_until)
SELECT id, idem_key, conversation_id, message_id, 'c' || conversation_id || ':' || side, emoji, op, side, platform, state,
	attempts, next_attempt_at, last_error, created_at, done_at, claimed_by, claimed_until FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v4 RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at, id);
CREATE INDEX deliveries_order ON deliveries (lane, id) WHERE state = 'pending';
CREATE INDEX deliveries_message ON deliveries (message_id) WHERE message_id IS NOT NULL;

-- A vote belongs to an account; counts go through identities, so linked
-- accounts (one contact) count once and a link or unlink recounts at once.
CREATE TABLE idea_votes (
	idea_id  INTEGER  NOT NULL REFERENCES ideas (id),
	platform TEXT     NOT NULL,
	user_id  TEXT     NOT NULL,
	chat     TEXT     NOT NULL DEFAULT '',
	voted_at DATETIME NOT NULL,
	PRIMARY KEY (idea_id, platform, user_id)
);

CREATE TABLE idea_comments (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	idea_id     INTEGER  NOT NULL REFERENCES ideas (id),
	author      TEXT     NOT NULL DEFAULT '',
	author_name TEXT     NOT NULL DEFAULT '',
	text        TEXT     NOT NULL DEFAULT '',
	platform    TEXT     NOT NULL,
	chat        TEXT     NOT NULL,
	platform_id TEXT     NOT NULL,
	user_id     TEXT     NOT NULL DEFAULT '',
	at          DATETIME NOT NULL,
	UNIQUE (platform, chat, platform_id)
);
CREATE INDEX idea_comments_idea ON idea_comments (idea_id, id);

CREATE TABLE idea_mutes (
	contact_id INTEGER  PRIMARY KEY REFERENCES contacts (id),
	muted_at   DATETIME NOT NULL
);

CREATE TABLE idea_notices (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	batch      TEXT     NOT NULL,
	contact_id INTEGER  NOT NULL REFERENCES contacts (id),
	platform   TEXT     NOT NULL,
	user_id    TEXT     NOT NULL,
	chat       TEXT     NOT NULL DEFAULT '',
	idea_id    INTEGER  NOT NULL REFERENCES ideas (id),
	text       TEXT     NOT NULL,
	actor      TEXT     NOT NULL DEFAULT '',
	digest     BOOLEAN  NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL
);
CREATE INDEX idea_notices_batch ON idea_notices (batch, id);
CREATE INDEX idea_notices_contact ON idea_notices (contact_id, created_at);
