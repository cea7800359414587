-- training: history moved out of the active repos, whole months at a time, shared by all tenants
-- (every row carries its tenant). Rows arrive only through `npm run move`, which copies a month,
-- verifies it against its source and records each step in move_ledger.

-- Same partitioning by month as telemetry: a moved month is one partition here.
CREATE TABLE positions (
  tenant text NOT NULL,
  device_id bigint NOT NULL,
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed_kmh real,
  heading smallint,
  PRIMARY KEY (device_id, recorded_at) INCLUDE (lat, lon, speed_kmh, heading)
) PARTITION BY RANGE (recorded_at);
-- trainingPositions pages a tenant's window by (recorded_at, device_id).
CREATE INDEX positions_tenant_time ON positions (tenant, recorded_at, device_id);

CREATE TABLE time_entries (
  tenant text NOT NULL,
  id bigint NOT NULL,
  user_id bigint NOT NULL,
  project_id bigint NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  note text,
  PRIMARY KEY (tenant, id)
);
-- trainingTimeEntries pages a tenant's window by (started_at, id); a user's history for the horizon.
CREATE INDEX time_entries_tenant_started ON time_entries (tenant, started_at, id);
CREATE INDEX time_entries_tenant_user_started ON time_entries (tenant, user_id, started_at);

-- One row per (source, month): where a move stands, so a rerun after a crash knows what is done.
-- source: 'telemetry' or 'main/<tenant database>'; state: copied → verified → dropped.
CREATE TABLE move_ledger (
  source text NOT NULL,
  table_name text NOT NULL,
  month date NOT NULL,
  state text NOT NULL CHECK (state IN ('copied', 'verified', 'dropped')),
  rows bigint NOT NULL,
  checksum numeric NOT NULL,
  copy_seconds real,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, table_name, month)
);

-- The month's partition of training positions, made before its copy.
CREATE FUNCTION ensure_training_partition(month timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  name text := format('positions_%s', to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'));
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF positions FOR VALUES FROM (%L) TO (%L)',
                   name, month, month + interval '1 month');
  END IF;
END $$;
