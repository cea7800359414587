/**
 * The start-up check that the class roles' GRANTs and the descriptors' field declarations agree,
 * both ways. Every field a class's schema shows maps to columns (the subgraph's `fields`); each
 * table's columns are probed on the class's own pool with `SELECT <columns> FROM <table> WHERE
 * 1 = 0`: no row is read, and the database answers with the privileges it really applies
 * (column grants, PUBLIC, role membership), which a reading of information_schema can get wrong.
 * A refusal is a gap. And a column that only fields hidden from a class read must be refused to
 * that class's role: if the role may read it, the declaration promises a privacy the database
 * does not keep. The gateway will not start with either.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import mysql from 'mysql2';
import pg from 'pg';
import { clientClasses, repoConfig, type ClientClass, type RepoName } from '../config.js';
import { ForbiddenError } from '../errors.js';
import type { RepoRegistry } from '../repo/registry.js';
import { hiddenFieldsOf, type AnySubgraph } from '../subgraph-kit/subgraph.js';

export interface GrantGap {
  clientClass: ClientClass;
  repo: RepoName;
  database?: string;
  column: string;
  /** The fields that need it (a gap), or the hidden fields that alone read it (an exposure). */
  fields: string[];
}

function visibleFields(schema: GraphQLSchema): Set<string> {
  const fields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) fields.add(`${type.name}.${field}`);
  }
  return fields;
}

type Columns = Map<string, Map<string, string[]>>;

/** table → column → the fields that need it, for the fields `include` accepts. */
function columnsOf(subgraph: AnySubgraph, include: (field: string) => boolean): Columns {
  const tables: Columns = new Map();
  for (const [field, { columns = [] }] of Object.entries(subgraph.fields)) {
    if (!include(field)) continue;
    for (const qualified of columns) {
      const [table, column] = qualified.split('.') as [string, string];
      const byColumn = tables.get(table) ?? new Map<string, string[]>();
      byColumn.set(column, [...(byColumn.get(column) ?? []), field]);
      tables.set(table, byColumn);
    }
  }
  return tables;
}

const quoters = { pg: (id: string) => pg.escapeIdentifier(id), mysql: (id: string) => mysql.escapeId(id) };

/** Every (subgraph, class, database) whose role is probed: each tenant's database where there is one per tenant. */
function* targets(registry: RepoRegistry, subgraphs: readonly AnySubgraph[], tenantDatabases: readonly string[]) {
  for (const subgraph of subgraphs) {
    // A remote subgraph's repo is its service's: this process opens no pool there.
    if (!registry.repoNames.includes(subgraph.name)) continue;
    const databases = subgraph.tenancy === 'database-per-tenant' ? tenantDatabases : [undefined];
    for (const clientClass of clientClasses) {
      // No login there: nothing to probe, and nothing it could read.
      if (!repoConfig(registry.topology, subgraph.name).roles[clientClass]) continue;
      for (const database of databases) yield { subgraph, clientClass, database };
    }
  }
}

/**
 * The probe before it on each pool: a pool's probes run one after another. A class pool may be
 * a single connection (a small class split over gateway workers) with a short queue behind it,
 * and the check must not be what finds that queue full.
 */
const lastProbe = new WeakMap<object, Promise<unknown>>();

function prober(registry: RepoRegistry, repo: RepoName, clientClass: ClientClass, database: string | undefined) {
  const quote = quoters[repoConfig(registry.topology, repo).driver];
  const pool = registry.database({ repo, clientClass, server: 'primary', database });
  const probe = async (table: string, columns: string[]): Promise<boolean> => {
    try {
      await pool.query(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE 1 = 0`);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError) return false;
      throw error;
    }
  };
  return (table: string, columns: string[]): Promise<boolean> => {
    const run = (lastProbe.get(pool) ?? Promise.resolve()).then(() => probe(table, columns));
    lastProbe.set(pool, run.catch(() => undefined));
    return run;
  };
}

const byClassRepoColumn = (a: GrantGap, b: GrantGap) => `${a.clientClass}${a.repo}${a.column}`.localeCompare(`${b.clientClass}${b.repo}${b.column}`);

/** Columns a class's schema needs that its role may not read. */
export async function findGrantGaps(
  registry: RepoRegistry,
  subgraphs: readonly AnySubgraph[],
  schemas: Record<ClientClass, GraphQLSchema>,
  tenantDatabases: readonly string[],
): Promise<GrantGap[]> {
  const gaps: GrantGap[] = [];
  const visible = Object.fromEntries(clientClasses.map((c) => [c, visibleFields(schemas[c])])) as Record<ClientClass, Set<string>>;
  await Promise.all(
    [...targets(registry, subgraphs, tenantDatabases)].flatMap(({ subgraph, clientClass, database }) => {
      const probe = prober(registry, subgraph.name, clientClass, database);
      return [...columnsOf(subgraph, (field) => visible[clientClass].has(field))].map(async ([table, byColumn]) => {
        if (await probe(table, [...byColumn.keys()])) return;
        for (const [column, fields] of byColumn) {
          if (!(await probe(table, [column]))) gaps.push({ clientClass, repo: subgraph.name, database, column: `${table}.${column}`, fields });
        }
      });
    }),
  );
  return gaps.sort(byClassRepoColumn);
}

/** Columns only fields hidden from a class read, which its role may read all the same. */
export async function findGrantExposures(
  registry: RepoRegistry,
  subgraphs: readonly AnySubgraph[],
  tenantDatabases: readonly string[],
): Promise<GrantGap[]> {
  const exposures: GrantGap[] = [];
  await Promise.all(
    [...targets(registry, subgraphs, tenantDatabases)].flatMap(({ subgraph, clientClass, database }) => {
      const hidden = hiddenFieldsOf(subgraphs, clientClass);
      const seen = columnsOf(subgraph, (field) => !hidden.has(field));
      const probe = prober(registry, subgraph.name, clientClass, database);
      return [...columnsOf(subgraph, (field) => hidden.has(field))].flatMap(([table, byColumn]) =>
        [...byColumn]
          .filter(([column]) => !seen.get(table)?.has(column))
          .map(async ([column, fields]) => {
            if (await probe(table, [column])) exposures.push({ clientClass, repo: subgraph.name, database, column: `${table}.${column}`, fields });
          }),
      );
    }),
  );
  return exposures.sort(byClassRepoColumn);
}

const where = (gap: GrantGap) => `${gap.repo}${gap.database ? `/${gap.database}` : ''}`;

export function describeGrantGaps(gaps: readonly GrantGap[], exposures: readonly GrantGap[] = []): string {
  const parts: string[] = [];
  if (gaps.length > 0) {
    const lines = gaps.map((gap) => `  ${gap.clientClass}: ${where(gap)} may not SELECT ${gap.column} (needed by ${gap.fields.join(', ')})`);
    parts.push(`the client classes' roles lack GRANTs for fields their schemas show:\n${lines.join('\n')}\n` +
      "grant them (subgraphs/<name>/grants.sql, npm run migrate) or hide the fields (the subgraph's fields.ts, hiddenFrom)");
  }
  if (exposures.length > 0) {
    const lines = exposures.map((gap) => `  ${gap.clientClass}: ${where(gap)} may SELECT ${gap.column} (read only by ${gap.fields.join(', ')}, hidden from ${gap.clientClass})`);
    parts.push(`the client classes' roles may read what their declarations hide:\n${lines.join('\n')}\n` +
      "revoke it (subgraphs/<name>/grants.sql) or stop hiding the fields (the subgraph's fields.ts, hiddenFrom)");
  }
  return parts.join('\n');
}
