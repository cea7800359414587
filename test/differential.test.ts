/**
 * The correctness guard of planning (issue 15): whatever the gateway plans instead of plain
 * stitching (today: operations one subgraph answers alone skip it), the answer must be the one
 * plain stitching gives. Every operation runs through both, `openGateway()` (the planned path) and
 * `openPlainStitchingGateway()`, and must get the same data, the same errors (message, code and
 * path) and no more round trips on any repo than stitching costs.
 *
 * The operations: those of schemas/operations, and a corpus generated over each class's schema
 * (operation-corpus.ts), from a fixed seed so `npm test` is deterministic. A longer random run:
 * `npm run test:differential`, or REPOGATE_CORPUS_SEED=<n|random> and REPOGATE_CORPUS_SIZE=<n>.
 * Differences found and not fixed yet are pinned in `knownDifferences`, each with its smallest
 * operation; the corpus steers clear of them or, for one, recognises exactly its shape.
 */
import { randomInt } from 'node:crypto';
import { parse, print, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classDefaults } from '../src/config.js';
import { schemaForClass } from '../src/gateway/class-schemas.js';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { subgraphsFor } from '../src/subgraphs.js';
import { generateCorpus } from './operation-corpus.js';
import {
  openGateway, openPlainStitchingGateway, runsRemote, sdkOperations, sdkOperationVariables, testTopology, type GraphQLResponse, type RequestOptions, type TestGateway,
} from './support.js';

/** The number: any fixed seed would do, this one is easy to find again. */
const DEFAULT_SEED = 15;
const DEFAULT_SIZE = 150;

function corpusSeedFrom(setting: string | undefined): number {
  if (!setting) return DEFAULT_SEED;
  if (setting === 'random') return randomInt(2 ** 31);
  const seed = Number(setting);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`REPOGATE_CORPUS_SEED must be a non-negative integer or "random", not ${setting}`);
  return seed;
}

const corpusSeed = corpusSeedFrom(process.env.REPOGATE_CORPUS_SEED);
const corpusSize = Number(process.env.REPOGATE_CORPUS_SIZE || DEFAULT_SIZE);
const reproduce = `REPOGATE_CORPUS_SEED=${corpusSeed} REPOGATE_CORPUS_SIZE=${corpusSize} npx vitest run --project integration test/differential.test.ts`;

/** The classes that see the active repos (ml sees training alone: nothing to plan across). */
const classes = ['interactive', 'api', 'admin'] as const;
type AskingClass = (typeof classes)[number];

/** Who asks, and what share of the corpus each gets: the three classes of acme, and globex now and then. */
const askers: { clientClass: AskingClass; tenant: string; weight: number }[] = [
  { clientClass: 'interactive', tenant: 'acme', weight: 3 },
  { clientClass: 'api', tenant: 'acme', weight: 3 },
  { clientClass: 'admin', tenant: 'acme', weight: 3 },
  { clientClass: 'interactive', tenant: 'globex', weight: 1 },
  { clientClass: 'admin', tenant: 'globex', weight: 1 },
];
const totalWeight = askers.reduce((sum, asker) => sum + asker.weight, 0);
const shareOf = (weight: number) => Math.round((corpusSize * weight) / totalWeight);

let planned: TestGateway;
let plain: TestGateway;
let classSchemas: Record<AskingClass, GraphQLSchema>;
let sdkVariables: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  console.log(`differential: corpus seed ${corpusSeed}, ${corpusSize} generated operations (reproduce: ${reproduce})`);
  planned = openGateway();
  plain = openPlainStitchingGateway();
  // The schemas the gateway validates each class's operations against, built as it builds them.
  const subgraphs = subgraphsFor(testTopology());
  const stitched = buildGatewaySchema(subgraphs);
  classSchemas = Object.fromEntries(classes.map((c) => [c, schemaForClass(stitched, c, subgraphs)])) as typeof classSchemas;
  sdkVariables = await sdkOperationVariables(planned);
});
afterAll(() => Promise.all([planned?.close(), plain?.close()]));

interface Comparable {
  data: unknown;
  errors: { message: string; code: unknown; path: (string | number)[] | undefined }[];
}

/**
 * What must agree: the data, and each error's message, code and path (not `locations`: a root
 * field's differ by design, README), errors in path order. Compared as JSON text, so the order
 * of response keys (the selection's order) must agree too.
 */
function comparable(response: GraphQLResponse): Comparable {
  const errors = (response.errors ?? []).map(({ message, extensions, path }) => ({ message, code: extensions?.code, path }));
  errors.sort((a, b) => JSON.stringify(a.path ?? []).localeCompare(JSON.stringify(b.path ?? [])) || a.message.localeCompare(b.message));
  return { data: response.data, errors };
}

const roundTrips = (response: GraphQLResponse, repo: string) => response.extensions?.repos?.[repo]?.roundTrips ?? 0;

interface Asked {
  fromPlanned: GraphQLResponse;
  fromPlain: GraphQLResponse;
  shortcomings: string[];
}

/**
 * Round trips over several askings: the fewest the planned path took per repo and the most plain
 * stitching took. Batching depends on timing: two merges into one repo from sibling fields batch
 * together when their parents arrive in the same tick, else they cost one round trip each (`{
 * company(id: "1") { legacyCustomerName } companies { edges { node { legacyCustomerName } } } }`
 * costs legacy 1 or 2, through either path). So the planned path fails only where its best is
 * worse than stitching's worst.
 *
 * Answers with errors are not counted: where a field fails, which of its siblings' statements
 * were already sent depends on the order each path resolves them in (stitching resolves one
 * subgraph's part before the next, and a failure that nulls the object skips the rest; the
 * merged path resolves siblings of several subgraphs side by side). Their data and errors are
 * still compared.
 */
class RoundTripTally {
  private readonly plannedFewest = new Map<string, number>();
  private readonly plainMost = new Map<string, number>();

  add(fromPlanned: GraphQLResponse, fromPlain: GraphQLResponse): void {
    if (fromPlanned.errors?.length || fromPlain.errors?.length) return;
    for (const repo of new Set([...Object.keys(fromPlanned.extensions?.repos ?? {}), ...Object.keys(fromPlain.extensions?.repos ?? {})])) {
      this.plannedFewest.set(repo, Math.min(this.plannedFewest.get(repo) ?? Infinity, roundTrips(fromPlanned, repo)));
      this.plainMost.set(repo, Math.max(this.plainMost.get(repo) ?? 0, roundTrips(fromPlain, repo)));
    }
  }

  /** Repos where the planned path took more round trips, at best, than plain stitching at worst. */
  worse(fromPlanned: GraphQLResponse): string[] {
    if (!fromPlanned.extensions?.repos) return ['no extensions.repos (the debug extension) to compare round trips with'];
    return [...this.plannedFewest]
      .filter(([repo, fewest]) => fewest > this.plainMost.get(repo)!)
      .map(([repo, fewest]) => `${repo}: ${fewest} round trips planned at best, ${this.plainMost.get(repo)} stitched at worst`);
  }
}

/**
 * Asks both gateways: a query to both at once, and a pair that falls short again, up to seven more
 * times, one gateway after the other and each first in turn (asked at once, the one asked first
 * tends to batch alike every time, which RoundTripTally must not mistake for a difference). A
 * mutation always goes to one after the other, so neither sees the other's write half done.
 * Another test file writing meanwhile (a fix recorded moves a last position) can make a pair
 * differ too; a real difference stays.
 */
async function askBoth(query: string, variables: Record<string, unknown> | undefined, options: RequestOptions, mutation = false): Promise<Asked> {
  const tally = new RoundTripTally();
  const ask = (gateway: TestGateway) => gateway.request(query, variables, options);
  for (let attempt = 1; ; attempt += 1) {
    let fromPlanned: GraphQLResponse, fromPlain: GraphQLResponse;
    if (attempt === 1 && !mutation) [fromPlanned, fromPlain] = await Promise.all([ask(planned), ask(plain)]);
    else if (attempt % 2 === 1) [fromPlanned, fromPlain] = [await ask(planned), await ask(plain)];
    else [fromPlain, fromPlanned] = [await ask(plain), await ask(planned)];
    tally.add(fromPlanned, fromPlain);
    const differs = JSON.stringify(comparable(fromPlanned)) !== JSON.stringify(comparable(fromPlain));
    const shortcomings = [...(differs ? ['data or errors differ'] : []), ...tally.worse(fromPlanned)];
    if (shortcomings.length === 0 || attempt === 8) return { fromPlanned, fromPlain, shortcomings };
  }
}

/**
 * Whether the only difference is where plain stitching places the same errors (knownDifferences):
 * the same data, and each planned error matched by one of stitching's with the same message and
 * code, which stitching reports
 * - at a prefix of the planned path (cut at the merged list the error nulled), or
 * - at a sibling of the failing field, or at its siblings too (its merged fetch failed as a
 *   whole; the test cannot tell which subgraph a field is from, so any sibling counts),
 * or not at all, when the error sits in an object that an error both report nulled: a second
 * error there, which stitching, one subgraph's part after the other, never reached.
 * Both are pinned there; in the corpus they are counted, not failed, since an invalid window
 * under a merged field is common enough to fail most long runs.
 */
function onlyErrorPlacementDiffers({ fromPlanned, fromPlain, shortcomings }: Asked): boolean {
  const [planned, stitched] = [comparable(fromPlanned), comparable(fromPlain)];
  if (shortcomings.join() !== 'data or errors differ' || JSON.stringify(planned.data) !== JSON.stringify(stitched.data)) return false;
  const unmatched = [...stitched.errors];
  const near = (other: Comparable['errors'][number], error: Comparable['errors'][number]) =>
    isPrefix(other.path ?? [], error.path ?? []) || isSibling(other.path ?? [], error.path ?? []);
  const matched: Comparable['errors'] = [];
  const plannedOnly = planned.errors.filter((error) => {
    const twin = unmatched.findIndex((other) => other.message === error.message && other.code === error.code && near(other, error));
    if (twin < 0) return true;
    unmatched.splice(twin, 1);
    matched.push(error);
    return false;
  });
  const atSibling = (extra: Comparable['errors'][number]) =>
    planned.errors.some((error) => error.message === extra.message && error.code === extra.code && isSibling(error.path ?? [], extra.path ?? []));
  // A planned-only error must sit in an object that an error both paths report nulled.
  const nulledWithMatched = (extra: Comparable['errors'][number]) =>
    matched.some((error) => insideNull(planned.data, commonPrefix(error.path ?? [], extra.path ?? [])));
  return plannedOnly.every(nulledWithMatched) && unmatched.every(atSibling);
}

function commonPrefix(a: readonly (string | number)[], b: readonly (string | number)[]): (string | number)[] {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return a.slice(0, length);
}

/** Whether `path` (an object's) or an object on the way to it is null in `data`. */
function insideNull(data: unknown, path: readonly (string | number)[]): boolean {
  let value = data;
  for (const key of path) {
    if (value === null) return true;
    if (typeof value !== 'object') return false;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === null;
}

/** Two fields of one object. */
const isSibling = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length === b.length && isPrefix(a.slice(0, -1), b);

/**
 * Whether the only difference is plain stitching's unserialised instants (knownDifferences): its
 * data equal the planned data with some ISO instants replaced by {}, and the errors agree.
 */
function onlyInstantsLostByStitching({ fromPlanned, fromPlain, shortcomings }: Asked): boolean {
  const [planned, stitched] = [comparable(fromPlanned), comparable(fromPlain)];
  if (shortcomings.join() !== 'data or errors differ' || JSON.stringify(planned.errors) !== JSON.stringify(stitched.errors)) return false;
  const lost = (ours: unknown, theirs: unknown): boolean => {
    if (typeof ours === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(ours) && JSON.stringify(theirs) === '{}') return true;
    if (typeof ours !== 'object' || ours === null || typeof theirs !== 'object' || theirs === null) return ours === theirs;
    const [a, b] = [Object.entries(ours), Object.entries(theirs)];
    return a.length === b.length && a.every(([key, value], i) => b[i]![0] === key && lost(value, b[i]![1]));
  };
  return lost(planned.data, stitched.data);
}

/**
 * Whether the only difference is which of several failures nulled an object (or the whole
 * data): graphql-js reports the one it hears of first, so over HTTP it is whichever answer came
 * back first (and stitching, batching root fields of one subgraph, may report a sibling's
 * "Unexpected error." instead); the planned path reports the first in the document every time
 * (compiled-execution.ts). The same data, every error on either side inside a null of it, and
 * the planned path's errors the client's own, never an unexpected one.
 */
function onlyTheNullingFailureDiffers({ fromPlanned, fromPlain, shortcomings }: Asked): boolean {
  const [planned, stitched] = [comparable(fromPlanned), comparable(fromPlain)];
  if (shortcomings.join() !== 'data or errors differ' || JSON.stringify(planned.data) !== JSON.stringify(stitched.data)) return false;
  const nulled = (error: Comparable['errors'][number]) => insideNull(planned.data, error.path ?? []);
  return planned.errors.length > 0 && [...planned.errors, ...stitched.errors].every(nulled) && planned.errors.every((error) => error.code !== 'INTERNAL_SERVER_ERROR');
}

/**
 * Whether plain stitching refused a request it made itself: batching root fields of one remote
 * subgraph, batch-execute prefixes fragment names (`_v1_CompanyEdgePart5`) and can leave a spread
 * of the old name behind, and the subgraph refuses the whole request. The planned path sends the
 * client's selection as it is; it must not fail the same way.
 */
function onlyStitchingBrokeItsOwnRequest({ fromPlanned, fromPlain }: Asked): boolean {
  const broken = (response: GraphQLResponse) => (response.errors ?? []).some((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && /"_v\d+_/.test(error.message));
  return broken(fromPlain) && !broken(fromPlanned) && !(fromPlanned.errors ?? []).some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR');
}

const isPrefix = (prefix: readonly (string | number)[], path: readonly (string | number)[]) => prefix.length <= path.length && prefix.every((key, i) => key === path[i]);

/** Everything needed to see and reproduce a difference. */
function report(title: string, query: string, variables: unknown, asked: Asked): string {
  return [
    `${title}: ${asked.shortcomings.join('; ')}`,
    `query:\n${query}`,
    `variables: ${JSON.stringify(variables)}`,
    `planned path: ${JSON.stringify(asked.fromPlanned)}`,
    `plain stitching: ${JSON.stringify(asked.fromPlain)}`,
  ].join('\n');
}

// Subscriptions are left out by sdkOperations(). Mutations run too: their variables write nothing
// or nothing new (sdkOperationVariables), so both gateways find the same state.
const sdk = await sdkOperations();

describe('the SDK operations (schemas/operations) through the planned path and through plain stitching', () => {
  it.each(sdk.map((operation) => [operation.name!.value, operation] as const))('%s, as each class it is valid for', async (name, operation) => {
    const query = print(operation);
    const variables = sdkVariables[name];
    const validFor = classes.filter((c) => validate(classSchemas[c], parse(query)).length === 0);
    expect(validFor.length, `${name} is valid for no class`).toBeGreaterThan(0);
    for (const clientClass of validFor) {
      const asked = await askBoth(query, variables, { clientClass, tenant: 'acme' }, operation.operation === 'mutation');
      expect(asked.shortcomings, report(`${name} as ${clientClass} of acme`, query, variables, asked)).toEqual([]);
    }
  });
});

/**
 * Differences found and not fixed yet, each with its smallest operation, pinned: its test holds
 * that the two paths still differ on it, and fails once they answer alike. Then drop it here, and
 * the generator's steer around it (operation-corpus.ts), so the corpus covers the shape again.
 */
const knownDifferences: [string, string][] = [
  // graphql-tools' delegation drops an inline fragment that selects only __typename, then the field
  // left without selections: plain stitching answers INTERNAL_SERVER_ERROR ("Cannot return null for
  // non-nullable field Company.users"), or at a root field's child an uncoded "Failed to create a
  // gateway request"; the planned path passes these main-only operations through and answers.
  // (Across repos both paths go through stitching and fail alike, or answer null silently.)
  ['an inline fragment with only __typename under a nested field', '{ company(id: "4") { users(first: 3) { ... { __typename } } } }'],
  ['an inline fragment with only __typename under a root field', '{ user(id: "4") { ... on User { __typename } } }'],
  // A field selected twice under one response name, the first time under @skip(if: true) or
  // @include(if: false): plain stitching answers it null ("Cannot return null for non-nullable
  // field CompanyEdge.cursor", INTERNAL_SERVER_ERROR) inside types that are not merged (edges,
  // projects, positions); the spec includes it, and so does the planned path here. (The other
  // order, or a skipped inline fragment, is fine; across repos both paths fail alike.)
  ['a field selected again after a skipped selection of it', '{ companies(first: 2) { edges { cursor @skip(if: true) cursor } } }'],
  // An error inside a field of a merged type's list (User.devices, merged in from telemetry) that
  // nulls the list: plain stitching reports it at the list (["device","user","devices"]), the
  // planned path, running the operation on telemetry alone, at the field that failed
  // (["device","user","devices",0,"track"]). Across repos (`user(id:) { devices { track } }`)
  // both paths report the shorter path. The corpus tolerates exactly this shape (onlyErrorPlacementDiffers).
  ['an error under a merged list field that the error nulls', '{ device(id: "7") { user { devices { track(from: "2026-09-22T00:00:00Z", to: "2026-11-01T00:00:00Z") { recordedAt } } } } }'],
  // A bad argument on one field of an entity's part from another subgraph (main's trackedSeconds
  // on a user telemetry handed out): plain stitching fails the whole merged fetch and reports the
  // error at every field of that part (email too); the merged path at the field whose argument is
  // bad. The data agree (the user is null either way). The corpus tolerates it (onlyErrorPlacementDiffers).
  ['an error at one field of a merged part', '{ device(id: "7") { user { email trackedSeconds(from: "2026-11-01T00:00:00Z", to: "2026-10-01T00:00:00Z") } } }'],
  // A merged type's key field under @skip (User.id, wanted for telemetry's part): plain stitching
  // answers INTERNAL_SERVER_ERROR at the next field and nulls the user; the merged path answers.
  // The generator keeps key fields unconditional (operation-corpus.ts).
  ['a skipped key field of a merged type', '{ device(id: "7") { user { id @skip(if: true) company { legacyCustomerCode } devices { id } } } }'],
  // Main's part of a user reached from main through telemetry (users → devices → user →
  // timeEntries), the user asked for twice at the root: plain stitching answers every DateTime
  // there as {} (the value unserialised); the merged path answers the instant. The corpus
  // tolerates exactly this (onlyInstantsLostByStitching).
  // In-process only: over HTTP stitching gets the instants serialised by the service.
  ...(runsRemote() ? [] : [['an instant of an entity merged back into its own subgraph', '{ users(ids: ["12", "12"]) { devices { user { timeEntries(from: "2026-09-01T00:00:00Z", to: "2026-09-09T00:00:00Z") { startedAt } } } } }'] as [string, string]]),
];

describe('known differences, pinned until fixed', () => {
  it.each(knownDifferences)('%s: still answered differently', async (_name, query) => {
    const asked = await askBoth(query, undefined, { clientClass: 'interactive', tenant: 'acme' });
    // (Round trips may differ too: plain stitching gives up before some of its statements.)
    expect(asked.shortcomings, `now answered alike: remove it from knownDifferences\n${query}`).toContain('data or errors differ');
  });
});

describe(`a generated corpus (seed ${corpusSeed}) through the planned path and through plain stitching`, () => {
  it.each(askers.map((asker) => [`${asker.clientClass} of ${asker.tenant}`, asker] as const))(
    '%s: the same data, errors and no more round trips',
    async (label, { clientClass, tenant, weight }) => {
      const schema = classSchemas[clientClass];
      const corpus = generateCorpus({ schema, limits: classDefaults[clientClass].limits, seed: corpusSeed, label, size: shareOf(weight) });
      const differences: string[] = [];
      let knownToDiffer = 0;
      for (const [index, operation] of corpus.entries()) {
        const title = `${label}, operation ${index} (operation seed ${operation.seed}) of corpus seed ${corpusSeed}`;
        // A generator bug fails here, loudly, rather than as two equal validation errors.
        expect(validate(schema, operation.document).map(String), `${title} is not valid:\n${operation.query}`).toEqual([]);
        const asked = await askBoth(operation.query, operation.variables, { clientClass, tenant });
        expect(refusedAsInvalid(asked.fromPlanned), report(`${title} was refused before running`, operation.query, operation.variables, asked)).toEqual([]);
        if (asked.shortcomings.length === 0) continue;
        if (onlyErrorPlacementDiffers(asked) || onlyInstantsLostByStitching(asked) || onlyTheNullingFailureDiffers(asked) || onlyStitchingBrokeItsOwnRequest(asked)) knownToDiffer += 1;
        else differences.push(report(title, operation.query, operation.variables, asked));
      }
      if (knownToDiffer > 0) console.log(`${label}: ${knownToDiffer} operation(s) answered with a known difference (errors placed elsewhere, another of several failures nulling an object, instants lost or a request broken by plain stitching)`);
      expect(differences.length, `${differences.length} of ${corpus.length} operations differ (reproduce: ${reproduce})\n\n${differences.join('\n\n')}\n`).toBe(0);
    },
    // About 0.05 s an operation on this machine; room for a busy one, and for the long random mode's thousands.
    Math.max(60_000, corpusSize * 1_000),
  );
});

/** Codes of a document the gateway refused before running it: the generator's fault, and two such answers agree vacuously. */
function refusedAsInvalid(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code).filter((code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'OPERATION_LIMIT_EXCEEDED' || code === 'GRAPHQL_PARSE_FAILED');
}
