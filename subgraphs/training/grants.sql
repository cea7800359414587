-- Privileges of the client classes' roles on the training database (applied after migrations).
-- Read-only for every class that may see it: ml (its only database) and admin. Interactive and
-- api get nothing here unless a deployment grants them (and lists them in repos.training.classes).
GRANT USAGE ON SCHEMA public TO :ml, :admin;
GRANT SELECT ON positions, time_entries TO :ml, :admin;
-- Partitions made by later moves are read through the parent; no per-partition grants needed.
REVOKE EXECUTE ON FUNCTION ensure_training_partition(timestamptz) FROM PUBLIC;
