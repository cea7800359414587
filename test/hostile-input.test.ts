/**
 * Oversized and abusive operations are refused before any SQL runs: depth, aliases, tokens,
 * cost (GraphQL Armor, per client class), a 2 MB body, a batch of 50 operations. Introspection
 * and suggestions are off for api; CSRF-prone requests are refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { listen, openGateway, statementsRun, tokenFor } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

/** An operation exactly `depth` fields deep: company → users → edges → node → company → … → __typename. */
function nested(depth: number): string {
  const cycle = ['users(first: 1)', 'edges', 'node', 'company'];
  let selection = '__typename';
  for (let level = depth - 2; level >= 1; level -= 1) selection = `${cycle[(level - 1) % cycle.length]} { ${selection} }`;
  return `{ company(id: "1") { ${selection} } }`;
}

async function refusedWithoutSql(run: () => Promise<Response>, status?: number): Promise<Record<string, any>> {
  const before = await statementsRun(gateway);
  const response = await run();
  if (status) expect(response.status).toBe(status);
  const body = await response.json();
  expect(body.data ?? undefined).toBeUndefined();
  expect(body.errors.length).toBeGreaterThan(0);
  expect(await statementsRun(gateway)).toBe(before); // 0 round trips
  return body;
}

describe('operation limits', () => {
  it('refuses depth 20 with OPERATION_LIMIT_EXCEEDED', async () => {
    const body = await refusedWithoutSql(() => gateway.post(nested(20)));
    expect(body.errors[0]).toMatchObject({ message: 'Query depth limit of 12 exceeded, found 20 (client class interactive).', extensions: { code: 'OPERATION_LIMIT_EXCEEDED' } });
  });

  it('refuses 100 aliases', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: company(id: "1") { name }`).join(' ');
    const body = await refusedWithoutSql(() => gateway.post(`{ ${aliases} }`));
    expect(body.errors[0].extensions.code).toBe('OPERATION_LIMIT_EXCEEDED');
    expect(body.errors[0].message).toMatch(/Aliases limit/);
  });

  it('refuses a document over the token limit while parsing', async () => {
    const fields = Array.from({ length: 4000 }, () => '__typename').join(' '); // interactive allows 3000 tokens
    const body = await refusedWithoutSql(() => gateway.post(`{ ${fields} }`));
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/Token limit/), extensions: { code: 'OPERATION_LIMIT_EXCEEDED' } });
  });

  it('applies each class its own limits', async () => {
    const deep = nested(14); // over interactive's 12, within admin's 15
    expect((await gateway.request(deep)).errors![0]!.extensions!.code).toBe('OPERATION_LIMIT_EXCEEDED');
    expect((await gateway.request(deep, undefined, { clientClass: 'admin' })).errors).toBeUndefined();
  });

  it('keeps parsed documents apart per class: a cached parse never skips another class token limit', async () => {
    // About 2,500 tokens: within admin's 5,000 and interactive's 3,000, over api's 2,000.
    const ids = Array.from({ length: 2480 }, (_, i) => `"${(i % 400) + 1}"`).join(' ');
    const query = `query Many($ids: [ID!]! = [${ids}]) { users(ids: $ids) { id } }`;
    for (let round = 0; round < 2; round += 1) {
      expect((await gateway.request(query, undefined, { clientClass: 'admin' })).errors).toBeUndefined();
      expect((await gateway.request(query, undefined, { clientClass: 'api' })).errors![0]!.extensions!.code).toBe('OPERATION_LIMIT_EXCEEDED');
      expect((await gateway.request(query)).errors).toBeUndefined();
    }
  });
});

describe('how a refusal reads', () => {
  it('names what was exceeded, the limit and the class, never "Syntax Error"', async () => {
    const body = await refusedWithoutSql(() => gateway.post('{ companies(first: 100000) { edges { node { name users { edges { node { name } } } } } } }'));
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].message).toMatch(/^Query cost limit of 50000 exceeded, found [\d.]+ \(client class interactive\)\.$/);
    expect(body.errors[0].extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: { name: 'maxCost', max: 50000, found: expect.any(Number), clientClass: 'interactive' },
    });
    expect(body.errors[0].extensions.limit.found).toBeGreaterThan(50000);
  });

  it('says the class whose token limit applied', async () => {
    const fields = Array.from({ length: 2100 }, () => '__typename').join(' ');
    const body = await refusedWithoutSql(() => gateway.post(`{ ${fields} }`, undefined, { clientClass: 'api' }));
    expect(body.errors[0]).toMatchObject({
      message: 'Token limit of 2000 exceeded (client class api).',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: { name: 'maxTokens', max: 2000, clientClass: 'api' } },
    });
  });

  it('keeps "Syntax Error" for text that is not GraphQL', async () => {
    const body = await refusedWithoutSql(() => gateway.post('{ companies(first: ) }'));
    expect(body.errors[0].message).toMatch(/^Syntax Error: /);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('request shape', () => {
  it('refuses a 2 MB body with 413 before parsing it', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const body = await refusedWithoutSql(() => gateway.post('query ($p: String) { __typename }', { p: padding }), 413);
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a 2 MB body sent in chunks, without a Content-Length, with 413 over real HTTP', async () => {
    const served = await listen(gateway.gateway);
    try {
      const token = await tokenFor();
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(`${served.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body }));
        });
        request.on('error', reject);
        request.write('{"query":"query ($p: String) { __typename }","variables":{"p":"');
        for (let i = 0; i < 32; i += 1) request.write('x'.repeat(64 * 1024));
        request.end('"}}');
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await served.close();
    }
  });

  it('refuses a batch of 50 operations', async () => {
    const before = await statementsRun(gateway);
    const batch = Array.from({ length: 50 }, () => ({ query: '{ companies(first: 1) { edges { cursor } } }' }));
    const response = await gateway.gateway.fetch('http://repogate.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor()}` },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await statementsRun(gateway)).toBe(before);
  });

  it('refuses CSRF-prone requests (no preflight) unless they carry x-repogate-csrf', async () => {
    const authorization = `Bearer ${await tokenFor()}`;
    const url = 'http://repogate.test/graphql?query=%7B__typename%7D';
    expect((await gateway.gateway.fetch(url, { headers: { authorization } })).status).toBe(403);
    const form = await gateway.gateway.fetch('http://repogate.test/graphql', {
      method: 'POST',
      headers: { authorization, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(form.status).toBe(403);
    const withHeader = await gateway.gateway.fetch(url, { headers: { authorization, 'x-repogate-csrf': '1' } });
    expect(await withHeader.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('introspection and suggestions', () => {
  const introspect = '{ __schema { queryType { name } } }';

  it('are off for api', async () => {
    const body = await gateway.request(introspect, undefined, { clientClass: 'api' });
    expect(body.errors![0]!.message).toMatch(/introspection/i);
    const typo = await gateway.request('{ companie { edges { cursor } } }', undefined, { clientClass: 'api' });
    expect(typo.errors![0]!.message).toBe('Cannot query field "companie" on type "Query".');
    // A bad enum in variables is refused at execution, after validation: no hint there either.
    const badEnum = await gateway.request('query ($s: InvoiceStatus) { company(id: "1") { invoices(status: $s) { number } } }', { s: 'OPN' }, { clientClass: 'api' });
    expect(badEnum.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(badEnum.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it('are on for interactive', async () => {
    expect((await gateway.request(introspect)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const typo = await gateway.request('{ companie { edges { cursor } } }');
    expect(typo.errors![0]!.message).toMatch(/Did you mean "companies"/);
    const badEnum = await gateway.request('query ($s: InvoiceStatus) { company(id: "1") { invoices(status: $s) { number } } }', { s: 'OPN' });
    expect(badEnum.errors![0]!.message).toMatch(/Did you mean the enum value "OPEN"/);
  });
});
