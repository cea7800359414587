-- A time entry that starts behind the horizon would never be read again (reads of the active
-- repo start there): the database refuses it, for every writer. SQLSTATE RG001 carries the
-- horizon in its DETAIL; the subgraph turns it into BAD_USER_INPUT.
CREATE FUNCTION refuse_time_entry_behind_horizon() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  horizon timestamptz := (SELECT max(moved_before) FROM archive_horizon WHERE table_name = 'time_entries');
BEGIN
  IF NEW.started_at < horizon THEN
    RAISE EXCEPTION 'time entry starts before the horizon' USING ERRCODE = 'RG001',
      DETAIL = to_char(horizon AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER time_entries_behind_horizon BEFORE INSERT OR UPDATE OF started_at ON time_entries
FOR EACH ROW EXECUTE FUNCTION refuse_time_entry_behind_horizon();
