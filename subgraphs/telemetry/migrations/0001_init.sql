-- telemetry: GPS devices and their fixes, shared by all tenants.
CREATE TABLE devices (
  id bigint PRIMARY KEY,
  tenant text NOT NULL,
  -- ids of main repeat across tenant databases: a device's user is (tenant, user_id).
  user_id bigint,
  serial text NOT NULL UNIQUE,
  label text
);
CREATE INDEX devices_tenant_user ON devices (tenant, user_id);

CREATE TABLE positions (
  device_id bigint NOT NULL REFERENCES devices (id),
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed_kmh real,
  heading smallint,
  -- One fix per device and instant; serves tracks and "newest fix" (ORDER BY recorded_at DESC LIMIT 1).
  PRIMARY KEY (device_id, recorded_at)
);
