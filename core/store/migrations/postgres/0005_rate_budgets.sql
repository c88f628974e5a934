-- Version 5 (PostgreSQL): send budgets the replicas share (core.RateBudget),
-- one row per budget: its theoretical arrival time (GCRA). Unlogged: a
-- budget is worth nothing after a crash (an empty table is a full burst),
-- and a send's reservation then waits for no WAL flush.
CREATE UNLOGGED TABLE rate_budgets (
	key text PRIMARY KEY,
	tat timestamptz NOT NULL
);
