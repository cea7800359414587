/**
 * The tables whose history moves to training, one entry each: where its sources are, which
 * months a source holds, the SQL that yields a month's rows as training's columns, and how a
 * month is dropped from the source. Everything else (copy, verify, ledger, horizon, reruns) is
 * the same loop over this list (run-move.ts, move-month.ts).
 */
import pg from 'pg';
import type { Topology } from '../config.js';
import { databaseUrl } from '../tenancy/tenant-admin.js';
import { withPgClient } from '../repo/pg-client.js';
import { figuresSql, queryFigures, sameFigures, type Figures } from './figures.js';
import { MoveMismatchError } from './move-error.js';
import { monthEnd, monthOf, monthStart, partitionMonth, partitionName, type MonthKey } from './months.js';
import type { SourceMonth } from './plan.js';
import { withLockRetries, type LockRetry } from './session.js';

/** One database a table's months move out of; its name keys the ledger. */
export interface MoveSource {
  /** `telemetry`, `main/<tenant slug>`. */
  name: string;
  table: MovedTable;
  /** Owner URL of the source database. */
  url: string;
  /** The tenant every row of this source belongs to (a database per tenant). */
  tenant?: string;
}

export interface DropOptions extends LockRetry {
  /** The test hook's mid-drop point: called with the drop's first effect once it is under way. */
  dropStarted(work: Promise<unknown>): Promise<void>;
  /** Says when a lock was not granted in time and the drop steps back to try again. */
  log(line: string): void;
}

export interface MovedTable {
  /** Its name in the source, in training and as archive_horizon's key. */
  table: string;
  /** The topology repo holding the sources. */
  repo: string;
  /** Training's columns, in COPY order; the checksum hashes them in this order too. */
  columns: readonly string[];
  /** Training's column that puts a row in a month. */
  timeColumn: string;
  sources(topology: Topology): Promise<MoveSource[]>;
  /** Training's rows of one source: every row (shared source) or one tenant's. */
  trainingScope(source: MoveSource): string;
  /** Made before the copy's transaction, so the copy never holds a DDL lock readers would wait on. */
  prepareTraining?(training: pg.ClientBase, month: MonthKey): Promise<void>;
  /** Months the source holds before `before`, and which of `alsoCheck` (in-flight months) it still holds. */
  heldMonths(client: pg.ClientBase, before: MonthKey, alsoCheck: readonly MonthKey[]): Promise<SourceMonth[]>;
  /** A SELECT yielding training's columns for the source's rows of `held.month`. */
  sourceRows(source: MoveSource, held: SourceMonth): string;
  /**
   * Removes the month from the source, but only rows whose figures are `expected` (what training
   * verified): rows that arrived since stay, and the month fails.
   */
  drop(client: pg.ClientBase, source: MoveSource, held: SourceMonth, expected: Figures, options: DropOptions): Promise<void>;
}

const literal = (value: string) => pg.escapeLiteral(value);
const instant = (at: Date) => `${literal(at.toISOString())}::timestamptz`;

/** `column` within the month, as a condition with literal bounds (COPY (SELECT …) takes no parameters). */
export function inMonth(column: string, month: MonthKey): string {
  return `${column} >= ${instant(monthStart(month))} AND ${column} < ${instant(monthEnd(month))}`;
}

type PartitionState = 'attached' | 'detach pending' | 'detached' | 'gone';

async function partitionState(client: pg.ClientBase, parent: string, relation: string): Promise<PartitionState> {
  const { rows } = await client.query<{ exists: boolean; inherits: boolean; pending: boolean | null }>(
    `SELECT c.oid IS NOT NULL AS exists, i.inhrelid IS NOT NULL AS inherits, i.inhdetachpending AS pending
     FROM (SELECT to_regclass($1) AS oid) c
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = to_regclass($2)`,
    [pg.escapeIdentifier(relation), pg.escapeIdentifier(parent)],
  );
  const row = rows[0]!;
  if (!row.exists) return 'gone';
  if (!row.inherits) return 'detached';
  return row.pending ? 'detach pending' : 'attached';
}

const positions: MovedTable = {
  table: 'positions',
  repo: 'telemetry',
  columns: ['tenant', 'device_id', 'recorded_at', 'lat', 'lon', 'speed_kmh', 'heading'],
  timeColumn: 'recorded_at',
  async sources(topology) {
    const repo = topology.repos.telemetry;
    return repo?.driver === 'pg' ? [{ name: 'telemetry', table: positions, url: repo.url }] : [];
  },
  trainingScope: () => 'true',
  async prepareTraining(training, month) {
    await training.query('SELECT ensure_training_partition($1::timestamptz)', [monthStart(month)]);
  },
  // A month is a partition: attached (or detach pending) ones from the catalog, empty ones too
  // (moving them is cheap and advances the horizon), and for in-flight months a table a killed
  // drop left detached, found by its name.
  async heldMonths(client, before, alsoCheck) {
    const { rows } = await client.query<{ relation: string; bound: string }>(
      `SELECT c.relname AS relation, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'positions'::regclass`,
    );
    const held = new Map<MonthKey, SourceMonth>();
    for (const { relation, bound } of rows) {
      const month = partitionMonth(bound);
      if (month && (month < before || alsoCheck.includes(month))) held.set(month, { month, relation });
    }
    for (const month of alsoCheck.filter((candidate) => !held.has(candidate))) {
      const relation = partitionName('positions', month);
      if ((await partitionState(client, 'positions', relation)) !== 'gone') held.set(month, { month, relation });
    }
    return [...held.values()];
  },
  // The partition by its name, not the parent: that reads the month whether it is attached,
  // detach pending (the parent no longer shows it) or detached. LEFT JOIN: a fix whose device is
  // missing fails the copy on training's NOT NULL tenant instead of silently staying behind.
  sourceRows(_source, held) {
    return `SELECT d.tenant, p.device_id, p.recorded_at, p.lat, p.lon, p.speed_kmh, p.heading
      FROM ${pg.escapeIdentifier(held.relation!)} p LEFT JOIN devices d ON d.id = p.device_id
      WHERE ${inMonth('p.recorded_at', held.month)}`;
  },
  // DETACH … CONCURRENTLY lets readers and writers of positions go on (a plain DETACH would lock
  // the whole table); it runs in two transactions, so a kill between them leaves the partition
  // "detach pending", which FINALIZE completes. Each attempt starts from the state it finds.
  async drop(client, source, held, expected, options) {
    const relation = held.relation!;
    const name = pg.escapeIdentifier(relation);
    await withLockRetries(client, options, `${source.name}: dropping ${relation}`, async () => {
      for (;;) {
        const state = await partitionState(client, 'positions', relation);
        if (state === 'gone') return;
        if (state === 'attached') {
          const detach = client.query(`ALTER TABLE positions DETACH PARTITION ${name} CONCURRENTLY`);
          await options.dropStarted(detach);
          await detach;
        } else if (state === 'detach pending') {
          await client.query(`ALTER TABLE positions DETACH PARTITION ${name} FINALIZE`);
        } else {
          // Detached: no write reaches it any more, so these figures are final.
          const figures = await queryFigures(client, figuresSql(positions.columns, positions.sourceRows(source, held)));
          if (!sameFigures(figures, expected)) throw new MoveMismatchError(source.name, 'positions', held.month, 'the detached partition (kept, not dropped)', figures, 'training', expected);
          await client.query(`DROP TABLE ${name}`);
          return;
        }
      }
    }, options.log);
  },
};

const timeEntries: MovedTable = {
  table: 'time_entries',
  repo: 'main',
  columns: ['tenant', 'id', 'user_id', 'project_id', 'started_at', 'ended_at', 'note'],
  timeColumn: 'started_at',
  // One source per tenant database, every registered tenant (a suspended tenant's history moves too).
  async sources(topology) {
    const repo = topology.repos.main;
    if (repo?.driver !== 'pg') return [];
    const tenants = await withPgClient(topology.tenancy.registryUrl, async (client) =>
      (await client.query<{ slug: string; database: string }>('SELECT slug, database FROM tenants ORDER BY slug')).rows);
    return tenants.map(({ slug, database }) => ({ name: `main/${slug}`, table: timeEntries, url: databaseUrl(repo.url, database), tenant: slug }));
  },
  trainingScope: (source) => `tenant = ${literal(source.tenant!)}`,
  async heldMonths(client, before, alsoCheck) {
    const { rows } = await client.query<{ month: Date }>(
      "SELECT DISTINCT date_trunc('month', started_at) AS month FROM time_entries WHERE started_at < $1",
      [monthStart(before)],
    );
    const held = new Set(rows.map((row) => monthOf(row.month)));
    for (const month of alsoCheck.filter((candidate) => !held.has(candidate))) {
      const { rows: [found] } = await client.query<{ held: boolean }>(`SELECT EXISTS (SELECT 1 FROM time_entries WHERE ${inMonth('started_at', month)}) AS held`);
      if (found!.held) held.add(month);
    }
    return [...held].map((month) => ({ month }));
  },
  sourceRows(source, held) {
    return `SELECT ${literal(source.tenant!)}::text AS tenant, id, user_id, project_id, started_at, ended_at, note
      FROM time_entries WHERE ${inMonth('started_at', held.month)}`;
  },
  // One transaction: the DELETE returns what it removed, and unless that is exactly what training
  // verified it rolls back (a row written since the verification stays, and the month fails).
  async drop(client, source, held, expected, options) {
    await withLockRetries(client, options, `${source.name}: deleting ${held.month}`, async () => {
      await client.query('BEGIN');
      try {
        const deleted = await queryFigures(client, figuresSql(timeEntries.columns,
          `DELETE FROM time_entries WHERE ${inMonth('started_at', held.month)}
           RETURNING ${literal(source.tenant!)}::text AS tenant, id, user_id, project_id, started_at, ended_at, note`));
        if (!sameFigures(deleted, expected)) throw new MoveMismatchError(source.name, 'time_entries', held.month, 'the source (delete rolled back)', deleted, 'training', expected);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }, options.log);
    // The delete is one transaction: a kill inside it is a kill before it (rolled back, which
    // after-verify covers); the state worth the test hook is the one after its commit.
    await options.dropStarted(Promise.resolve());
  },
};

/** What `npm run move` moves, in this order. */
export const movedTables: readonly MovedTable[] = [positions, timeEntries];
