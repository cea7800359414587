-- Privileges of the client classes' roles on a tenant database (applied after migrations).
-- :interactive, :api and :admin stand for the roles' quoted names. The roles own nothing.
GRANT USAGE ON SCHEMA public TO :interactive, :api, :admin;

-- interactive: reads everything, writes time entries.
GRANT SELECT ON companies, users, projects, time_entries TO :interactive;
GRANT INSERT (user_id, project_id, started_at, note), UPDATE (project_id, started_at, ended_at, note)
  ON time_entries TO :interactive;

-- api (services): no users.email, no time_entries.note; writes time entries without notes.
GRANT SELECT ON companies, projects TO :api;
GRANT SELECT (id, company_id, name, created_at) ON users TO :api;
GRANT SELECT (id, user_id, project_id, started_at, ended_at) ON time_entries TO :api;
GRANT INSERT (user_id, project_id, started_at), UPDATE (project_id, started_at, ended_at) ON time_entries TO :api;

-- admin: everything.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :admin;

GRANT USAGE ON SEQUENCE time_entries_id_seq TO :interactive, :api, :admin;
GRANT SELECT ON archive_horizon TO :interactive, :api, :admin;
