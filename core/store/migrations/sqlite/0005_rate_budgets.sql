-- Version 5 (SQLite): the replicas' shared send budgets (core.RateBudget).
-- SQLite serves one process, whose adapters keep their budgets in memory:
-- the table keeps the two dialects' versions in step and stays empty.
CREATE TABLE rate_budgets (
	key text PRIMARY KEY,
	tat timestamp NOT NULL
);
