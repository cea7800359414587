-- Writes to time entries: ids from a sequence (past the seed's), and the rule that a user has
-- at most one running entry, enforced by the database as well as by the mutation.
CREATE SEQUENCE time_entries_id_seq AS bigint START WITH 10000000 OWNED BY time_entries.id;
ALTER TABLE time_entries ALTER COLUMN id SET DEFAULT nextval('time_entries_id_seq');
CREATE UNIQUE INDEX time_entries_one_running_per_user ON time_entries (user_id) WHERE ended_at IS NULL;
