-- Version 10 (SQLite): service levels. An SLA clock runs from a customer
-- message that waits for an answer until a staff reply, a close or a
-- snooze stops it (core.SLAClock); its warning and breach are deliveries
-- due later in the outbox, which check the clock when they come due.
CREATE TABLE sla_clocks (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER  NOT NULL REFERENCES conversations (id),
	desk_platform   TEXT     NOT NULL,
	desk_chat       TEXT     NOT NULL,
	kind            TEXT     NOT NULL,
	priority        INTEGER  NOT NULL DEFAULT 0,
	started_at      DATETIME NOT NULL,
	warn_at         DATETIME NOT NULL,
	due_at          DATETIME NOT NULL,
	stopped_at      DATETIME,
	stop_reason     TEXT     NOT NULL DEFAULT '',
	warned          BOOLEAN  NOT NULL DEFAULT 0,
	breached        BOOLEAN  NOT NULL DEFAULT 0
);
CREATE INDEX sla_clocks_running ON sla_clocks (conversation_id) WHERE stopped_at IS NULL;
CREATE INDEX sla_clocks_desk ON sla_clocks (desk_platform, desk_chat, started_at);

-- Satisfaction surveys (core.Survey): one per closed conversation at most,
-- rated once with a tap, with an optional comment.
CREATE TABLE surveys (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER  NOT NULL REFERENCES conversations (id),
	contact_id      INTEGER  NOT NULL REFERENCES contacts (id),
	desk_platform   TEXT     NOT NULL,
	desk_chat       TEXT     NOT NULL,
	staff           TEXT     NOT NULL DEFAULT '',
	sent_at         DATETIME NOT NULL,
	rating          INTEGER  NOT NULL DEFAULT 0,
	rated_at        DATETIME,
	comment         TEXT     NOT NULL DEFAULT '',
	commented_at    DATETIME
);
CREATE INDEX surveys_contact ON surveys (contact_id, id);
CREATE INDEX surveys_desk ON surveys (desk_platform, desk_chat, sent_at);
