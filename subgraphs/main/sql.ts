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

const companyColumns = `id, name, legacy_customer_code AS "legacyCustomerCode", created_at AS "createdAt"`;
const userColumns = `id, company_id AS "companyId", name, email, created_at AS "createdAt"`;

export const companiesByIds = `SELECT ${companyColumns} FROM companies WHERE id = ANY($1::bigint[])`;

export const companiesByLegacyCodes = `
  SELECT ${companyColumns} FROM companies WHERE legacy_customer_code = ANY($1::bpchar[])`;

/** $1 after id (null: first page), $2 page size + 1. */
export const companiesPage = `
  SELECT ${companyColumns} FROM companies
  WHERE $1::bigint IS NULL OR id > $1
  ORDER BY id
  LIMIT $2`;

export const usersByIds = `SELECT ${userColumns} FROM users WHERE id = ANY($1::bigint[])`;

/** One keyset page per company ($1 company ids, $2 after id, $3 page size + 1), via the (company_id, id) index. */
export const usersPageByCompanies = `
  SELECT u.* FROM unnest($1::bigint[]) AS c(id)
  CROSS JOIN LATERAL (
    SELECT ${userColumns} FROM users
    WHERE company_id = c.id AND ($2::bigint IS NULL OR id > $2)
    ORDER BY id
    LIMIT $3
  ) AS u`;

export const projectsByIds = `SELECT id, company_id AS "companyId", name FROM projects WHERE id = ANY($1::bigint[])`;

export const projectsByCompanies = `
  SELECT id, company_id AS "companyId", name FROM projects
  WHERE company_id = ANY($1::bigint[])
  ORDER BY company_id, id`;

/** Entries overlapping [$2, $3]: started by $3 and not ended before $2. */
export const timeEntriesByUsers = `
  SELECT id, user_id AS "userId", project_id AS "projectId", started_at AS "startedAt",
         ended_at AS "endedAt", note
  FROM time_entries
  WHERE user_id = ANY($1::bigint[]) AND started_at <= $3 AND coalesce(ended_at, 'infinity') >= $2
  ORDER BY user_id, started_at, id`;

/** The part of each overlapping entry inside [$2, $3], summed per user; running entries end now. */
export const trackedSecondsByUsers = `
  SELECT u.id AS "userId",
         coalesce(floor(sum(extract(epoch FROM
           least(coalesce(t.ended_at, now()), $3) - greatest(t.started_at, $2)))), 0)::int AS seconds
  FROM unnest($1::bigint[]) AS u(id)
  LEFT JOIN time_entries t
    ON t.user_id = u.id AND t.started_at <= $3 AND coalesce(t.ended_at, 'infinity') >= $2
  GROUP BY u.id`;
