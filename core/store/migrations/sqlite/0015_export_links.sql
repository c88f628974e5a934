-- Version 15 (SQLite): one-time download links to a contact's export
-- archive (docs/privacy.md). Only the SHA-256 of a link's token is kept;
-- used_at is set by the one download it allows.
CREATE TABLE export_links (
	hash       TEXT     PRIMARY KEY,
	contact_id INTEGER  NOT NULL REFERENCES contacts (id),
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at    DATETIME
);
CREATE INDEX export_links_contact ON export_links (contact_id);
CREATE INDEX export_links_expires ON export_links (expires_at);
