/**
 * Every GraphQL request carries a bearer JWT naming its subject, tenant and client class;
 * anything else is a 401 with a clear GraphQL error, and runs nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { openGateway, testTopology, tokenFor } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const query = '{ companies(first: 1) { edges { node { name } } } }';

async function expect401(response: Response, message: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  const body = await response.json();
  expect(body.errors).toEqual([{ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } }]);
  expect(body.data).toBeUndefined();
}

describe('authentication', () => {
  it('accepts a valid token for every client class', async () => {
    for (const clientClass of ['interactive', 'api', 'admin'] as const) {
      const response = await gateway.post(query, undefined, { clientClass });
      expect(response.status).toBe(200);
      expect((await response.json()).data.companies.edges[0].node.name).toBe('Müller GmbH');
    }
  });

  it('refuses a request without a token', async () => {
    await expect401(await gateway.post(query, undefined, { token: '' }), /Authorization: Bearer/);
  });

  it('refuses every spelling of the endpoint yoga serves without a token, and serves them with one', async () => {
    for (const url of ['http://repogate.test/graphql/', 'http://repogate.test/x?y=/graphql']) {
      const post = (headers: Record<string, string>) =>
        gateway.gateway.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      await expect401(await post({}), /Authorization: Bearer/);
      const served = await post({ authorization: `Bearer ${await tokenFor()}` });
      expect((await served.json()).data.companies.edges[0].node.name).toBe('Müller GmbH');
    }
  });

  it('refuses a bad signature', async () => {
    const forged = await new SignJWT({ tenant: 'acme', class: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    await expect401(await gateway.post(query, undefined, { token: forged }), /signature is invalid/);
  });

  it('refuses an expired token', async () => {
    const expired = await tokenFor('interactive', 'acme', Math.floor(Date.now() / 1000) - 60);
    await expect401(await gateway.post(query, undefined, { token: expired }), /expired/);
  });

  it('refuses a token once it expires, though it was accepted (and remembered) before', async () => {
    const shortLived = await tokenFor('interactive', 'acme', Math.floor(Date.now() / 1000) + 2);
    expect((await gateway.post(query, undefined, { token: shortLived })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect401(await gateway.post(query, undefined, { token: shortLived }), /expired/);
  });

  it('runs no GET for HTML without a token when GraphiQL is off (the page is all such a GET may get)', async () => {
    const topology = testTopology();
    const production = openGateway({ topology: { ...topology, gateway: { ...topology.gateway, graphiql: false } } });
    try {
      const response = await production.gateway.fetch(`http://repogate.test/graphql?query=${encodeURIComponent('{ user(id: "1") { emial } }')}`, {
        headers: { accept: 'text/html, application/json', 'x-repogate-csrf': '1' },
      });
      await expect401(response, /Bearer/);
    } finally {
      await production.close();
    }
  });

  it('refuses an unknown client class and garbage', async () => {
    await expect401(await gateway.post(query, undefined, { token: await tokenFor('superuser') }), /Unknown client class "superuser"/);
    await expect401(await gateway.post(query, undefined, { token: 'not.a.jwt' }), /not a valid JWT/);
  });

  it('keeps /health open', async () => {
    const response = await gateway.gateway.fetch('http://repogate.test/health');
    expect(response.status).toBe(200);
  });

  it('`npm run token` prints a token the gateway accepts', async () => {
    const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['dev/cli.ts', 'token', '--class', 'api', '--tenant', 'globex'], {
      cwd: projectRoot,
    });
    const body = await (await gateway.post('{ company(id: "1") { name } }', undefined, { token: stdout.trim() })).json();
    expect(body.data.company.name).toBe('Globex Corporation');
  });
});
