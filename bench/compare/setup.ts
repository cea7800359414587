/**
 * What every Repogate benchmark starts from: the stack, acme's device ids for the scenarios, an
 * interactive token, and the topology Repogate is measured with (the interactive class, its pool
 * the size every compared server gets, and a cost limit that lets Q4's 20 × 50 × entries through).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { projectRoot, type Topology } from '../../src/config.js';
import { signDevToken } from '../../src/auth/tokens.js';
import { withPgClient } from '../../src/repo/pg-client.js';
import { stackUp } from '../../dev/stack/stack.js';
import { ids } from './scenarios.js';

export function benchTopology(topology: Topology, poolSize: number): Topology {
  const interactive = topology.classes.interactive;
  return {
    ...topology,
    classes: { ...topology.classes, interactive: { ...interactive, poolSize, limits: { ...interactive.limits, maxCost: 5_000_000 } } },
  };
}

export async function prepareBench(poolSize: number): Promise<{ topology: Topology; token: string }> {
  const { topology, repos } = await stackUp(() => {});
  ids.devices = await withPgClient(repos.telemetry.url, async (client) =>
    (await client.query<{ id: string }>("SELECT id::text FROM devices WHERE tenant = 'acme' ORDER BY id")).rows.map((r) => r.id));
  if (!('hs256Secret' in topology.auth)) throw new Error('the bench signs tokens with the stack secret');
  const token = await signDevToken(topology.auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme', expiresIn: '2h' });
  return { topology: benchTopology(topology, poolSize), token };
}

/** Starts a bench server (`node --import tsx <args>`) as in production (graphql-js skips its development checks); resolves once it says it is ready. */
export function startProcess(name: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], { cwd: projectRoot, env: { ...process.env, NODE_ENV: 'production', GRAPHILE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (/ready|listening on|GraphiQL|is serving/i.test(chunk.toString())) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready: ${stderr.slice(-2000)}`)));
  });
}

/** The repos the benches put behind their own subgraph services, and where those listen. */
export const remoteRepos = ['main', 'telemetry', 'legacy'] as const;
const servicePorts: Record<(typeof remoteRepos)[number], number> = { main: 4111, telemetry: 4112, legacy: 4113 };
export const serviceUrl = (repo: (typeof remoteRepos)[number]) => `http://127.0.0.1:${servicePorts[repo]}/graphql`;

/**
 * `topology` with main, telemetry and legacy as services (the default 16 sockets each: a
 * deployment's gateway, untuned), written to `file`: the services and the all-remote gateway read
 * it, as one file serves a deployment's gateway and its services.
 */
export function writeRemoteTopology(topology: Topology, file: string): Topology {
  const remote: Topology = structuredClone(topology);
  for (const repo of remoteRepos) remote.repos[repo]!.service = { url: serviceUrl(repo), maxSockets: 16 };
  writeFileSync(file, JSON.stringify(remote));
  return remote;
}

/** The services of `writeRemoteTopology`'s file, by repo: `npm run subgraph -- <name> --port N` without npm in between, so /proc shows each one's own CPU. */
export async function startSubgraphServices(configFile: string): Promise<Record<(typeof remoteRepos)[number], ChildProcess>> {
  const started = await Promise.all(remoteRepos.map((repo) =>
    startProcess(`subgraph ${repo}`, ['dev/cli.ts', 'subgraph', repo, '--port', String(servicePorts[repo])], { REPOGATE_CONFIG: configFile, REPOGATE_LOG_LEVEL: 'warn' })));
  return Object.fromEntries(remoteRepos.map((repo, i) => [repo, started[i]!])) as Record<(typeof remoteRepos)[number], ChildProcess>;
}
