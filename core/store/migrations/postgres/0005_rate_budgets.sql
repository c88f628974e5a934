-- Version 5 (PostgreSQL): send budgets the replicas share (core.RateBudget),
-- one row per budget: its theoretical arrival time (GCRA).
CREATE TABLE rate_budgets (
	key text PRIMARY KEY,
	tat timestamptz NOT NULL
);
