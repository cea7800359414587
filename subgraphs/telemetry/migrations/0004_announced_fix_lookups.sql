-- The fixes a notice announces, read by key for subscribers (sql.ts: fixesByKeys, fixesInRange),
-- planned with sequential scans off.
--
-- The gateway runs its statements prepared, and PostgreSQL keeps a prepared statement's generic
-- plan for the connection's life, until the tables' statistics change. Planned while the month's
-- partition was analyzed empty (a seed's VACUUM ANALYZE, or a month's fixes deleted), that plan
-- reads the partition sequentially for every key, and goes on doing so while fixes arrive at a
-- thousand a second, until autovacuum analyzes the partition again a minute or more later:
-- measured with `npm run bench:live`, the telemetry server at 141 % CPU and deliveries 7.5 s
-- late (BENCHMARKS.md, "Live data"). A lookup by primary key is never served better by a
-- sequential scan, so these two are planned without one, whatever the statistics say. PL/pgSQL
-- keeps their plans per session as a prepared statement would (a SQL function with SET would
-- be planned again on every call, about 1 ms with the partitions).
-- A fix as subscribers read it (sql.ts: LiveFixRow): its columns under the names the loaders use,
-- and its instant in epoch microseconds, the notice's key.
CREATE TYPE announced_fix AS (
  "deviceId" bigint, "recordedAt" timestamptz, latitude double precision, longitude double precision,
  "speedKmh" real, heading smallint, micros text
);

CREATE FUNCTION announced_fixes_by_keys(device_ids bigint[], instants bigint[])
  RETURNS SETOF announced_fix
  LANGUAGE plpgsql STABLE SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT p.device_id, p.recorded_at, p.lat, p.lon, p.speed_kmh, p.heading, key.micros::text
    FROM unnest(device_ids, instants) AS key (device_id, micros)
    JOIN positions p ON p.device_id = key.device_id
      AND p.recorded_at = timestamptz 'epoch' + key.micros * interval '1 microsecond';
END
$$;

CREATE FUNCTION announced_fixes_in_range(device bigint, from_micros bigint, to_micros bigint)
  RETURNS SETOF announced_fix
  LANGUAGE plpgsql STABLE SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT p.device_id, p.recorded_at, p.lat, p.lon, p.speed_kmh, p.heading, ((extract(epoch FROM p.recorded_at) * 1000000)::bigint)::text
    FROM positions p
    WHERE p.device_id = device
      AND p.recorded_at BETWEEN timestamptz 'epoch' + from_micros * interval '1 microsecond'
                            AND timestamptz 'epoch' + to_micros * interval '1 microsecond'
    ORDER BY p.recorded_at;
END
$$;
