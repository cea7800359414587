/**
 * The subgraphs Repogate ships, one folder each under subgraphs/. A topology serves those its
 * `repos` name; a deployment or a test adds its own descriptors next to these
 * (`createRepogate(topology, { subgraphs })`).
 */
import { legacySubgraph } from '../subgraphs/legacy/index.js';
import { mainSubgraph } from '../subgraphs/main/index.js';
import { telemetrySubgraph } from '../subgraphs/telemetry/index.js';
import { trainingSubgraph } from '../subgraphs/training/index.js';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientClasses, ConfigError, type Topology } from './config.js';
import { isVisibleTo, type AnySubgraph } from './subgraph-kit/subgraph.js';

export const builtInSubgraphs: readonly AnySubgraph[] = [mainSubgraph, telemetrySubgraph, legacySubgraph, trainingSubgraph];

/**
 * The descriptors of the topology's repos, in the topology's order: built in, or exported by the
 * module a repo names (`repos.<name>.module`). One folder and a topology entry add a repo.
 */
export async function loadSubgraphs(topology: Pick<Topology, 'repos'>): Promise<AnySubgraph[]> {
  const loaded: AnySubgraph[] = [];
  for (const [name, { module }] of Object.entries(topology.repos)) {
    if (!module) continue;
    const specifier = module.startsWith('.') || path.isAbsolute(module) ? pathToFileURL(path.resolve(module)).href : module;
    const exported = Object.values((await import(specifier)) as Record<string, unknown>);
    const subgraph = exported.find((value): value is AnySubgraph => isSubgraph(value) && value.name === name);
    if (!subgraph) throw new ConfigError(`repos.${name}.module: ${module} exports no subgraph named "${name}"`);
    loaded.push(subgraph);
  }
  return subgraphsFor(topology, [...builtInSubgraphs, ...loaded]);
}

function isSubgraph(value: unknown): value is AnySubgraph {
  return typeof value === 'object' && value !== null && 'name' in value && 'typeDefs' in value && 'createContext' in value;
}

/** The descriptors of the topology's repos among `available`, in the topology's order; every repo must have one. */
export function subgraphsFor(topology: Pick<Topology, 'repos'>, available: readonly AnySubgraph[] = builtInSubgraphs): AnySubgraph[] {
  return Object.entries(topology.repos).map(([name, config]) => {
    const subgraph = available.find((candidate) => candidate.name === name);
    if (!subgraph) throw new ConfigError(`repos.${name}: no subgraph of that name (known: ${available.map((s) => s.name).join(', ')})`);
    if (subgraph.dialect !== config.driver) throw new ConfigError(`repos.${name}.driver: the ${name} subgraph speaks ${subgraph.dialect}, not ${config.driver}`);
    // Tenant databases are created, migrated and looked up on PostgreSQL only (tenant-admin.ts).
    if (subgraph.tenancy === 'database-per-tenant' && subgraph.dialect !== 'pg') {
      throw new ConfigError(`repos.${name}: a database per tenant is supported on PostgreSQL only`);
    }
    const visible = config.classes ? { ...subgraph, classes: config.classes } : subgraph;
    for (const clientClass of clientClasses.filter((c) => isVisibleTo(visible, c) && !config.roles[c])) {
      throw new ConfigError(`repos.${name}.roles.${clientClass}: missing (class ${clientClass} sees the ${name} subgraph, so it needs a database role there)`);
    }
    return visible;
  });
}
