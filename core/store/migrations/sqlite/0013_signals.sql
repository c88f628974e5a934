-- Version 13 (SQLite): listening. A signal (core.Signal) is what the
-- community said in a listening place that matched a listening rule,
-- shown as a card in the rule's desk; a burst of matches of one rule in one
-- place is one signal. Only matched messages are stored
-- (signal_messages), as personal data of their author's contact; a
-- message matching two rules is kept once per rule.
CREATE TABLE signals (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	rule           TEXT     NOT NULL,
	desk_platform  TEXT     NOT NULL,
	desk_chat      TEXT     NOT NULL,
	platform       TEXT     NOT NULL,
	chat           TEXT     NOT NULL,
	first_message  INTEGER  NOT NULL DEFAULT 0,
	count          INTEGER  NOT NULL DEFAULT 0,
	negative       INTEGER  NOT NULL DEFAULT 0,
	first_at       DATETIME NOT NULL,
	last_at        DATETIME NOT NULL,
	state          TEXT     NOT NULL DEFAULT 'open',
	card_chat      TEXT     NOT NULL DEFAULT '',
	card_thread    TEXT     NOT NULL DEFAULT '',
	card_id        TEXT     NOT NULL DEFAULT '',
	action         TEXT     NOT NULL DEFAULT '',
	handled_by     TEXT     NOT NULL DEFAULT '',
	handled_at     DATETIME
);
CREATE INDEX signals_burst ON signals (rule, platform, chat, last_at) WHERE state = 'open';
CREATE INDEX signals_card ON signals (desk_platform, desk_chat, card_id) WHERE card_id <> '';
CREATE INDEX signals_first ON signals (first_at);

CREATE TABLE signal_messages (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	signal_id   INTEGER  NOT NULL REFERENCES signals (id),
	contact_id  INTEGER  NOT NULL REFERENCES contacts (id),
	rule        TEXT     NOT NULL,
	platform    TEXT     NOT NULL,
	chat        TEXT     NOT NULL,
	thread      TEXT     NOT NULL DEFAULT '',
	platform_id TEXT     NOT NULL,
	author_name TEXT     NOT NULL DEFAULT '',
	text        TEXT     NOT NULL DEFAULT '',
	link        TEXT     NOT NULL DEFAULT '',
	term        TEXT     NOT NULL DEFAULT '',
	sentiment   REAL     NOT NULL DEFAULT 0,
	at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX signal_messages_platform_id ON signal_messages (platform, chat, platform_id, rule);
CREATE INDEX signal_messages_signal ON signal_messages (signal_id, id);
CREATE INDEX signal_messages_contact ON signal_messages (contact_id, id);
