-- main: business data, one database per tenant.
CREATE TABLE companies (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  legacy_customer_code char(8) UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id bigint PRIMARY KEY,
  company_id bigint NOT NULL REFERENCES companies (id),
  name text NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Company.users pages by (company_id, id): a keyset scan per company.
CREATE INDEX users_company_id_id ON users (company_id, id);

CREATE TABLE projects (
  id bigint PRIMARY KEY,
  company_id bigint NOT NULL REFERENCES companies (id),
  name text NOT NULL
);
CREATE INDEX projects_company_id ON projects (company_id, id);

CREATE TABLE time_entries (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  project_id bigint NOT NULL REFERENCES projects (id),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  note text,
  CHECK (ended_at IS NULL OR ended_at > started_at)
);
-- User.timeEntries / trackedSeconds read one user's window.
CREATE INDEX time_entries_user_started ON time_entries (user_id, started_at);
