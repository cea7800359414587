import { horizonAt, horizonOf, withHorizon } from '../../src/subgraph-kit/horizon.js';
import { perClass, prefixed, select, type CanSee, type Column } from '../../src/subgraph-kit/columns.js';
import type { ArchivedTimeEntry } from '../../src/subgraph-kit/request-facts.js';

/**
 * Every statement of the main subgraph. Columns are aliased to GraphQL field names so default
 * resolvers read rows as they come; values are always bound parameters.
 */
export interface CompanyRow {
  id: string;
  name: string;
  legacyCustomerCode: string | null;
  createdAt: Date;
}

export interface UserRow {
  id: string;
  companyId: string;
  name: string;
  email: string | null;
  createdAt: Date;
}

export interface ProjectRow {
  id: string;
  companyId: string;
  name: string;
}

/** A time entry as the statements return it; the archive (training) returns older entries in this shape. */
export type TimeEntryRow = ArchivedTimeEntry;

/** Each class's select lists follow the field declarations (src/subgraph-kit/columns.ts). */
const companyColumns: readonly Column[] = [
  { sql: 'id' },
  { sql: 'name', field: 'Company.name', type: 'text' },
  // char(8) comes back space-padded from PostgreSQL and unpadded from MariaDB: trim so keys match.
  { sql: 'rtrim(legacy_customer_code)', as: 'legacyCustomerCode', field: 'Company.legacyCustomerCode', type: 'text' },
  { sql: 'created_at', as: 'createdAt', field: 'Company.createdAt', type: 'timestamptz' },
];

const userColumns: readonly Column[] = [
  { sql: 'id' },
  { sql: 'company_id', as: 'companyId' },
  { sql: 'name', field: 'User.name', type: 'text' },
  { sql: 'email', field: 'User.email', type: 'text' },
  { sql: 'created_at', as: 'createdAt' },
];

const timeEntryColumns: readonly Column[] = [
  { sql: 'id' },
  { sql: 'user_id', as: 'userId' },
  { sql: 'project_id', as: 'projectId' },
  { sql: 'started_at', as: 'startedAt' },
  { sql: 'ended_at', as: 'endedAt' },
  { sql: 'note', field: 'TimeEntry.note', type: 'text' },
];

/**
 * Time entries inside JSON (a joined statement's array): keys as text, since a JSON number
 * cannot hold every bigint; `rowsFromJson` reads them back as rows.
 */
const timeEntryJsonColumns: readonly Column[] = timeEntryColumns.map((column) =>
  column.sql === 'id' || column.sql.endsWith('_id') ? { ...column, sql: `${column.sql}::text`, as: column.as ?? column.sql } : column,
);

/** What a read of companies carries along in its own statement (join-ahead). */
export interface CompaniesJoin {
  /** true: the companies named by id ($1); false: a page of them ($1 after id, $2 page size + 1). */
  byIds: boolean;
  /** Each user's time entries in a window, as a JSON array (`entries`, null for none). */
  entries: boolean;
  /** Each user's tracked seconds in a window (`seconds`). */
  seconds: boolean;
}

const joinKey = ({ byIds, entries, seconds }: CompaniesJoin) => `${byIds}|${entries}|${seconds}`;

function memoizedBy<A, R>(keyOf: (arg: A) => string, build: (arg: A) => R): (arg: A) => R {
  const built = new Map<string, R>();
  return (arg) => {
    const key = keyOf(arg);
    let value = built.get(key);
    if (value === undefined) built.set(key, (value = build(arg)));
    return value;
  };
}

/**
 * Companies with a page of each one's users (then the users' page $n after id, $n+1 page size
 * + 1): a row per user (one with null user columns for a company without), the user's columns
 * named `user.<name>`. With `entries`, each user's entries overlapping the next window ($n, $n+1);
 * with `seconds`, their seconds inside the next one; with either, the horizon (`movedBefore`)
 * those windows are to be checked against. Parameters follow in that order.
 */
function companiesWithUsers(join: CompaniesJoin, columns: { companies: string; users: string; entries: string }): string {
  let next = 0;
  const parameter = () => `$${(next += 1)}`;
  const source = join.byIds
    ? `SELECT ${columns.companies} FROM companies WHERE id = ANY(${parameter()}::bigint[])`
    : `SELECT ${columns.companies} FROM companies WHERE ${parameter()}::bigint IS NULL OR id > $${next} ORDER BY id LIMIT ${parameter()}`;
  const [usersAfter, usersLimit] = [parameter(), parameter()];
  const laterals: string[] = [];
  const carried: string[] = [];
  if (join.entries) {
    const [from, to] = [parameter(), parameter()];
    carried.push('e.entries');
    laterals.push(`LEFT JOIN LATERAL (
      SELECT json_agg(t ORDER BY t."startedAt", t.id::bigint) AS entries FROM (
        SELECT ${columns.entries} FROM time_entries t
        WHERE t.user_id = u."user.id" AND ${overlapsWindow('t', from, to)}
      ) AS t
    ) AS e ON true`);
  }
  if (join.seconds) {
    const [from, to] = [parameter(), parameter()];
    carried.push('s.seconds');
    laterals.push(`LEFT JOIN LATERAL (
      SELECT ${secondsInside('t', from, to)} AS seconds FROM time_entries t
      WHERE t.user_id = u."user.id" AND ${overlapsWindow('t', from, to)}
    ) AS s ON true`);
  }
  const windowed = join.entries || join.seconds;
  return `
    ${windowed ? `WITH horizon AS (${horizonOf('time_entries')})` : ''}
    SELECT c.*, u.*${carried.map((column) => `, ${column}`).join('')}${windowed ? ', (SELECT at FROM horizon) AS "movedBefore"' : ''}
    FROM (${source}) AS c
    LEFT JOIN LATERAL (
      SELECT ${columns.users} FROM users
      WHERE company_id = c.id AND (${usersAfter}::bigint IS NULL OR id > ${usersAfter})
      ORDER BY id
      LIMIT ${usersLimit}
    ) AS u ON true
    ${laterals.join('\n    ')}
    ORDER BY c.id, u."user.id"`;
}

/** The statements a class may run, built from what it may see (once per class: `statementsFor`). */
function buildStatements(canSee: CanSee) {
  const companies = select(companyColumns, canSee);
  const users = select(userColumns, canSee);
  const entries = select(timeEntryColumns, canSee);
  const writesNote = canSee('TimeEntry.note');
  return {
    companiesByIds: `SELECT ${companies} FROM companies WHERE id = ANY($1::bigint[])`,

    companiesByLegacyCodes: `SELECT ${companies} FROM companies WHERE legacy_customer_code = ANY($1::bpchar[])`,

    /** $1 after id (null: first page), $2 page size + 1. */
    companiesPage: `
      SELECT ${companies} FROM companies
      WHERE $1::bigint IS NULL OR id > $1
      ORDER BY id
      LIMIT $2`,

    usersByIds: `SELECT ${users} FROM users WHERE id = ANY($1::bigint[])`,

    /** Users with their company in one statement, its columns named `company.<name>` (a user asked for with its company). */
    usersWithCompaniesByIds: `
      SELECT u.*, c.* FROM (SELECT ${users} FROM users WHERE id = ANY($1::bigint[])) AS u
      LEFT JOIN LATERAL (SELECT ${select(prefixed(companyColumns, 'company'), canSee)} FROM companies WHERE id = u."companyId") AS c ON true`,

    /** One keyset page per company ($1 company ids, $2 after id, $3 page size + 1), via the (company_id, id) index. */
    usersPageByCompanies: `
      SELECT u.* FROM unnest($1::bigint[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT ${users} FROM users
        WHERE company_id = c.id AND ($2::bigint IS NULL OR id > $2)
        ORDER BY id
        LIMIT $3
      ) AS u`,

    /** Companies with their users' pages and what those carry along, one statement: see `companiesWithUsers` below. */
    companiesWithUsers: memoizedBy(joinKey, (join: CompaniesJoin) => companiesWithUsers(join, { companies, users: select(prefixed(userColumns, 'user'), canSee), entries: select(timeEntryJsonColumns, canSee) })),

    /** $1 user ids; entries overlapping [$2, $3] that started from the horizon on (see withHorizon). */
    timeEntriesByUsers: withHorizon('time_entries', `
      SELECT ${entries} FROM unnest($1::bigint[]) AS asked(uid)
      JOIN time_entries t ON t.user_id = asked.uid AND ${overlapsWindow('t', '$2', '$3')}`, '"userId", "startedAt", id'),

    timeEntriesByIds: `SELECT ${entries} FROM time_entries WHERE id = ANY($1::bigint[])`,

    /** The running entry of user $1, locked until the transaction ends. */
    runningEntryForUpdate: `SELECT ${entries} FROM time_entries WHERE user_id = $1 AND ended_at IS NULL FOR UPDATE`,

    timeEntryForUpdate: `SELECT ${entries} FROM time_entries WHERE id = $1 FOR UPDATE`,

    /** Whether the write statements below take the note ($4 / $5); a class that may not see notes writes none. */
    writesNote,

    /** $1 user, $2 project, $3 started at[, $4 note]. */
    insertTimeEntry: writesNote
      ? `INSERT INTO time_entries (user_id, project_id, started_at, note) VALUES ($1, $2, $3, $4) RETURNING ${entries}`
      : `INSERT INTO time_entries (user_id, project_id, started_at) VALUES ($1, $2, $3) RETURNING ${entries}`,

    stopTimeEntry: `UPDATE time_entries SET ended_at = $2 WHERE id = $1 RETURNING ${entries}`,

    /** $1 id, $2 project, $3 started at, $4 ended at[, $5 note]: the entry's new state, all columns given. */
    updateTimeEntry: writesNote
      ? `UPDATE time_entries SET project_id = $2, started_at = $3, ended_at = $4, note = $5 WHERE id = $1 RETURNING ${entries}`
      : `UPDATE time_entries SET project_id = $2, started_at = $3, ended_at = $4 WHERE id = $1 RETURNING ${entries}`,
  };
}

export type Statements = ReturnType<typeof buildStatements>;

/** The statements for a class's `canSee`, built once per class. */
export const statementsFor = perClass(buildStatements);

/** A user's company, for checking a project belongs to it. */
export const projectOfUsersCompany = `
  SELECT p.id FROM projects p JOIN users u ON u.company_id = p.company_id WHERE u.id = $1 AND p.id = $2`;

/** The tenant's legacy customer codes: the only legacy customers its requests may reach. */
export const legacyCustomerCodes = `
  SELECT rtrim(legacy_customer_code) AS code FROM companies WHERE legacy_customer_code IS NOT NULL`;

export const projectsByIds = `SELECT id, company_id AS "companyId", name FROM projects WHERE id = ANY($1::bigint[])`;

export const projectsByCompanies = `
  SELECT id, company_id AS "companyId", name FROM projects
  WHERE company_id = ANY($1::bigint[])
  ORDER BY company_id, id`;

/**
 * Entries `t` overlapping [from, to] (started by `to`, not ended before `from`; a running entry's
 * range is open-ended) that started from the horizon on (see withHorizon). Written as the range
 * overlap the (user_id, range) GiST index answers (migration 0006).
 */
const overlapsWindow = (t: string, from: string, to: string) =>
  `tstzrange(${t}.started_at, ${t}.ended_at, '[]') && tstzrange(${from}, ${to}, '[]') AND ${t}.started_at >= ${horizonAt}`;

/** The seconds of entries `t` inside [from, to], summed; running entries end now. Unrounded. */
const secondsInside = (t: string, from: string, to: string) =>
  `coalesce(sum(extract(epoch FROM least(coalesce(${t}.ended_at, now()), ${to}) - greatest(${t}.started_at, ${from}))), 0)::float8`;

/**
 * The part of each overlapping entry inside [$2, $3], summed per user; running entries end now.
 * Unrounded: the resolver floors the sum, after adding the archive's part where there is one.
 */
export const trackedSecondsByUsers = withHorizon('time_entries', `
  SELECT u.id::text AS "userId", ${secondsInside('t', '$2', '$3')} AS seconds
  FROM unnest($1::bigint[]) AS u(id)
  LEFT JOIN time_entries t ON t.user_id = u.id AND ${overlapsWindow('t', '$2', '$3')}
  GROUP BY u.id`, '"userId"');
