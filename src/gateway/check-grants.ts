/**
 * The start-up check that every field a client class can reach is covered by its role's
 * GRANTs. For each class, the fields its schema shows map to columns (subgraphs/<name>/columns.ts);
 * each table's columns are probed on the class's own pool with `SELECT <columns> FROM <table>
 * WHERE false`: no row is read, and the database answers with the privileges it really
 * applies (column grants, PUBLIC, role membership), which a reading of information_schema can
 * get wrong. Any refusal is a gap; the gateway will not start with gaps.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import { clientClasses, type ClientClass, type RepoName } from '../config.js';
import { ForbiddenError } from '../errors.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { Subgraph } from '../subgraph-kit/subgraph.js';
import { subgraphs } from './stitch.js';

export interface GrantGap {
  clientClass: ClientClass;
  repo: RepoName;
  database?: string;
  column: string;
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

/** table → column → the fields that need it, for the fields `schema` shows. */
function neededColumns(subgraph: Subgraph, schema: GraphQLSchema): Map<string, Map<string, string[]>> {
  const visible = visibleFields(schema);
  const tables = new Map<string, Map<string, string[]>>();
  for (const [field, columns] of Object.entries(subgraph.fieldColumns)) {
    if (!visible.has(field)) continue;
    for (const qualified of columns) {
      const [table, column] = qualified.split('.') as [string, string];
      const byColumn = tables.get(table) ?? new Map<string, string[]>();
      byColumn.set(column, [...(byColumn.get(column) ?? []), field]);
      tables.set(table, byColumn);
    }
  }
  return tables;
}

export async function findGrantGaps(
  registry: RepoRegistry,
  schemas: Record<ClientClass, GraphQLSchema>,
  tenantDatabases: readonly string[],
): Promise<GrantGap[]> {
  const gaps: GrantGap[] = [];
  const probes: Promise<void>[] = [];
  for (const subgraph of subgraphs) {
    const quote = registry.topology.repos[subgraph.name].driver === 'pg' ? (id: string) => `"${id}"` : (id: string) => `\`${id}\``;
    const databases = subgraph.name === 'main' ? tenantDatabases : [undefined];
    for (const clientClass of clientClasses) {
      const tables = neededColumns(subgraph, schemas[clientClass]);
      for (const database of databases) {
        const pool = registry.database({ repo: subgraph.name, clientClass, server: 'primary', database });
        const probe = async (table: string, columns: string[]) => {
          try {
            await pool.query(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE 1 = 0`);
            return true;
          } catch (error) {
            if (error instanceof ForbiddenError) return false;
            throw error;
          }
        };
        for (const [table, byColumn] of tables) {
          probes.push(
            (async () => {
              if (await probe(table, [...byColumn.keys()])) return;
              for (const [column, fields] of byColumn) {
                if (!(await probe(table, [column]))) {
                  gaps.push({ clientClass, repo: subgraph.name, database, column: `${table}.${column}`, fields });
                }
              }
            })(),
          );
        }
      }
    }
  }
  await Promise.all(probes);
  return gaps.sort((a, b) => `${a.clientClass}${a.repo}${a.column}`.localeCompare(`${b.clientClass}${b.repo}${b.column}`));
}

export function describeGrantGaps(gaps: readonly GrantGap[]): string {
  const lines = gaps.map(
    (gap) =>
      `  ${gap.clientClass}: ${gap.repo}${gap.database ? `/${gap.database}` : ''} may not SELECT ${gap.column} (needed by ${gap.fields.join(', ')})`,
  );
  return `the client classes' roles lack GRANTs for fields their schemas show:\n${lines.join('\n')}\n` +
    'grant them (subgraphs/<name>/grants.sql, npm run migrate) or hide the fields (src/gateway/class-schemas.ts)';
}
