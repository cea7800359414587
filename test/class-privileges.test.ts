/**
 * One database role per client class, GRANTs deciding: the api class cannot read users.email,
 * time_entries.note or the legacy INV_LINE; interactive cannot write legacy tables; admin can;
 * ml reads the training database and nothing else.
 * The schema each class sees says the same, and even a resolver that asked would be refused
 * by the database, surfaced as FORBIDDEN.
 */
import { graphql } from 'graphql';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientClass } from '../src/config.js';
import { ForbiddenError } from '../src/errors.js';
import { RequestRepo } from '../src/repo/request-repo.js';
import { subgraphSchema, type Facts } from '../src/subgraph-kit/subgraph.js';
import { mainSubgraph } from '../subgraphs/main/index.js';
import { mainUrl, openGateway, pgRows, stackInfo, telemetryUrl } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const pool = (repo: 'main' | 'telemetry' | 'legacy' | 'training', clientClass: ClientClass) =>
  gateway.registry.database({ repo, clientClass, server: 'primary', ...(repo === 'main' && { database: 'acme' }) });

describe('database roles', () => {
  it('are login roles that are not superusers and own no tables', async () => {
    for (const url of [mainUrl(), telemetryUrl()]) {
      const roles = await pgRows(
        url,
        `SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, coalesce(array_length(r.rolconfig, 1), 0) AS settings,
                (SELECT count(*) FROM pg_tables t WHERE t.tableowner = r.rolname)::int AS owned
         FROM pg_roles r WHERE r.rolname LIKE 'repogate\\_%' AND r.rolname <> 'repogate_replicator' ORDER BY r.rolname`,
      );
      expect(roles.map((r) => r.rolname)).toEqual(['repogate_admin', 'repogate_api', 'repogate_interactive', 'repogate_ml']);
      for (const role of roles) expect(role).toMatchObject({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, owned: 0, settings: 1 });
    }
  });

  it('carry each class statement timeout, on PostgreSQL (ALTER ROLE) and MariaDB (MAX_STATEMENT_TIME)', async () => {
    const settings = await pgRows(mainUrl(), "SELECT rolname, rolconfig FROM pg_roles WHERE rolname LIKE 'repogate\\_%' AND rolconfig IS NOT NULL ORDER BY rolname");
    expect(settings).toEqual([
      { rolname: 'repogate_admin', rolconfig: ['statement_timeout=60000'] },
      { rolname: 'repogate_api', rolconfig: ['statement_timeout=15000'] },
      { rolname: 'repogate_interactive', rolconfig: ['statement_timeout=5000'] },
      { rolname: 'repogate_ml', rolconfig: ['statement_timeout=60000'] },
    ]);
    // A plain connection as the api account, not our pool (which sets it per session too).
    const { roles } = stackInfo().topology.repos.legacy;
    const api = await mysql.createConnection({ host: '127.0.0.1', port: stackInfo().repos.legacy.port, user: roles.api.user, password: roles.api.password });
    try {
      const [rows] = await api.query('SELECT @@max_statement_time AS seconds');
      expect(Number((rows as { seconds: string }[])[0]!.seconds)).toBe(15);
    } finally {
      await api.end();
    }
  });

  it('refuse what the GRANTs do not allow, as FORBIDDEN (42501 / ER_*ACCESS_DENIED_ERROR)', async () => {
    await expect(pool('main', 'api').query('SELECT email FROM users LIMIT 1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(pool('main', 'api').query('SELECT note FROM time_entries LIMIT 1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(pool('legacy', 'api').query('SELECT * FROM INV_LINE LIMIT 1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(pool('legacy', 'interactive').query("UPDATE INV_HDR SET STAT = STAT WHERE INV_NO = 1")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(pool('telemetry', 'interactive').query('DELETE FROM positions WHERE false')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('give ml the training database only, read-only, and nothing else in any repo', async () => {
    for (const [repo, statement] of [
      ['main', 'SELECT name FROM companies LIMIT 1'],
      ['main', 'SELECT moved_before FROM archive_horizon LIMIT 1'],
      ['telemetry', 'SELECT device_id FROM positions LIMIT 1'],
      ['legacy', 'SELECT 1 FROM CUST LIMIT 1'],
      ['training', "INSERT INTO time_entries (tenant, id, user_id, project_id, started_at) VALUES ('acme', -1, 1, 1, now())"],
    ] as const) {
      await expect(pool(repo, 'ml').query(statement), `${repo}: ${statement}`).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(await pool('training', 'ml').query('SELECT count(*) FROM positions')).toHaveLength(1);
    // Only the classes that see training may read it: interactive and api have no GRANT there.
    await expect(pool('training', 'interactive').query('SELECT 1 FROM time_entries LIMIT 1')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(pool('training', 'api').query('SELECT 1 FROM positions LIMIT 1')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('allow what they grant', async () => {
    expect(await pool('main', 'api').query('SELECT name FROM users LIMIT 1')).toHaveLength(1);
    expect(await pool('main', 'interactive').query('SELECT email, note FROM users, time_entries LIMIT 1')).toHaveLength(1);
    expect(await pool('legacy', 'interactive').query('SELECT * FROM INV_LINE LIMIT 1')).toHaveLength(1);
    expect(await pool('legacy', 'admin').query('UPDATE INV_HDR SET STAT = STAT WHERE INV_NO = 1')).toBeDefined();
  });
});

describe('the schema of each class', () => {
  it('hides from api what its role may not read: asking is a validation error, and no SQL runs', async () => {
    const response = await gateway.request('{ user(id: "1") { name email } }', undefined, { clientClass: 'api' });
    expect(response.errors![0]!.message).toMatch(/Cannot query field "email" on type "User"/);
    expect(response.data).toBeUndefined();
    const lines = await gateway.request('{ invoice(number: "1") { lines { lineNo } } }', undefined, { clientClass: 'api' });
    expect(lines.errors![0]!.message).toMatch(/Cannot query field "lines" on type "Invoice"/);
  });

  it('gives api the rest of the user and interactive the email', async () => {
    const api = await gateway.request('{ user(id: "1") { name timeEntries(from: "2026-10-01T00:00:00Z", to: "2026-10-02T00:00:00Z") { id } } }', undefined, { clientClass: 'api' });
    expect(api.errors).toBeUndefined();
    const interactive = await gateway.request('{ user(id: "1") { email timeEntries(from: "2026-10-01T00:00:00Z", to: "2026-10-02T00:00:00Z") { note } } }');
    expect(interactive.data!.user.email).toBe('user1@acme.example');
  });

  it('shows ml the training subgraph alone: active fields are validation errors, no SQL runs', async () => {
    for (const query of ['{ companies { edges { node { name } } } }', '{ devices { edges { node { id } } } }', '{ invoice(number: "1") { number } }']) {
      const response = await gateway.request(query, undefined, { clientClass: 'ml' });
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(response.data).toBeUndefined();
    }
    const training = await gateway.request('{ trainingTimeEntries(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", first: 1) { pageInfo { hasNextPage } } }', undefined, { clientClass: 'ml' });
    expect(training.errors).toBeUndefined();
    const schema = await gateway.request('{ __schema { queryType { fields { name } } mutationType { name } } }', undefined, { clientClass: 'ml' });
    expect(schema.data!.__schema).toEqual({ queryType: { fields: [{ name: 'trainingPositions' }, { name: 'trainingTimeEntries' }] }, mutationType: null });
  });

  it('does not show training to interactive or api (the stack lets admin see it)', async () => {
    const query = '{ trainingPositions(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { pageInfo { hasNextPage } } }';
    for (const clientClass of ['interactive', 'api'] as const) {
      const response = await gateway.request(query, undefined, { clientClass });
      expect(response.errors![0]!.message).toMatch(/Cannot query field "trainingPositions" on type "Query"/);
    }
    expect((await gateway.request(query, undefined, { clientClass: 'admin' })).errors).toBeUndefined();
  });

  it('shows markInvoicePaid to admin only', async () => {
    const asInteractive = await gateway.request('mutation { markInvoicePaid(number: "1") { number } }');
    expect(asInteractive.errors![0]!.message).toMatch(/Cannot query field "markInvoicePaid" on type "Mutation"/);
  });
});

describe('even if a resolver asked', () => {
  it('the database refuses the api role, and the client sees FORBIDDEN', async () => {
    // The main subgraph alone (its SDL still has email), on the api class's own pool.
    const repo = new RequestRepo(gateway.registry, 'main', { clientClass: 'api', database: 'acme' }, { mode: 'mutation', minLsn: {} });
    // As if the schema let it through: a context that may see every field.
    const main = mainSubgraph.createContext({ repo, tenant: 'acme', clientClass: 'api', canSee: () => true, facts: {} as Facts, settings: undefined });
    const result = await graphql({
      schema: subgraphSchema(mainSubgraph),
      source: '{ user(id: "1") { email } }',
      contextValue: { main },
    });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(result.errors![0]!.message).not.toMatch(/permission|users|email/);
    expect(stackInfo().topology.repos.main.roles.api.user).toBe('repogate_api');
  });

  it('the database refuses the ml role on main, and the client sees FORBIDDEN', async () => {
    const repo = new RequestRepo(gateway.registry, 'main', { clientClass: 'ml', database: 'acme' }, { mode: 'query', minLsn: {} });
    const main = mainSubgraph.createContext({ repo, tenant: 'acme', clientClass: 'ml', canSee: () => true, facts: {} as Facts, settings: undefined });
    const result = await graphql({ schema: subgraphSchema(mainSubgraph), source: '{ companies(first: 1) { edges { node { name } } } }', contextValue: { main, tenant: 'acme' } });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(result.errors![0]!.message).not.toMatch(/permission|companies/);
  });
});
