/**
 * A move while the gateway serves (issue 14, point 4): no request fails while months leave the
 * active repos, and afterwards a window reaching before the horizon is never silently short.
 * admin (which sees training in this topology) gets both parts in order, one round trip per
 * repo; interactive is refused with BAD_USER_INPUT naming the horizon. On scratch databases
 * (test/move-scratch.ts), with the gateway's topology pointing at them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthStart } from '../src/move/months.js';
import { moveScratch } from './move-scratch.js';
import { openGateway, type TestGateway } from './support.js';

const scratch = moveScratch('serving');
let gateway: TestGateway;

beforeAll(async () => {
  await scratch.setUp();
  gateway = openGateway({ topology: scratch.topology });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await scratch.tearDown();
});

/** A window from the middle of M2 to the middle of M5: three moved months and the active one. */
function spanning() {
  const { m2, m5 } = scratch.months;
  return { from: `${m2}-10T00:00:00Z`, to: `${m5}-20T00:00:00Z` };
}

const trackQuery = `query ($from: DateTime!, $to: DateTime!) {
  device(id: "2") { track(from: $from, to: $to) { recordedAt latitude longitude speedKmh heading } }
}`;
const entriesQuery = `query ($from: DateTime!, $to: DateTime!) {
  user(id: "3") { timeEntries(from: $from, to: $to) { id startedAt endedAt note } trackedSeconds(from: $from, to: $to) }
}`;

/** Time entries under a page of companies: read with the page in one statement, while the window stays after the horizon. */
const companiesQuery = `query ($from: DateTime!, $to: DateTime!) {
  companies(first: 2) { edges { node { id users(first: 3) { edges { node { id timeEntries(from: $from, to: $to) { id startedAt } } } } } } }
  company(id: "1") { users(first: 3) { edges { node { id trackedSeconds(from: $from, to: $to) } } } }
}`;

const roundTrips = (response: { extensions?: any }) =>
  Object.fromEntries(Object.entries(response.extensions!.repos as Record<string, { roundTrips: number }>).map(([repo, usage]) => [repo, usage.roundTrips]));

describe('a move while the gateway serves', () => {
  it('fails no request, answers spanning windows the same before, during and after, and then refuses them to interactive', async () => {
    const window = spanning();
    const { m5 } = scratch.months;
    const activeWindow = { from: `${m5}-01T00:00:00Z`, to: `${m5}-20T00:00:00Z` };
    const before = {
      track: await gateway.request(trackQuery, window, { clientClass: 'admin' }),
      entries: await gateway.request(entriesQuery, window, { clientClass: 'admin' }),
      companies: await gateway.request(companiesQuery, window, { clientClass: 'admin' }),
      active: await gateway.request(trackQuery, activeWindow),
    };
    const entriesUnder = (response: typeof before.companies): unknown[] =>
      response.data!.companies.edges.flatMap((company: any) => company.node.users.edges.flatMap((user: any) => user.node.timeEntries));
    expect(entriesUnder(before.companies).length).toBeGreaterThan(20);
    expect(before.track.data!.device.track.length).toBeGreaterThan(300);
    expect(before.entries.data!.user.timeEntries.length).toBeGreaterThan(20);
    expect(before.active.data!.device.track.length).toBeGreaterThan(50);

    // Load: admin spanning windows, interactive inside the active month, ml paging training,
    // api recording fixes into the active month; each must answer, and the same as before.
    let moving = true;
    const failures: unknown[] = [];
    let answered = 0;
    const check = (label: string, response: { errors?: unknown; data?: unknown }, expected?: { data?: unknown }) => {
      answered += 1;
      if (response.errors || (expected && JSON.stringify(response.data) !== JSON.stringify(expected.data))) failures.push({ label, response });
    };
    const recordings = (async () => {
      for (let n = 0; moving; n += 1) {
        const recordedAt = new Date(monthStart(m5).getTime() + 25 * 86_400_000 + n * 1000).toISOString();
        check('record', await gateway.request('mutation ($at: DateTime!) { recordPositions(deviceId: "4", positions: [{ recordedAt: $at, latitude: 52, longitude: 13 }]) { inserted } }', { at: recordedAt }, { clientClass: 'api' }));
      }
    })();
    const reads = (async () => {
      while (moving) {
        const [track, entries, active, training] = await Promise.all([
          gateway.request(trackQuery, window, { clientClass: 'admin' }),
          gateway.request(entriesQuery, window, { clientClass: 'admin' }),
          gateway.request(trackQuery, activeWindow),
          gateway.request('query ($from: DateTime!, $to: DateTime!) { trainingPositions(from: $from, to: $to, first: 50) { edges { node { deviceId } } } }', window, { clientClass: 'ml' }),
        ]);
        check('admin track', track, before.track);
        check('admin entries', entries, before.entries);
        check('interactive active track', active, before.active);
        check('ml training', training);
      }
    })();
    const run = await scratch.move(['--before', scratch.beforeArg, '--settle-ms', '300']);
    moving = false;
    await Promise.all([recordings, reads]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(20);

    // After: admin gets the same, both parts, one round trip per repo each.
    const track = await gateway.request(trackQuery, window, { clientClass: 'admin' });
    expect(track).toMatchObject({ data: before.track.data });
    // telemetry: the device with its track in one statement before the move; after it, that
    // statement finds the window reaching before the horizon and leaves the track to its loader,
    // which adds training's older part.
    expect(roundTrips(before.track)).toMatchObject({ telemetry: 1, training: 0 });
    expect(roundTrips(track)).toMatchObject({ telemetry: 2, training: 1 });
    const entries = await gateway.request(entriesQuery, window, { clientClass: 'admin' });
    expect(entries).toMatchObject({ data: before.entries.data });
    expect(entries.errors).toBeUndefined();
    // Under companies, the joined statement leaves the window to the loaders that add the archive's part.
    const companies = await gateway.request(companiesQuery, window, { clientClass: 'admin' });
    expect(companies).toMatchObject({ data: before.companies.data });
    // one statement per root field (the page of companies, the company by id) before the move
    expect(roundTrips(before.companies)).toMatchObject({ main: 2 });
    // after it, the entries' and the seconds' loaders each run again with the archive's part
    expect(roundTrips(companies)).toMatchObject({ main: 4, training: 2 });

    // interactive does not read training: the spanning window is refused, naming the horizon.
    const refused = await gateway.request(trackQuery, window);
    // track is a non-null list: the error nulls the device, as any error in it would.
    expect(refused.data!.device).toBeNull();
    expect(refused.errors).toEqual([expect.objectContaining({
      path: ['device', 'track'],
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'from', horizon: monthStart(m5).toISOString() },
    })]);
    const refusedEntries = await gateway.request(entriesQuery, window);
    // The first refusal nulls the user (timeEntries is non-null); trackedSeconds alone is refused too.
    expect(refusedEntries.errors!.map((error) => [error.path, error.extensions!.horizon])).toEqual([
      [['user', 'timeEntries'], monthStart(scratch.months.m4).toISOString()],
    ]);
    const refusedUnderCompanies = await gateway.request(companiesQuery, window);
    expect(refusedUnderCompanies.errors![0]).toMatchObject({
      path: ['companies', 'edges', 0, 'node', 'users', 'edges', 0, 'node', 'timeEntries'],
      extensions: { code: 'BAD_USER_INPUT', horizon: monthStart(scratch.months.m4).toISOString() },
    });
    const refusedSeconds = await gateway.request('query ($from: DateTime!, $to: DateTime!) { user(id: "3") { trackedSeconds(from: $from, to: $to) } }', window);
    expect(refusedSeconds.errors![0]).toMatchObject({ path: ['user', 'trackedSeconds'], extensions: { code: 'BAD_USER_INPUT', horizon: monthStart(scratch.months.m4).toISOString() } });
    // Inside the active months it still answers.
    expect(await gateway.request(trackQuery, activeWindow)).toMatchObject({ data: before.active.data });
  }, 120_000);

  it('refuses writes behind the horizon, storing nothing', async () => {
    const { m3 } = scratch.months;
    const behind = `${m3}-15T00:00:00Z`;
    const fix = await gateway.request('mutation ($at: DateTime!) { recordPositions(deviceId: "4", positions: [{ recordedAt: $at, latitude: 52, longitude: 13 }]) { inserted } }', { at: behind }, { clientClass: 'api' });
    expect(fix.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'positions', horizon: monthStart(scratch.months.m5).toISOString() });
    const entry = await gateway.request('mutation ($at: DateTime!) { startTimeEntry(input: { userId: "45", projectId: "1", startedAt: $at }) { id } }', { at: behind });
    expect(entry.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'startedAt', horizon: monthStart(scratch.months.m4).toISOString() });
    expect(await scratch.query(scratch.urls.acme, 'SELECT id FROM time_entries WHERE user_id = 45')).toEqual([]);
    expect(await scratch.query(scratch.urls.telemetry, 'SELECT 1 FROM positions WHERE device_id = 4 AND recorded_at = $1', [behind])).toEqual([]);
  });
});
