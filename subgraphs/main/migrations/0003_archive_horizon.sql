-- Where this repo's history ends: rows (time entries) started before `moved_before` live in the training repo
-- (npm run move sets it before it drops a month). Reads that reach before it are answered from
-- training or refused naming it, never silently empty.
CREATE TABLE archive_horizon (
  table_name text PRIMARY KEY,
  moved_before timestamptz NOT NULL
);
