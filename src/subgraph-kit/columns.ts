/**
 * Select lists that follow the field declarations. A class that may not see a field gets NULL in
 * place of its column: a database refuses a statement that merely names a column the role may
 * not read, so each class's statements read exactly what its schema shows, the same declarations
 * (a subgraph's `fields`) its schema and the start-up grant check follow.
 */
import { parseInstant } from '../repo/instants.js';
import type { Dialect } from '../repo/repo.js';

export interface Column {
  /** The column, or an expression over it. */
  sql: string;
  /** The name rows carry (the GraphQL field's, usually), when it differs from `sql`. */
  as?: string;
  /** The field (`Type.field`) that reads it; without one, every class reads it (keys, say). */
  field?: string;
  /** The SQL type of the NULL that stands in for it (PostgreSQL wants one). */
  type?: string;
}

export type CanSee = (field: string) => boolean;

export function select(columns: readonly Column[], canSee: CanSee, dialect: Dialect = 'pg'): string {
  // A prefixed name (`line.lineNo`, see `prefixed`) needs quoting in MySQL too.
  const quote = (name: string) => (dialect === 'pg' ? `"${name}"` : name.includes('.') ? `\`${name}\`` : name);
  return columns
    .map(({ sql, as, field, type }) => {
      const name = as ? quote(as) : sql.replace(/^\w+\./, '');
      if (field && !canSee(field)) return dialect === 'pg' && type ? `NULL::${type} AS ${name}` : `NULL AS ${name}`;
      return as ? `${sql} AS ${name}` : sql;
    })
    .join(', ');
}

/**
 * The columns of a related row read in the same statement (a join), each named `<prefix>.<name>`
 * so the row can be told apart from the one it joins (`splitPrefixed`).
 */
export function prefixed(columns: readonly Column[], prefix: string): Column[] {
  return columns.map((column) => ({ ...column, as: `${prefix}.${column.as ?? column.sql}` }));
}

/**
 * Splits a joined row into its own columns and the related row's (null when the join found none:
 * its key column is null).
 */
export function splitPrefixed<R, J>(row: Record<string, unknown>, prefix: string, key = 'id'): [R, J | null] {
  const own: Record<string, unknown> = {};
  const joined: Record<string, unknown> = {};
  const start = `${prefix}.`;
  for (const name in row) {
    if (name.startsWith(start)) joined[name.slice(start.length)] = row[name];
    else own[name] = row[name];
  }
  return [own as R, joined[key] === null || joined[key] === undefined ? null : (joined as J)];
}

/**
 * The rows of a joined statement's JSON array (`json_agg`; null when it found none), each
 * instant named in `instants` parsed as pg parses a timestamptz column, so a row read this way
 * equals the one its own statement would give. Keys must be cast to text in the SQL: a JSON
 * number cannot hold every bigint.
 */
export function rowsFromJson<R>(rows: unknown, instants: readonly (keyof R & string)[]): R[] {
  return ((rows ?? []) as Record<string, unknown>[]).map((row) => {
    for (const name of instants) if (typeof row[name] === 'string') row[name] = parseInstant(row[name] as string);
    return row as R;
  });
}

/**
 * A subgraph's statements per class, built once per `canSee` (the gateway keeps one per class),
 * so each class's statements are constants like any other.
 */
export function perClass<S>(build: (canSee: CanSee) => S): (canSee: CanSee) => S {
  const built = new WeakMap<CanSee, S>();
  return (canSee) => {
    let statements = built.get(canSee);
    if (!statements) built.set(canSee, (statements = build(canSee)));
    return statements;
  };
}
