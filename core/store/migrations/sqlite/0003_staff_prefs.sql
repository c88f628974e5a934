-- Version 3 (SQLite): staff members' sticky preferences.
CREATE TABLE staff_prefs (
	staff_id   TEXT PRIMARY KEY,
	as_team    BOOLEAN  NOT NULL DEFAULT 0,
	updated_at DATETIME NOT NULL
);
