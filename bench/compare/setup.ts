/**
 * What every Repogate benchmark starts from: the stack, acme's device ids for the scenarios, an
 * interactive token, and the topology Repogate is measured with (the interactive class, its pool
 * the size every compared server gets, and a cost limit that lets Q4's 20 × 50 × entries through).
 */
import type { Topology } from '../../src/config.js';
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
