/**
 * Adding a repo is one folder and one topology entry: a throwaway `notes` subgraph
 * (test/fixtures/notes-subgraph) over a scratch PostgreSQL database is migrated, grant-checked,
 * composed and served next to the built-in three, with its round trips counted and its merge
 * into main's User batched, and no file outside its folder knows it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopology, projectRoot } from '../src/config.js';
import { migrateTopology } from '../src/migrate-topology.js';
import { withPgClient } from '../src/repo/pg-client.js';
import type { AnySubgraph } from '../src/subgraph-kit/subgraph.js';
import { loadSubgraphs } from '../src/subgraphs.js';
import { openGateway, pgRows, stackInfo, testTopology, type TestGateway } from './support.js';

const DATABASE = 'notes_scratch';
const base = testTopology();
const ownerUrl = `postgres://repogate:repogate@127.0.0.1:${stackInfo().repos.main.port}/${DATABASE}`;
// The topology entry: the module exporting the descriptor, the repo's owner URL and the class
// roles (the main cluster's, here).
const notes = { driver: 'pg', module: './test/fixtures/notes-subgraph/index.ts', url: ownerUrl, roles: base.repos.main.roles };
const topology = parseTopology({ ...base, repos: { ...base.repos, notes } });
let subgraphs: AnySubgraph[];
let gateway: TestGateway;

beforeAll(async () => {
  const { superuser, repos } = stackInfo();
  await withPgClient(`postgres://${superuser.user}:${superuser.password}@127.0.0.1:${repos.main.port}/postgres`, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER repogate`);
  });
  subgraphs = await loadSubgraphs(topology);
  expect(subgraphs.map((subgraph) => subgraph.name)).toEqual(['main', 'telemetry', 'legacy', 'training', 'notes']);
  const applied: Record<string, string[]> = {};
  await migrateTopology(topology, subgraphs.slice(4), (where, names) => (applied[where] = names));
  expect(applied).toEqual({ 'tenant registry': [], notes: ['0001_notes.sql'] });
  await pgRows(ownerUrl, `INSERT INTO notes (tenant, user_id, text) SELECT t, u, t || ' note ' || n || ' on ' || u
    FROM unnest(ARRAY['acme', 'globex']) t, generate_series(1, 40) u, generate_series(1, 2) n`);
  gateway = openGateway({ topology, subgraphs });
});
afterAll(async () => {
  await gateway?.close();
  await pgRows(`postgres://${stackInfo().superuser.user}:${stackInfo().superuser.password}@127.0.0.1:${stackInfo().repos.main.port}/postgres`,
    `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
});

describe('a fourth repo', () => {
  it('passes the start-up grant check, and the check notices a missing grant on it', async () => {
    await expect(gateway.checkGrants()).resolves.toBeUndefined();
    await pgRows(ownerUrl, 'REVOKE SELECT ON notes FROM repogate_api');
    try {
      await expect(gateway.checkGrants()).rejects.toThrow(/api: notes may not SELECT notes\.id \(needed by User\.notes\)/);
    } finally {
      await pgRows(ownerUrl, 'GRANT SELECT ON notes TO repogate_api');
    }
  });

  it('is composed into User, answers as direct SQL does, one batched round trip for 20 users', async () => {
    const response = await gateway.request('{ companies(first: 2) { edges { node { users(first: 10) { edges { node { id name notes { text } } } } } } } }');
    expect(response.errors).toBeUndefined();
    const users = response.data!.companies.edges.flatMap((company: any) => company.node.users.edges.map((edge: any) => edge.node));
    expect(users).toHaveLength(20);
    const rows = await pgRows<{ userId: string; text: string }>(ownerUrl,
      'SELECT user_id::text AS "userId", text FROM notes WHERE tenant = $1 AND user_id = ANY($2::bigint[]) ORDER BY id', ['acme', users.map((u: any) => u.id)]);
    for (const user of users) expect(user.notes).toEqual(rows.filter((row) => row.userId === user.id).map(({ text }) => ({ text })));
    expect(users.some((user: any) => user.notes.length === 2)).toBe(true);
    expect(response.extensions!.repos!.notes).toMatchObject({ roundTrips: 1 });
    // main: the companies with their users, one statement (joined: the selection goes on to users).
    expect(response.extensions!.repos!.main!.roundTrips).toBe(1);
  });

  it('keeps tenants apart like the others', async () => {
    const acme = await gateway.request('{ user(id: "3") { notes { text } } }');
    const globex = await gateway.request('{ user(id: "3") { notes { text } } }', undefined, { tenant: 'globex' });
    expect(acme.data!.user.notes).toEqual([{ text: 'acme note 1 on 3' }, { text: 'acme note 2 on 3' }]);
    expect(globex.data!.user.notes).toEqual([{ text: 'globex note 1 on 3' }, { text: 'globex note 2 on 3' }]);
  });

  it('is in /ready and the metrics, as every repo of the topology is', async () => {
    const ready = await gateway.gateway.fetch('http://repogate.test/ready');
    expect((await ready.json()).repos.notes).toEqual({ primary: 'up' });
    const metrics = await gateway.metrics.registry.metrics();
    expect(metrics).toMatch(/repogate_repo_queries_total\{repo="notes",class="interactive",server="primary",outcome="ok"\} \d+/);
  });

  it('is known only to its own folder and the topology', () => {
    // No built-in file names it: adding it needed no edit elsewhere.
    for (const file of ['src/subgraphs.ts', 'src/gateway/context.ts', 'src/gateway/stitch.ts', 'src/repo/registry.ts', 'src/config.ts']) {
      expect(readFileSync(`${projectRoot}/${file}`, 'utf8')).not.toMatch(/notes/i);
    }
  });
});
