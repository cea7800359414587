/**
 * Where a measured window's CPU goes, by owner: each profiler sample is charged to the code it
 * was in (the innermost frame with a source), grouped into the parts of a request: each of our
 * yoga plugins with the library only it uses (auth with jose, limits with GraphQL Armor,
 * metrics with prom-client, logs with pino, tracing with OpenTelemetry), the subgraphs'
 * resolvers and SQL, the pools, the driver, graphql-js, stitching, yoga and the HTTP layer.
 * Self time, not inclusive: a plugin that calls graphql-js is charged only for its own frames,
 * so the owners add up to the whole. REPOGATE_PROFILE_NODE_FILES=1 splits node's internals by file.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** First match wins: the more specific patterns come first. */
const owners: readonly [string, RegExp][] = [
  ['auth (useAuth, jose)', /src\/gateway\/use-auth|src\/auth\/|\/jose\//],
  ['limits (useOperationLimits, GraphQL Armor, parse cache)', /use-operation-limits|document-cache|graphql-armor/],
  ['metrics (useMetrics, prom-client)', /use-metrics|plugin-prometheus|prom-client|src\/observability\/metrics/],
  ['logs and request ids (pino)', /use-request-id|use-unexpected-error-log|\/pino|observability\/logger/],
  ['tracing (useTracing, OpenTelemetry)', /use-tracing|@opentelemetry|observability\/tracing/],
  ['debug accounting (useRepoUsage)', /use-repo-usage|repo-usage/],
  ['tenancy and request context', /use-request-session|request-context-factory|gateway\/context|src\/tenancy/],
  ['other plugins of ours (body limit, CSRF, persisted, input codes, errors, readiness, single subgraph)', /src\/gateway\/(use-|cors|mask-error|relocate-errors|direct-results)|plugin-csrf|plugin-persisted|plugin-defer-stream/],
  ['subgraph resolvers, loaders and SQL text', /\/subgraphs\/|src\/subgraph-kit\/|\/dataloader\//],
  ['pools, routing, breakers (src/repo, opossum)', /src\/repo\/|\/opossum\/|\/pg-pool\//],
  ['driver (pg, mysql2)', /\/pg\/|\/pg-protocol\/|\/pg-types\/|\/postgres-date\/|\/mysql2\//],
  ['stitching (@graphql-tools)', /@graphql-tools\//],
  ['graphql-js (parse, validate, execute)', /\/graphql\//],
  ['yoga, envelop, fetch API (@whatwg-node)', /graphql-yoga|@envelop|@whatwg-node|@graphql-yoga/],
  ['bench driver (this script)', /\/bench\//],
];

function ownerOf(url: string): string {
  if (!url) return '(V8: GC, compiled code, idle)';
  if (url.startsWith('node:')) return process.env.REPOGATE_PROFILE_NODE_FILES ? url : '(node internals: streams, timers, buffers)';
  return owners.find(([, pattern]) => pattern.test(url))?.[0] ?? 'other libraries';
}

/** REPOGATE_PROFILE_FUNCTIONS=<pattern>: frames of files matching it are split by function (`stitching`: /@graphql-tools/). */
const splitFunctionsOf = process.env.REPOGATE_PROFILE_FUNCTIONS ? new RegExp(process.env.REPOGATE_PROFILE_FUNCTIONS) : null;
function functionOf({ url, functionName, lineNumber }: ProfileNode['callFrame']): string | null {
  if (!splitFunctionsOf?.test(url)) return null;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
}

export async function profileWhile(run: () => Promise<void>): Promise<Map<string, number>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  await run();
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  return ownersOf(profile);
}

/** A V8 CPU profile: what the inspector answers, and what `node --cpu-prof` writes. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of CPU per owner in a profile. */
export function ownersOf(profile: CpuProfile): Map<string, number> {
  // The innermost frame with a source decides; frames without one (native, GC) take their parent's.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owned = new Map<number, string>();
  const ownerOfNode = (id: number): string => {
    const known = owned.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    const owner = node.callFrame.url
      ? functionOf(node.callFrame) ?? ownerOf(node.callFrame.url)
      : name === '(idle)' || name === '(program)' || name === '(garbage collector)' || !parent.has(id)
        ? `(V8: ${name || 'native'})`
        : ownerOfNode(parent.get(id)!);
    owned.set(id, owner);
    return owner;
  };
  const microseconds = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const owner = ownerOfNode(id);
    microseconds.set(owner, (microseconds.get(owner) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  microseconds.delete('(V8: (idle))');
  return microseconds;
}

/** The owners' CPU ms per request, largest first, as Markdown rows. */
export function ownersTable(microseconds: Map<string, number>, requests: number, per = 'request'): string[] {
  const total = [...microseconds.values()].reduce((sum, us) => sum + us, 0);
  return [
    `| part | CPU ms / ${per} | share |`,
    '|---|---:|---:|',
    ...[...microseconds].sort((a, b) => b[1] - a[1]).map(([owner, us]) => `| ${owner} | ${(us / 1000 / requests).toFixed(3)} | ${((100 * us) / total).toFixed(1)} % |`),
    `| all | ${(total / 1000 / requests).toFixed(3)} | 100 % |`,
  ];
}
