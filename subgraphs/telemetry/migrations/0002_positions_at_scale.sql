-- positions at GPS scale: monthly range partitions on recorded_at, a BRIN index for time scans,
-- the primary key carrying the fix's columns (INCLUDE) so tracks are index-only scans, and
-- device_last_position kept current on ingest so "last fix of N devices" is one indexed lookup.

CREATE TABLE device_last_position (
  device_id bigint PRIMARY KEY REFERENCES devices (id),
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed_kmh real,
  heading smallint
);

ALTER TABLE positions RENAME TO positions_unpartitioned;
ALTER TABLE positions_unpartitioned RENAME CONSTRAINT positions_pkey TO positions_unpartitioned_pkey;

CREATE TABLE positions (
  device_id bigint NOT NULL REFERENCES devices (id),
  recorded_at timestamptz NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed_kmh real,
  heading smallint,
  PRIMARY KEY (device_id, recorded_at) INCLUDE (lat, lon, speed_kmh, heading)
) PARTITION BY RANGE (recorded_at);

CREATE INDEX positions_recorded_at_brin ON positions USING brin (recorded_at);

-- Creates the monthly partitions covering [from, to) that do not exist yet; returns how many it made.
CREATE FUNCTION ensure_position_partitions(from_ts timestamptz, to_ts timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  month timestamptz := date_trunc('month', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  made int := 0;
  name text;
BEGIN
  WHILE month < to_ts LOOP
    name := format('positions_%s', to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'));
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF positions FOR VALUES FROM (%L) TO (%L)',
                     name, month, month + interval '1 month');
      made := made + 1;
    END IF;
    month := month + interval '1 month';
  END LOOP;
  RETURN made;
END $$;

-- Two years back and one ahead; the gateway and the seeds extend it ahead as time passes.
SELECT ensure_position_partitions(now() - interval '2 years', now() + interval '1 year');
SELECT ensure_position_partitions(coalesce(min(recorded_at), now()), coalesce(max(recorded_at), now()) + interval '1 month')
FROM positions_unpartitioned;

INSERT INTO positions SELECT * FROM positions_unpartitioned;
DROP TABLE positions_unpartitioned;

INSERT INTO device_last_position
SELECT DISTINCT ON (device_id) device_id, recorded_at, lat, lon, speed_kmh, heading
FROM positions ORDER BY device_id, recorded_at DESC;
