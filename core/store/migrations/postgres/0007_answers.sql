-- Version 7 (PostgreSQL): self-help answers, their full-text index, the one
-- suggestion each new conversation may get, and searches that found
-- nothing.
--
-- Search uses PostgreSQL's own engine: tsv is generated from the title
-- (weight A) and body (weight B) in the row's own text search
-- configuration, lang, which the store sets from database.search_language
-- on every insert and update (a migration is static SQL; the language is
-- not). Queries use the same configuration and rank with ts_rank over a
-- GIN index.
CREATE TABLE answers (
	id          bigserial   PRIMARY KEY,
	slug        text        NOT NULL UNIQUE,
	title       text        NOT NULL,
	body        text        NOT NULL,
	tags        text        NOT NULL DEFAULT '[]',
	author      text        NOT NULL DEFAULT '',
	author_name text        NOT NULL DEFAULT '',
	credit_id   bigint,
	credit_name text        NOT NULL DEFAULT '',
	shown       integer     NOT NULL DEFAULT 0,
	helped      integer     NOT NULL DEFAULT 0,
	not_helped  integer     NOT NULL DEFAULT 0,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	lang        regconfig   NOT NULL DEFAULT 'english',
	tsv         tsvector    GENERATED ALWAYS AS (
		setweight(to_tsvector(lang, title), 'A') || setweight(to_tsvector(lang, body), 'B')
	) STORED
);
CREATE INDEX answers_tsv ON answers USING gin (tsv);

CREATE TABLE answer_suggestions (
	id              bigserial   PRIMARY KEY,
	conversation_id bigint      NOT NULL UNIQUE REFERENCES conversations (id),
	message_id      bigint      NOT NULL,
	answers         text        NOT NULL DEFAULT '[]',
	outcome         text        NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	decided_at      timestamptz
);
CREATE INDEX answer_suggestions_message ON answer_suggestions (message_id);
CREATE INDEX answer_suggestions_created ON answer_suggestions (created_at);

CREATE TABLE answer_misses (
	query   text        NOT NULL PRIMARY KEY,
	count   integer     NOT NULL DEFAULT 0,
	last_at timestamptz NOT NULL
);
CREATE INDEX answer_misses_last ON answer_misses (last_at);
