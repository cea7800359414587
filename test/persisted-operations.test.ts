/**
 * With `persistedOperationsOnly`, a client class runs only the operations of schemas/operations
 * (what the SDK sends); anything else is refused before any SQL runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type RepogateSdk } from '../src/sdk/client.js';
import { listen, openGateway, statementsRun, testTopology, tokenFor } from './support.js';

const topology = structuredClone(testTopology());
topology.classes.api.persistedOperationsOnly = true;
const gateway = openGateway({ topology });
let http: Awaited<ReturnType<typeof listen>>;
let sdk: RepogateSdk;
beforeAll(async () => {
  http = await listen(gateway.gateway);
  sdk = createClient({ url: `${http.url}/graphql`, token: await tokenFor('api') });
});
afterAll(async () => {
  await http.close();
  await gateway.close();
});

describe('persisted operations only (api)', () => {
  it('runs the SDK operations', async () => {
    const page = await sdk.CompanyPage({ first: 2 });
    expect(page.errors).toEqual([]);
    expect(page.data!.companies.edges).toHaveLength(2);
    const dashboard = await sdk.CompanyDashboard({ companies: 2, users: 2 });
    expect(dashboard.errors).toEqual([]);
  });

  it('refuses any other operation, running no SQL', async () => {
    const before = await statementsRun(gateway);
    const response = await gateway.request('{ companies(first: 2) { edges { node { name } } } }', undefined, { clientClass: 'api' });
    expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'PERSISTED_OPERATION_REQUIRED' }) })]);
    expect(await statementsRun(gateway)).toBe(before);
  });

  it('leaves the other classes free', async () => {
    const response = await gateway.request('{ companies(first: 2) { edges { node { name } } } }');
    expect(response.errors).toBeUndefined();
  });
});
