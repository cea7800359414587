-- Privileges of the client classes' roles on the telemetry database (applied after migrations).
GRANT USAGE ON SCHEMA public TO :interactive, :api, :admin;
GRANT SELECT ON devices, positions TO :interactive, :api, :admin;
-- Devices report through services (api); people in GraphiQL do not ingest fixes.
GRANT INSERT ON positions TO :api, :admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :admin;
