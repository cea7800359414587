-- A user's entries overlapping a window (User.timeEntries, User.trackedSeconds), found by the
-- overlap itself: `tstzrange(started_at, ended_at, '[]') && tstzrange(from, to, '[]')`, a
-- running entry's range open-ended. The (user_id, started_at) index bounds only the start, so it
-- walked every entry a user ever started before `to` and filtered them on ended_at: for the last
-- week of the demo, 125 entries read for 10 kept, 2,500 buffers for a company of 20 users, the
-- largest part of the database's CPU per dashboard request. Covering started_at and ended_at,
-- the sums read the index alone.
--
-- Alone in its file: CONCURRENTLY cannot run in a transaction (a migration file of several
-- statements is one), and it keeps the table writable while a large one is indexed. A build
-- that fails leaves an INVALID index behind, and the next start says it exists: drop it then.
CREATE INDEX CONCURRENTLY time_entries_user_during
  ON time_entries USING gist (user_id, tstzrange(started_at, ended_at, '[]')) INCLUDE (started_at, ended_at);
