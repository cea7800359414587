/**
 * A user's time entries in a window are found by the overlap itself (subgraphs/main/sql.ts:
 * overlapsWindow) through the (user_id, range) GiST index of migration 0006, not by walking every
 * entry a user started before the window ends. Each windowed statement is held here to that
 * index, in the plans PostgreSQL makes for a prepared statement (with its values, then generic),
 * and to the answers of the same statement written with the plain comparisons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { statementsFor, trackedSecondsByUsers } from '../subgraphs/main/sql.js';
import { mainUrl, pgRows } from './support.js';

const statements = statementsFor(() => true);

/** The statement as it was before migration 0006: bounded by the index on its start only. */
const withPlainComparisons = (sql: string) =>
  sql.replace(/tstzrange\(t\.started_at, t\.ended_at, '\[\]'\) && tstzrange\((\$\d+), (\$\d+), '\[\]'\)/g, "t.started_at <= $2 AND coalesce(t.ended_at, 'infinity') >= $1");

/** Windows of the seed's last weeks (before it ends, so a running entry's part is the same whenever the test runs), and edges. */
let windows: { from: string; to: string }[];
let userIds: string[];
let companyId: string;

beforeAll(async () => {
  // A company whose users include one with a running entry.
  const [running] = await pgRows<{ userId: string; companyId: string; startedAt: Date }>(mainUrl(),
    `SELECT t.user_id::text AS "userId", u.company_id::text AS "companyId", t.started_at AS "startedAt"
     FROM time_entries t JOIN users u ON u.id = t.user_id WHERE t.ended_at IS NULL ORDER BY t.user_id LIMIT 1`);
  companyId = running!.companyId;
  userIds = (await pgRows<{ id: string }>(mainUrl(), 'SELECT id::text FROM users WHERE company_id = $1 ORDER BY id', [companyId])).map((row) => row.id);
  // An entry's exact end and another's exact start: the window's bounds are inclusive.
  const [edge] = await pgRows<{ endedAt: Date; startedAt: Date }>(mainUrl(),
    `SELECT (SELECT ended_at FROM time_entries WHERE user_id = ANY($1::bigint[]) AND ended_at IS NOT NULL ORDER BY ended_at DESC OFFSET 30 LIMIT 1) AS "endedAt",
            (SELECT started_at FROM time_entries WHERE user_id = ANY($1::bigint[]) ORDER BY started_at DESC OFFSET 10 LIMIT 1) AS "startedAt"`,
    [userIds]);
  const seedEnd = running!.startedAt.getTime() + 60_000;
  const days = (n: number) => n * 86_400_000;
  windows = [
    { from: new Date(seedEnd - days(7)).toISOString(), to: new Date(seedEnd).toISOString() },
    { from: new Date(seedEnd - days(60)).toISOString(), to: new Date(seedEnd - days(30)).toISOString() },
    { from: edge!.endedAt.toISOString(), to: edge!.startedAt.toISOString() },
    { from: edge!.startedAt.toISOString(), to: edge!.startedAt.toISOString() },
  ];
});

const windowed = () => [
  { name: 'trackedSecondsByUsers', sql: trackedSecondsByUsers, values: (w: { from: string; to: string }) => [userIds, w.from, w.to] },
  { name: 'timeEntriesByUsers', sql: statements.timeEntriesByUsers, values: (w: { from: string; to: string }) => [userIds, w.from, w.to] },
  {
    name: 'companiesWithUsers (entries and seconds)',
    sql: statements.companiesWithUsers({ byIds: true, entries: true, seconds: true }),
    values: (w: { from: string; to: string }) => [[companyId], null, 51, w.from, w.to, w.from, w.to],
  },
];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** How a plan reads time_entries: each scan of it, by the index it goes through (a bitmap scan's, below it), or its kind. */
function readsOfTimeEntries(node: PlanNode): string[] {
  const indexesBelow = (n: PlanNode): string[] => [...(n['Index Name'] ? [n['Index Name']] : []), ...(n.Plans ?? []).flatMap(indexesBelow)];
  const own = node['Relation Name'] === 'time_entries' ? (node['Index Name'] ? [node['Index Name']] : node['Node Type'] === 'Bitmap Heap Scan' ? indexesBelow(node) : [node['Node Type']]) : [];
  return [...own, ...(node.Plans ?? []).flatMap(readsOfTimeEntries)];
}

describe('windows of time entries', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client(mainUrl());
    await client.connect();
  });
  afterAll(() => client.end());

  it('answer as the plain comparisons do, a running entry and inclusive bounds included', async () => {
    for (const { name, sql, values } of windowed()) {
      const plainSql = withPlainComparisons(sql);
      expect(sql, name).toContain('tstzrange(');
      expect(plainSql, name).not.toContain('tstzrange(');
      for (const window of windows) {
        const ours = await client.query(sql, values(window));
        const plain = await client.query(plainSql, values(window));
        expect(ours.rows, `${name} ${JSON.stringify(window)}`).toEqual(plain.rows);
      }
    }
    // The windows reach rows: an equality of empty answers would prove nothing.
    const seconds = await client.query<{ seconds: number }>(trackedSecondsByUsers, [userIds, windows[0]!.from, windows[0]!.to]);
    expect(seconds.rows.some((row) => row.seconds > 0)).toBe(true);
    const edges = await client.query(statements.timeEntriesByUsers, [userIds, windows[3]!.from, windows[3]!.to]);
    expect(edges.rows.filter((row) => row.id !== null).length).toBeGreaterThan(0);
  });

  it.each(['force_custom_plan', 'force_generic_plan'])('read time_entries through the (user_id, range) index in a %s', async (mode) => {
    await client.query(`SET plan_cache_mode = ${mode}`);
    try {
      for (const { name, sql, values } of windowed()) {
        await client.query(`PREPARE windowed AS ${sql}`);
        try {
          const literal = (value: unknown) => (value === null ? 'NULL' : pg.escapeLiteral(Array.isArray(value) ? `{${value.join(',')}}` : String(value)));
          const explained = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE windowed(${values(windows[0]!).map(literal).join(', ')})`);
          const reads = readsOfTimeEntries(explained.rows[0]['QUERY PLAN'][0].Plan);
          expect(reads, name).not.toHaveLength(0);
          for (const read of reads) expect(read, name).toBe('time_entries_user_during');
        } finally {
          await client.query('DEALLOCATE windowed');
        }
      }
    } finally {
      await client.query('RESET plan_cache_mode');
    }
  });
});
