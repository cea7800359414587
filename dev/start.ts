/**
 * `npm start`: the embedded stack (unless REPOGATE_CONFIG points elsewhere), then the gateway
 * on http://127.0.0.1:4000/graphql. SIGTERM / Ctrl-C: stop accepting, let in-flight requests
 * finish (up to gateway.drainTimeoutMs), close the pools, exit 0. The stack keeps running for
 * the next start (`npm run stack:down` stops it).
 *
 * Dev only: it imports the embedded stack. Production runs src/serve.ts (built), which shares
 * everything from serveWithWorkers on.
 */
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/auth/tokens.js';
import { serverOptions, topologyFromEnvironment } from '../src/config.js';
import { serveWithWorkers } from '../src/serve-workers.js';
import { stackUp } from './stack/stack.js';
import { exampleQuery } from './example-query.js';

export async function startGateway(): Promise<void> {
  // Before the stack: a bad REPOGATE_PORT fails at once, not after the databases are up.
  const server = serverOptions();
  // `npm start -- --supergraph <file or URL>`: foreign subgraphs from a supergraph composed elsewhere.
  const { values } = parseArgs({ args: process.argv.slice(3), options: { supergraph: { type: 'string' } } });
  const configured = topologyFromEnvironment();
  const topology = configured ?? (await stackUp()).topology;
  if (values.supergraph) topology.supergraph = values.supergraph;
  // In dev (the embedded stack) GraphiQL opens with an interactive token for acme.
  const graphiqlToken =
    !configured && 'hs256Secret' in topology.auth
      ? await signDevToken(topology.auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme', subject: 'graphiql', expiresIn: '30d' })
      : undefined;
  const { url } = await serveWithWorkers(topology, { server, graphiqlToken, graphiqlQuery: exampleQuery, stoppedHint: 'the stack keeps running; npm run stack:down stops it' });
  console.log(`Try:\n  TOKEN=$(npm run --silent token -- --class interactive --tenant acme)`);
  console.log(`  curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'x-repogate-debug: 1' \\`);
  console.log(`    -d '{"query":"{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { name lastPosition { latitude longitude } } } } } } } }"}'`);
}
