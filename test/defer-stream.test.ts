/**
 * @defer and @stream (useDeferStream) through the stitched gateway and the single-subgraph path:
 * the first part carries what is not deferred, the later parts the rest, and together they equal
 * the answer without the directives, for the same round trips. Legacy's errors arrive in the
 * deferred parts, masked; the class limits count the directives.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { clientClasses } from '../src/config.js';
import { buildClassSchemas } from '../src/gateway/class-schemas.js';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { openGateway, openPlainStitchingGateway, statementsRun, testTopology, type GraphQLResponse, type RequestOptions, type TestGateway } from './support.js';

type Path = (string | number)[];
interface Payload extends GraphQLResponse {
  hasNext?: boolean;
  incremental?: { data?: Record<string, unknown>; items?: unknown[]; path: Path; errors?: GraphQLResponse['errors'] }[];
}

const gateway = openGateway();
const stitchedOnly = openPlainStitchingGateway();
const legacyClosed = structuredClone(testTopology());
legacyClosed.repos.legacy!.url = 'mysql://repogate:repogate@127.0.0.1:1/legacy';
const legacyDown = openGateway({ topology: legacyClosed });
afterAll(() => Promise.all([gateway.close(), stitchedOnly.close(), legacyDown.close()]));

/** The JSON parts of yoga's multipart/mixed answer, in order: boundary `-`, headers, a blank line, the JSON. */
async function parts(response: Response): Promise<Payload[]> {
  expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"');
  const body = await response.text();
  return body
    .split('\r\n---')
    .filter((part) => part.includes('\r\n\r\n'))
    .map((part) => JSON.parse(part.slice(part.indexOf('\r\n\r\n') + 4)) as Payload);
}

async function incremental(target: TestGateway, query: string, options: RequestOptions = {}): Promise<Payload[]> {
  const response = await target.post(query, undefined, { ...options, headers: { accept: 'multipart/mixed', ...options.headers } });
  expect(response.status).toBe(200);
  return parts(response);
}

/** `source` laid over `target`: objects field by field, lists item by item. */
function overlay(target: unknown, source: unknown): unknown {
  if (Array.isArray(source)) return source.map((item, i) => overlay((target as unknown[] | undefined)?.[i], item));
  if (source === null || typeof source !== 'object') return source;
  const into = (target ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) into[key] = overlay(into[key], value);
  return into;
}

const at = (data: unknown, path: Path) => path.reduce<any>((value, key) => value[key], data);

/** What a client holds once every part has arrived. */
function merged(payloads: Payload[]): unknown {
  const data = structuredClone(payloads[0]!.data);
  for (const payload of payloads.slice(1)) {
    for (const part of payload.incremental ?? []) {
      if (part.items) (at(data, part.path.slice(0, -1)) as unknown[]).splice(part.path.at(-1) as number, 0, ...part.items);
      else overlay(at(data, part.path), part.data);
    }
  }
  return data;
}

const roundTrips = (response: GraphQLResponse) => Object.fromEntries(Object.entries(response.extensions?.repos ?? {}).map(([repo, usage]) => [repo, usage.roundTrips]));

const legacyFields = 'invoices { number totalCents } openBalanceCents';
const dashboard = (legacy: string) =>
  `{ companies(first: 3) { edges { node { name users(first: 2) { edges { node { name lastPosition { latitude } } } } ${legacy} } } } }`;

function withoutLegacy(data: any): unknown {
  return { companies: { edges: data.companies.edges.map(({ node: { invoices: _i, openBalanceCents: _o, ...node } }: any) => ({ node })) } };
}

describe('@defer', () => {
  it("answers main's and telemetry's fields first, legacy's after, and the whole equals the answer without @defer", async () => {
    const plain = await gateway.request(dashboard(legacyFields));
    const payloads = await incremental(gateway, dashboard(`... @defer { ${legacyFields} }`));

    expect(payloads[0]).toEqual({ data: withoutLegacy(plain.data), hasNext: true });
    const deferred = payloads.slice(1).flatMap((payload) => payload.incremental ?? []);
    expect(deferred.map((part) => part.path).sort()).toEqual([0, 1, 2].map((i) => ['companies', 'edges', i, 'node']));
    for (const part of deferred) expect(Object.keys(part.data!).sort()).toEqual(['invoices', 'openBalanceCents']);
    expect(merged(payloads)).toEqual(plain.data);

    // The whole operation's cost, in the last part only: the deferred fragments of all three
    // companies batch into legacy's usual two round trips.
    const last = payloads.at(-1)!;
    expect(last.hasNext).toBe(false);
    expect(roundTrips(last)).toEqual(roundTrips(plain));
    expect(roundTrips(last).legacy).toBeGreaterThan(0);
    expect(payloads.slice(0, -1).map((payload) => payload.extensions)).toEqual(payloads.slice(0, -1).map(() => undefined));
  });

  it('with legacy unreachable: the first part is whole and clean, REPO_UNAVAILABLE comes in the deferred parts at the legacy paths', async () => {
    const plain = await gateway.request(dashboard(legacyFields));
    const payloads = await incremental(legacyDown, dashboard(`... @defer { ${legacyFields} }`));

    expect(payloads[0]).toEqual({ data: withoutLegacy(plain.data), hasNext: true });
    const deferred = payloads.slice(1).flatMap((payload) => payload.incremental ?? []);
    expect(deferred.map((part) => part.data)).toEqual([0, 1, 2].map(() => ({ invoices: null, openBalanceCents: null })));
    const errors = deferred.flatMap((part) => part.errors ?? []);
    const sortedPaths = (paths: Path[]) => paths.map((path) => path.join('.')).sort();
    expect(sortedPaths(errors.map((error) => error.path!))).toEqual(
      sortedPaths([0, 1, 2].flatMap((i) => [['companies', 'edges', i, 'node', 'invoices'], ['companies', 'edges', i, 'node', 'openBalanceCents']])),
    );
    // Masked like any error: message, code and repo, nothing of the driver.
    for (const error of errors) expect(error).toMatchObject({ message: 'Repo "legacy" is unavailable.', extensions: { code: 'REPO_UNAVAILABLE', repo: 'legacy' } });
    for (const error of errors) expect(Object.keys(error.extensions!).sort()).toEqual(['code', 'repo']);
  });

  it('masks a driver error in a deferred part and logs its cause with the request id', async () => {
    const topology = structuredClone(testTopology());
    topology.repos.legacy!.roles.interactive!.password = 'not-the-password';
    const misconfigured = openGateway({ topology });
    try {
      const payloads = await incremental(misconfigured, '{ companies(first: 2) { edges { node { name ... @defer { openBalanceCents } } } } }', { headers: { 'x-request-id': 'defer-masking' } });
      const errors = payloads.slice(1).flatMap((payload) => payload.incremental ?? []).flatMap((part) => part.errors ?? []);
      expect(errors).toEqual([0, 1].map((i) => ({ message: 'Unexpected error.', path: ['companies', 'edges', i, 'node', 'openBalanceCents'], extensions: { code: 'INTERNAL_SERVER_ERROR' } })));
      const causes = misconfigured.logs.filter((line) => line.msg === 'unexpected error');
      expect(causes.length).toBeGreaterThan(0);
      for (const line of causes) expect(line).toMatchObject({ requestId: 'defer-masking', err: { message: expect.stringMatching(/^Access denied for user 'repogate_interactive'/) } });
    } finally {
      await misconfigured.close();
    }
  });

  it('runs an operation main answers alone on main directly: the round trips of the same operation without @defer', async () => {
    const query = (users: string) => `{ companies(first: 3) { edges { node { name ${users} } } } }`;
    const users = 'users(first: 2) { edges { node { name email } } }';
    const plain = await gateway.request(query(users));
    const direct = await incremental(gateway, query(`... @defer { ${users} }`));
    const stitched = await incremental(stitchedOnly, query(`... @defer { ${users} }`));

    expect(direct.length).toBeGreaterThan(1);
    expect(merged(direct)).toEqual(plain.data);
    expect(merged(stitched)).toEqual(plain.data);
    expect(roundTrips(direct.at(-1)!)).toEqual(roundTrips(plain));
    // Stitching delegates only the keys of a deferred fragment and fetches the rest again (why the
    // single-subgraph path takes deferred operations too).
    expect(roundTrips(stitched.at(-1)!).main).toBeGreaterThan(roundTrips(plain).main!);
  });
});

describe('@stream', () => {
  it.each([
    ['across repos (stitched)', (edges: string) => `{ companies(first: 1) { edges { node { users(first: 5) { ${edges} { node { name lastPosition { latitude } } } } } } } }`],
    ['within main (single subgraph)', (edges: string) => `{ companies(first: 4) { ${edges} { cursor node { name } } } }`],
  ])('%s: delivers the list item by item, and the whole equals the list without @stream', async (_name, query) => {
    const plain = await gateway.request(query('edges'));
    const payloads = await incremental(gateway, query('edges @stream(initialCount: 1)'));

    const streamed = payloads.slice(1).flatMap((payload) => payload.incremental ?? []);
    expect(streamed.length).toBeGreaterThan(1);
    for (const part of streamed) expect(part.items).toHaveLength(1);
    expect(merged(payloads)).toEqual(plain.data);
    expect(roundTrips(payloads.at(-1)!)).toEqual(roundTrips(plain));
  });
});

describe('client classes', () => {
  it('every class schema declares @defer and @stream, so switching to it keeps them', () => {
    const schemas = buildClassSchemas(buildGatewaySchema());
    for (const clientClass of clientClasses) {
      expect([schemas[clientClass].getDirective('defer')?.name, schemas[clientClass].getDirective('stream')?.name]).toEqual(['defer', 'stream']);
    }
  });

  it('api defers too', async () => {
    const query = (legacy: string) => `{ companies(first: 2) { edges { node { name ${legacy} } } } }`;
    const plain = await gateway.request(query('openBalanceCents invoices { number }'), undefined, { clientClass: 'api' });
    const payloads = await incremental(gateway, query('... @defer { openBalanceCents invoices { number } }'), { clientClass: 'api' });
    expect(payloads.length).toBeGreaterThan(1);
    expect(merged(payloads)).toEqual(plain.data);
  });

  it("refuses more @defer than the class's maxDirectives before any SQL", async () => {
    const defers = Array.from({ length: 6 }, (_, i) => `... @defer { n${i}: name }`).join(' ');
    const before = await statementsRun(gateway);
    const response = await gateway.post(`{ companies(first: 2) { edges { node { ${defers} } } } }`, undefined, { clientClass: 'api', headers: { accept: 'multipart/mixed' } });
    expect(response.status).toBe(400);
    expect(await parts(response)).toEqual([
      {
        errors: [
          {
            message: 'Directives limit of 5 exceeded, found 6 (client class api).',
            extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: { name: 'maxDirectives', max: 5, found: 6, clientClass: 'api' } },
          },
        ],
      },
    ]);
    expect(await statementsRun(gateway)).toBe(before);
  });
});
