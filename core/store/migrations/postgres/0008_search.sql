-- Version 8 (PostgreSQL): full-text search and when a contact last changed.
-- tsvector columns kept by triggers in the configured text search
-- configuration, which the store writes into search_config when it opens
-- (an expression index could not take it at run time); when it changes the
-- store recomputes them (search.go).
ALTER TABLE contacts ADD COLUMN updated_at timestamptz;

CREATE TABLE search_config (
	id       integer PRIMARY KEY CHECK (id = 1),
	language text NOT NULL
);
INSERT INTO search_config (id, language) VALUES (1, 'english');

CREATE FUNCTION cornershop_search_language() RETURNS regconfig
LANGUAGE sql STABLE AS $$ SELECT language::regconfig FROM search_config WHERE id = 1 $$;

ALTER TABLE messages ADD COLUMN search tsvector;
UPDATE messages SET search = to_tsvector(cornershop_search_language(), text);
CREATE INDEX messages_search ON messages USING gin (search);

CREATE FUNCTION cornershop_message_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search := to_tsvector(cornershop_search_language(), coalesce(NEW.text, ''));
	RETURN NEW;
END $$;
CREATE TRIGGER messages_search BEFORE INSERT OR UPDATE OF text ON messages
FOR EACH ROW EXECUTE FUNCTION cornershop_message_search();

-- One document per contact: name (weight A), platform handles and display
-- names (B), profile field values (C).
CREATE TABLE contact_search (
	contact_id bigint   PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
	doc        tsvector NOT NULL
);
CREATE INDEX contact_search_doc ON contact_search USING gin (doc);

CREATE FUNCTION cornershop_contact_search_refresh(cid bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	cfg regconfig := cornershop_search_language();
BEGIN
	INSERT INTO contact_search (contact_id, doc)
	SELECT c.id,
		setweight(to_tsvector(cfg, c.name), 'A') ||
		setweight(to_tsvector(cfg, coalesce((SELECT string_agg(i.handle || ' ' || i.name, ' ') FROM identities i WHERE i.contact_id = c.id), '')), 'B') ||
		setweight(to_tsvector(cfg, coalesce((SELECT string_agg(f.value, ' ') FROM contact_fields f WHERE f.contact_id = c.id), '')), 'C')
	FROM contacts c WHERE c.id = cid
	ON CONFLICT (contact_id) DO UPDATE SET doc = EXCLUDED.doc;
END $$;

CREATE FUNCTION cornershop_contact_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'contacts' THEN
		IF TG_OP <> 'DELETE' THEN
			PERFORM cornershop_contact_search_refresh(NEW.id);
		END IF;
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		PERFORM cornershop_contact_search_refresh(OLD.contact_id);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM cornershop_contact_search_refresh(NEW.contact_id);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER contacts_search AFTER INSERT OR UPDATE OF name ON contacts
FOR EACH ROW EXECUTE FUNCTION cornershop_contact_search_trigger();
CREATE TRIGGER identities_search AFTER INSERT OR UPDATE OR DELETE ON identities
FOR EACH ROW EXECUTE FUNCTION cornershop_contact_search_trigger();
CREATE TRIGGER contact_fields_search AFTER INSERT OR UPDATE OR DELETE ON contact_fields
FOR EACH ROW EXECUTE FUNCTION cornershop_contact_search_trigger();
SELECT cornershop_contact_search_refresh(id) FROM contacts;
