/**
 * Bad input gets a clear GraphQL error with a stable code naming the argument; unknown ids are
 * null; nothing internal (SQL, SQLSTATE, driver message, stack) reaches the client.
 */
import { GraphQLError } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { maskError } from '../src/gateway/mask-error.js';
import { openGateway, remoteSubgraphs, testTopology, type GraphQLResponse } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const leaks = /SELECT|INSERT|FROM |SQLSTATE|\bER_[A-Z_]+|ECONNREFUSED|\.ts:\d+|node_modules|\bat [\w.<>]+ \(/;

function expectBadInput(response: GraphQLResponse, argumentName: string) {
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
  expect(response.errors![0]!.message).toContain(argumentName);
  expect(JSON.stringify(response)).not.toMatch(leaks);
}

describe('unknown ids', () => {
  it('answer null without an error, whatever the id looks like', async () => {
    const response = await gateway.request(/* GraphQL */ `{
      company(id: "999999") { name }
      user(id: "not-a-number") { name }
      users(ids: ["1", "424242", "x"]) { id }
      device(id: "99999999999999999999") { serial }
      invoice(number: "777777") { number }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ company: null, user: null, users: [{ id: '1' }, null, null], device: null, invoice: null });
  });
});

describe('BAD_USER_INPUT', () => {
  it('refuses `first` over the cap of 500, on root and nested connections', async () => {
    expectBadInput(await gateway.request('{ companies(first: 501) { edges { cursor } } }'), 'first');
    expectBadInput(await gateway.request('{ company(id: "1") { users(first: 1000) { edges { cursor } } } }'), 'first');
    expectBadInput(await gateway.request('{ devices(first: -1) { edges { cursor } } }'), 'first');
  });

  it('refuses `from` after `to`', async () => {
    expectBadInput(
      await gateway.request('{ user(id: "1") { timeEntries(from: "2026-10-08T00:00:00Z", to: "2026-10-01T00:00:00Z") { id } } }'),
      'from',
    );
    expectBadInput(
      await gateway.request('{ device(id: "1") { track(from: "2026-10-08T00:00:00Z", to: "2026-10-01T00:00:00Z") { recordedAt } } }'),
      'from',
    );
  });

  it('refuses a malformed DateTime, as a literal and as a variable', async () => {
    expectBadInput(
      await gateway.request('{ user(id: "1") { trackedSeconds(from: "yesterday", to: "2026-10-01T00:00:00Z") } }'),
      'from',
    );
    expectBadInput(
      await gateway.request('query ($to: DateTime!) { device(id: "1") { track(from: "2026-10-01T00:00:00Z", to: $to) { heading } } }', {
        to: '2026-13-45T99:00:00Z',
      }),
      'to',
    );
  });

  it('refuses a track window wider than 31 days', async () => {
    expectBadInput(
      await gateway.request('{ device(id: "1") { track(from: "2026-08-01T00:00:00Z", to: "2026-10-01T00:00:00Z") { heading } } }'),
      'to',
    );
  });

  // A remote telemetry's windows are its service's own topology, not the gateway's.
  it.skipIf(Boolean(remoteSubgraphs().telemetry))('takes the widest windows from the topology', async () => {
    const narrow = openGateway({ topology: { ...testTopology(), telemetry: { maxTrackWindowDays: 2, maxAreaWindowHours: 1 } } });
    try {
      const track = (to: string) => narrow.request(`{ device(id: "1") { track(from: "2026-10-01T00:00:00Z", to: "${to}") { heading } } }`);
      expect((await track('2026-10-03T00:00:00Z')).errors).toBeUndefined();
      const tooWide = await track('2026-10-03T00:00:01Z');
      expectBadInput(tooWide, 'to');
      expect(tooWide.errors![0]!.message).toMatch(/at most 2 days apart/);
      const area = await narrow.request(`{ positionsInArea(minLatitude: 52, minLongitude: 13, maxLatitude: 53, maxLongitude: 14,
        from: "2026-10-31T00:00:00Z", to: "2026-10-31T02:00:00Z") { edges { cursor } } }`);
      expectBadInput(area, 'to');
      expect(area.errors![0]!.message).toMatch(/at most 1 hour apart/);
    } finally {
      await narrow.close();
    }
  });

  it('refuses a cursor it did not issue, and maxPoints out of range', async () => {
    expectBadInput(await gateway.request(`{ companies(after: "' OR 1=1--") { edges { cursor } } }`), 'after');
    expectBadInput(
      await gateway.request('{ device(id: "1") { track(from: "2026-10-01T00:00:00Z", to: "2026-10-02T00:00:00Z", maxPoints: 0) { heading } } }'),
      'maxPoints',
    );
  });

  it('runs no SQL for a refused root argument', async () => {
    const response = await gateway.request('{ companies(first: 501) { edges { cursor } } }');
    expect(response.extensions!.repos).toEqual({
      main: { roundTrips: 0, ms: 0 },
      telemetry: { roundTrips: 0, ms: 0 },
      legacy: { roundTrips: 0, ms: 0 },
      training: { roundTrips: 0, ms: 0 },
    });
  });
});

describe('error masking', () => {
  it('turns a driver error into "Unexpected error." and logs the cause instead', () => {
    const driverError = Object.assign(new Error('relation "companies" does not exist'), { code: '42P01' });
    const located = new GraphQLError(driverError.message, { originalError: driverError, path: ['companies'] });
    const logged: unknown[] = [];
    const masked = maskError(located, (error) => logged.push(error)) as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(masked.path).toEqual(['companies']);
    expect(logged).toEqual([located]);
  });

  it('keeps Repogate errors but only their message and code', () => {
    const inner = new GraphQLError('Repo "legacy" is unavailable.', {
      extensions: { code: 'REPO_UNAVAILABLE', repo: 'legacy', sql: 'SELECT 1' },
    });
    const masked = maskError(new GraphQLError(inner.message, { originalError: inner, extensions: inner.extensions }));
    expect(masked).toMatchObject({ message: 'Repo "legacy" is unavailable.', extensions: { code: 'REPO_UNAVAILABLE', repo: 'legacy' } });
    expect(JSON.stringify(masked)).not.toContain('SELECT');
  });
});
