/**
 * CORS from the topology (`gateway.cors`): the dev stack lets localhost frontends in, a
 * configured deployment only the origins it lists; a foreign origin gets no CORS headers, so a
 * browser on its page can neither send the preflighted request nor read an answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseTopology } from '../src/config.js';
import { openGateway, testTopology, tokenFor, type TestGateway } from './support.js';

const dev = openGateway();
const base = testTopology();
const deployed = openGateway({
  topology: parseTopology({ ...base, gateway: { ...base.gateway, cors: { origins: ['https://app.example.com', 'https://*.example.org'], credentials: false } } }),
});
afterAll(async () => {
  await dev.close();
  await deployed.close();
});

async function preflight(gateway: TestGateway, origin: string): Promise<Response> {
  return gateway.gateway.fetch('http://repogate.test/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

describe('the dev stack', () => {
  it.each(['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'http://localhost'])('allows %s', async (origin) => {
    const response = await preflight(dev, origin);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
  });

  it.each(['https://evil.example', 'http://localhost.evil.example', 'http://127.0.0.1.nip.io:4000', 'null'])('gives %s no CORS headers at all', async (origin) => {
    expect(corsHeaders(await preflight(dev, origin))).toEqual({});
  });

  it('answers an allowed origin with its CORS header on the real request too', async () => {
    const response = await dev.post('{ __typename }', undefined, { headers: { origin: 'http://localhost:5173' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const foreign = await dev.post('{ __typename }', undefined, { headers: { origin: 'https://evil.example', authorization: `Bearer ${await tokenFor()}` } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a configured deployment', () => {
  it('allows exactly what it lists', async () => {
    for (const origin of ['https://app.example.com', 'https://shop.example.org']) {
      expect((await preflight(deployed, origin)).headers.get('access-control-allow-origin')).toBe(origin);
    }
    for (const origin of ['http://localhost:5173', 'https://app.example.com.evil.example', 'http://app.example.com', 'https://example.org']) {
      expect(corsHeaders(await preflight(deployed, origin))).toEqual({});
    }
  });

  it('refuses a config entry that is not an origin', () => {
    expect(() => parseTopology({ ...base, gateway: { ...base.gateway, cors: { origins: ['app.example.com/path'], credentials: false } } })).toThrow(
      /gateway\.cors\.origins\.0: must be an origin/,
    );
  });
});

// The origin patterns alone: test/unit/cors-origins.test.ts.
