-- Privileges of the client classes' roles on the telemetry database (applied after migrations).
GRANT USAGE ON SCHEMA public TO :interactive, :api, :admin;
GRANT SELECT ON devices, positions TO :interactive, :api, :admin;
-- Devices report through services (api); people in GraphiQL do not ingest fixes.
GRANT INSERT ON positions TO :api, :admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :admin;
GRANT SELECT ON device_last_position TO :interactive, :api, :admin;
GRANT INSERT, UPDATE ON device_last_position TO :api, :admin;
-- ensure_position_partitions creates tables: only the owner (migrations, seeds, maintenance) runs it.
REVOKE EXECUTE ON FUNCTION ensure_position_partitions(timestamptz, timestamptz) FROM PUBLIC;

-- Not a grant, but belongs to every run after migrations: keep a year of monthly partitions ahead.
SELECT ensure_position_partitions(now() - interval '1 month', now() + interval '1 year');
GRANT SELECT ON archive_horizon TO :interactive, :api, :admin;
