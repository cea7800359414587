/**
 * A repo that is down costs only its own fields: they are null with REPO_UNAVAILABLE at their
 * paths while the other repos' fields resolve, /ready names it, and the gateway recovers by
 * itself once the repo is back. The MariaDB process of the stack is really stopped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { legacyServer } from '../dev/stack/stack.js';
import { listen, openGateway } from './support.js';

const gateway = openGateway();
const legacy = legacyServer();
afterAll(async () => {
  await legacy.start(); // whatever happened, leave the stack as we found it
  await gateway.close();
});

const overview = /* GraphQL */ `{
  companies(first: 3) { edges { node {
    name
    openBalanceCents
    invoices(status: OPEN) { number }
    users(first: 2) { edges { node { name lastPosition { recordedAt } } } }
  } } }
}`;

describe('legacy (MariaDB) down', () => {
  it('nulls legacy fields with REPO_UNAVAILABLE, resolves the rest, and recovers when it is back', async () => {
    const http = await listen(gateway.gateway);
    try {
      const before = await gateway.request(overview);
      expect(before.errors).toBeUndefined();

      await legacy.stop();
      expect(legacy.pid()).toBeUndefined();

      const during = await gateway.request(overview);
      const companies = during.data!.companies.edges.map((e: any) => e.node);
      expect(companies.map((c: any) => c.name)).toEqual(before.data!.companies.edges.map((e: any) => e.node.name));
      for (const company of companies) {
        expect(company.invoices).toBeNull();
        expect(company.openBalanceCents).toBeNull();
        expect(company.users.edges[0].node.lastPosition).not.toBeNull(); // telemetry still answers
      }
      expect(during.errors!.length).toBeGreaterThanOrEqual(6);
      for (const error of during.errors!) {
        expect(error.extensions).toEqual({ code: 'REPO_UNAVAILABLE', repo: 'legacy' });
        expect(error.message).toBe('Repo "legacy" is unavailable.');
      }
      const paths = during.errors!.map((e) => e.path!.join('.'));
      expect(paths).toContain('companies.edges.0.node.invoices');
      expect(paths).toContain('companies.edges.2.node.openBalanceCents');

      const ready = await fetch(`${http.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        down: ['legacy'],
        repos: { main: { primary: 'up' }, telemetry: { primary: 'up' }, legacy: { primary: 'down' } },
      });
      expect((await fetch(`${http.url}/health`)).status).toBe(200);

      await legacy.start();
      let after = await gateway.request(overview);
      for (let attempt = 0; after.errors && attempt < 25; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        after = await gateway.request(overview);
      }
      expect(after.errors).toBeUndefined();
      expect(after.data).toEqual(before.data);
      expect((await fetch(`${http.url}/ready`)).status).toBe(200);
    } finally {
      await http.close();
    }
  });
});
