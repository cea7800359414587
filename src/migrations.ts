/**
 * Schema migrations with umzug: plain .sql files per subgraph (`subgraphs/<name>/migrations`),
 * applied in name order and recorded in a `repogate_migrations` table of the database they
 * changed. umzug brings the ordering, the bookkeeping and the CLI-friendly logging; the storage
 * below is the only part that knows the dialect.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ClientClass } from './config.js';
import type { Subgraph } from './subgraph-kit/subgraph.js';

/** A connection that can run a whole .sql file (several statements) and a parameterized query. */
export interface MigrationConnection {
  dialect: 'pg' | 'mysql';
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
}

const createTable = {
  pg: 'CREATE TABLE IF NOT EXISTS repogate_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  mysql:
    'CREATE TABLE IF NOT EXISTS repogate_migrations (name VARCHAR(255) PRIMARY KEY, applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)',
};
const placeholder = { pg: '$1', mysql: '?' };

function tableStorage(connection: MigrationConnection): UmzugStorage {
  const p = placeholder[connection.dialect];
  return {
    async executed() {
      await connection.exec(createTable[connection.dialect]);
      const rows = await connection.query('SELECT name FROM repogate_migrations ORDER BY name', []);
      return rows.map((row) => String(row.name));
    },
    async logMigration({ name }) {
      await connection.query(`INSERT INTO repogate_migrations (name) VALUES (${p})`, [name]);
    },
    async unlogMigration({ name }) {
      await connection.query(`DELETE FROM repogate_migrations WHERE name = ${p}`, [name]);
    },
  };
}

/** Applies the pending migrations of `dir`; returns the names it applied. */
export async function migrate(connection: MigrationConnection, dir: string): Promise<string[]> {
  const umzug = new Umzug({
    migrations: {
      glob: ['*.sql', { cwd: dir }],
      resolve: ({ name, path: file }) => ({
        name,
        up: () => connection.exec(readFileSync(file ?? path.join(dir, name), 'utf8')),
      }),
    },
    storage: tableStorage(connection),
    logger: undefined,
  });
  const applied = await umzug.up();
  return applied.map((migration) => migration.name);
}

/** Opens a short-lived connection that can run whole migration files. */
export async function withMigrationConnection<T>(
  driver: 'pg' | 'mysql',
  url: string,
  work: (connection: MigrationConnection) => Promise<T>,
): Promise<T> {
  if (driver === 'pg') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work({
        dialect: 'pg',
        // Without parameters pg uses the simple protocol, which runs several statements.
        exec: async (sql) => void (await client.query(sql)),
        query: async (sql, params) => (await client.query(sql, params)).rows,
      });
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true, charset: 'utf8mb4' });
  try {
    return await work({
      dialect: 'mysql',
      exec: async (sql) => void (await connection.query(sql)),
      query: async (sql, params) => (await connection.query(sql, params))[0] as Record<string, unknown>[],
    });
  } finally {
    await connection.end();
  }
}

/** What migrating a subgraph's repo needs of its descriptor. */
export type MigratedSubgraph = Pick<Subgraph, 'name' | 'migrations' | 'grants'>;

export type ClassRoles = Record<Exclude<ClientClass, 'ml'>, { user: string }> & { ml?: { user: string } };

/**
 * The subgraph's grants file with the client classes' role names filled in: quoted
 * identifiers on PostgreSQL, 'user'@'%' accounts on MySQL. Idempotent (GRANT is).
 */
export function grantsSql(subgraph: MigratedSubgraph, dialect: 'pg' | 'mysql', roles: ClassRoles, database: string): string {
  const role = (user: string) => (dialect === 'pg' ? pg.escapeIdentifier(user) : `${mysql.escape(user)}@'%'`);
  return readFileSync(subgraph.grants, 'utf8')
    // Replacer functions: a `$` in a name is not a replacement pattern.
    .replace(/:interactive\b/g, () => role(roles.interactive.user))
    .replace(/:api\b/g, () => role(roles.api.user))
    .replace(/:admin\b/g, () => role(roles.admin.user))
    .replace(/:ml\b/g, () => {
      if (!roles.ml) throw new ConfigError(`repos.${subgraph.name}.roles.ml: missing (its grants name the ml class's role)`);
      return role(roles.ml.user);
    })
    .replace(/:database\b/g, () => mysql.escapeId(database, true));
}

export function migrateAndGrant(
  subgraph: MigratedSubgraph,
  driver: 'pg' | 'mysql',
  url: string,
  roles: ClassRoles,
): Promise<string[]> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  return withMigrationConnection(driver, url, async (connection) => {
    const applied = await migrate(connection, fileURLToPath(subgraph.migrations));
    await connection.exec(grantsSql(subgraph, driver, roles, database));
    return applied;
  });
}

