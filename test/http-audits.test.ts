/**
 * The GraphQL over HTTP spec, checked by graphql-http's own server audits against the running
 * gateway (over real HTTP), with a token and the CSRF header a client sends: no MUST or SHOULD
 * may fail.
 */
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, openGateway, tokenFor } from './support.js';

const gateway = openGateway();
let http: Awaited<ReturnType<typeof listen>>;
let token: string;
beforeAll(async () => {
  http = await listen(gateway.gateway);
  token = await tokenFor('interactive');
});
afterAll(async () => {
  await http.close();
  await gateway.close();
});

describe('GraphQL over HTTP audits', () => {
  it('pass every MUST and SHOULD', async () => {
    const audits = serverAudits({
      url: () => `${http.url}/graphql`,
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        headers.set('x-repogate-csrf', '1');
        return fetch(input, { ...init, headers });
      },
    });
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== 'ok' && /^(MUST|SHOULD)/.test(audit.name)) failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(audits.length).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  });
});
