/**
 * Hive Gateway in front of the bench's subgraph services (main, telemetry and legacy, each
 * `npm run subgraph` in its own process), from the supergraph file the runner composed
 * (BENCH_SUPERGRAPH): the other federation gateway of issue 12, set up as test/hive-gateway.test.ts
 * sets it up (dev/hive-gateway.ts).
 *
 * Its statements are the services' own: each answer of a service carries `extensions.repos`,
 * which Hive Gateway drops, so a plugin adds them up for `/__bench/queries` as it passes.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { createHiveGateway } from '../../../dev/hive-gateway.js';
import { announce, queries, serveQueryCount, type RepoName } from './common.js';

const supergraphFile = process.env.BENCH_SUPERGRAPH;
if (!supergraphFile) throw new Error('BENCH_SUPERGRAPH: the supergraph file to serve');

type RepoUsage = Record<string, { roundTrips: number }>;

const countStatements: GatewayPlugin = {
  onSubgraphExecute: () => ({ result }) => {
    // Only queries and mutations here: a stream's results would come through onNext.
    if (Symbol.asyncIterator in result) return;
    for (const [repo, usage] of Object.entries((result.extensions?.repos ?? {}) as RepoUsage)) {
      if (repo in queries) queries[repo as RepoName] += usage.roundTrips;
    }
  },
};

// Every request of the bench carries the same token, so Hive Gateway would merge concurrent
// identical fetches (Q6 has no variables: nearly all of them) that users' own tokens keep apart;
// Repogate never merges (each answer carries its own request's figures). Measured as users load it.
const gateway = createHiveGateway(readFileSync(supergraphFile, 'utf8'), { plugins: [countStatements], deduplicateInflightRequests: false });
const server = createServer((request, response) => {
  if (!serveQueryCount(request, response)) void gateway(request, response);
});
// Hive Gateway takes SIGTERM and SIGINT to dispose itself and leaves the process to us; a server
// still listening would outlive the runner.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
announce(server);
