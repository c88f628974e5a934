-- Version 3 (PostgreSQL): staff members' sticky preferences.
CREATE TABLE staff_prefs (
	staff_id   text PRIMARY KEY,
	as_team    boolean     NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL
);
