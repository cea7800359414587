/**
 * The subgraphs Repogate ships, one folder each under subgraphs/. A topology serves those its
 * `repos` name; a deployment or a test adds its own descriptors next to these
 * (`createRepogate(topology, { subgraphs })`).
 */
import { legacySubgraph } from '../subgraphs/legacy/index.js';
import { mainSubgraph } from '../subgraphs/main/index.js';
import { telemetrySubgraph } from '../subgraphs/telemetry/index.js';
import { ConfigError, type Topology } from './config.js';
import type { AnySubgraph } from './subgraph-kit/subgraph.js';

export const builtInSubgraphs: readonly AnySubgraph[] = [mainSubgraph, telemetrySubgraph, legacySubgraph];

/** The descriptors of the topology's repos, in the topology's order; every repo must have one. */
export function subgraphsFor(topology: Pick<Topology, 'repos'>, available: readonly AnySubgraph[] = builtInSubgraphs): AnySubgraph[] {
  return Object.entries(topology.repos).map(([name, config]) => {
    const subgraph = available.find((candidate) => candidate.name === name);
    if (!subgraph) throw new ConfigError(`repos.${name}: no subgraph of that name (known: ${available.map((s) => s.name).join(', ')})`);
    if (subgraph.dialect !== config.driver) throw new ConfigError(`repos.${name}.driver: the ${name} subgraph speaks ${subgraph.dialect}, not ${config.driver}`);
    return subgraph;
  });
}
