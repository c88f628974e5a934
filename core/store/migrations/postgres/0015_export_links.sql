-- Version 15 (PostgreSQL): one-time download links to a contact's export
-- archive (docs/privacy.md). Only the SHA-256 of a link's token is kept;
-- used_at is set by the one download it allows, which every replica sees.
CREATE TABLE export_links (
	hash       text        PRIMARY KEY,
	contact_id bigint      NOT NULL REFERENCES contacts (id),
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX export_links_contact ON export_links (contact_id);
CREATE INDEX export_links_expires ON export_links (expires_at);
