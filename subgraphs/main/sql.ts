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

export interface TimeEntryRow {
  id: string;
  userId: string;
  projectId: string;
  startedAt: Date;
  endedAt: Date | null;
  note: string | null;
}

// char(8) comes back space-padded from PostgreSQL and unpadded from MariaDB: trim so keys match.
const companyColumns = `id, name, rtrim(legacy_customer_code) AS "legacyCustomerCode", created_at AS "createdAt"`;

/**
 * users.email and time_entries.note are private: the `api` class's role may not read them, and
 * PostgreSQL refuses a statement that merely names them. So the statements touching those
 * tables come in two variants; loaders pick the one the request's class may run.
 */
export interface PrivateColumns {
  email: boolean;
  note: boolean;
}

const userColumns = (p: PrivateColumns) =>
  `id, company_id AS "companyId", name, ${p.email ? 'email' : 'NULL::text AS email'}, created_at AS "createdAt"`;
const timeEntryColumns = (p: PrivateColumns) =>
  `id, user_id AS "userId", project_id AS "projectId", started_at AS "startedAt", ended_at AS "endedAt", ${p.note ? 'note' : 'NULL::text AS note'}`;

export const companiesByIds = `SELECT ${companyColumns} FROM companies WHERE id = ANY($1::bigint[])`;

export const companiesByLegacyCodes = `
  SELECT ${companyColumns} FROM companies WHERE legacy_customer_code = ANY($1::bpchar[])`;

/** $1 after id (null: first page), $2 page size + 1. */
export const companiesPage = `
  SELECT ${companyColumns} FROM companies
  WHERE $1::bigint IS NULL OR id > $1
  ORDER BY id
  LIMIT $2`;

function privateStatements(p: PrivateColumns) {
  return {
    usersByIds: `SELECT ${userColumns(p)} FROM users WHERE id = ANY($1::bigint[])`,

    /** One keyset page per company ($1 company ids, $2 after id, $3 page size + 1), via the (company_id, id) index. */
    usersPageByCompanies: `
      SELECT u.* FROM unnest($1::bigint[]) AS c(id)
      CROSS JOIN LATERAL (
        SELECT ${userColumns(p)} FROM users
        WHERE company_id = c.id AND ($2::bigint IS NULL OR id > $2)
        ORDER BY id
        LIMIT $3
      ) AS u`,

    /** Entries overlapping [$2, $3]: started by $3 and not ended before $2. */
    timeEntriesByUsers: `
      SELECT ${timeEntryColumns(p)} FROM time_entries
      WHERE user_id = ANY($1::bigint[]) AND started_at <= $3 AND coalesce(ended_at, 'infinity') >= $2
      ORDER BY user_id, started_at, id`,

    timeEntriesByIds: `SELECT ${timeEntryColumns(p)} FROM time_entries WHERE id = ANY($1::bigint[])`,

    /** The running entry of user $1, locked until the transaction ends. */
    runningEntryForUpdate: `
      SELECT ${timeEntryColumns(p)} FROM time_entries WHERE user_id = $1 AND ended_at IS NULL FOR UPDATE`,

    timeEntryForUpdate: `SELECT ${timeEntryColumns(p)} FROM time_entries WHERE id = $1 FOR UPDATE`,

    /** Whether the write statements below take the note ($4 / $5); without the privilege they do not. */
    writesNote: p.note,

    /** $1 user, $2 project, $3 started at[, $4 note]. */
    insertTimeEntry: p.note
      ? `INSERT INTO time_entries (user_id, project_id, started_at, note) VALUES ($1, $2, $3, $4) RETURNING ${timeEntryColumns(p)}`
      : `INSERT INTO time_entries (user_id, project_id, started_at) VALUES ($1, $2, $3) RETURNING ${timeEntryColumns(p)}`,

    stopTimeEntry: `UPDATE time_entries SET ended_at = $2 WHERE id = $1 RETURNING ${timeEntryColumns(p)}`,

    /** $1 id, $2 project, $3 started at, $4 ended at[, $5 note]: the entry's new state, all columns given. */
    updateTimeEntry: p.note
      ? `UPDATE time_entries SET project_id = $2, started_at = $3, ended_at = $4, note = $5 WHERE id = $1 RETURNING ${timeEntryColumns(p)}`
      : `UPDATE time_entries SET project_id = $2, started_at = $3, ended_at = $4 WHERE id = $1 RETURNING ${timeEntryColumns(p)}`,
  };
}

/** The statements of each privilege level, built once. */
export const withPrivateColumns = privateStatements({ email: true, note: true });
export const withoutPrivateColumns = privateStatements({ email: false, note: false });
export type PrivateStatements = typeof withPrivateColumns;

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

/** The part of each overlapping entry inside [$2, $3], summed per user; running entries end now. */
export const trackedSecondsByUsers = `
  SELECT u.id AS "userId",
         coalesce(floor(sum(extract(epoch FROM
           least(coalesce(t.ended_at, now()), $3) - greatest(t.started_at, $2)))), 0)::int AS seconds
  FROM unnest($1::bigint[]) AS u(id)
  LEFT JOIN time_entries t
    ON t.user_id = u.id AND t.started_at <= $3 AND coalesce(t.ended_at, 'infinity') >= $2
  GROUP BY u.id`;
