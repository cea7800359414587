/**
 * The supergraph of our subgraph services: the composed schema with `@join__graph(url:)` naming
 * where each subgraph listens, which is what any federation gateway (Hive Gateway, Apollo
 * Router) reads to put itself in front of them (`npm run supergraph`).
 *
 * Composed with `@theguild/federation-composition` (MIT, the composer Hive uses), as the tests
 * compose our SDL: Apollo's composition is Elastic-licensed and comes as rover's binary.
 *
 * The SDL of each subgraph is the one its service answers on `_service { sdl }` (federationSdl
 * over all the topology's subgraphs), also when only some of them are composed: a gateway then
 * plans against exactly what the services say about themselves.
 */
import { composeServices } from '@theguild/federation-composition';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { ConfigError } from '../config.js';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';
import { federationSdl } from './federation-sdl.js';
import { defaultSubgraphPorts } from './serve-subgraph.js';

export interface SupergraphService {
  name: string;
  /** The service's GraphQL endpoint, what the gateway sends this subgraph's fetches to. */
  url: string;
  /** Its Federation v2 SDL. */
  sdl: string;
}

/** The subgraphs an error message names: composition quotes them (`subgraph "main"`) or prefixes them (`[main]`). */
function namedIn(message: string, names: readonly string[]): string[] {
  return names.filter((name) => message.includes(`"${name}"`) || message.includes(`[${name}]`));
}

/** The supergraph SDL of `services`; a ConfigError naming the subgraphs at fault and every error when they do not compose. */
export function composeSupergraph(services: readonly SupergraphService[]): string {
  const names = services.map((service) => service.name);
  const parsed: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const unparsable: string[] = [];
  for (const { name, url, sdl } of services) {
    try {
      parsed.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      unparsable.push(`- [${name}] ${error.message}`);
    }
  }
  // composeServices takes documents: an SDL that does not parse would throw without its subgraph's name.
  if (unparsable.length > 0) throw new ConfigError(`supergraph: the SDL of ${unparsable.length === 1 ? 'a subgraph does' : 'subgraphs do'} not parse:\n${unparsable.join('\n')}`);
  const result = composeServices(parsed);
  if (result.errors) {
    const culprits = [...new Set(result.errors.flatMap((error) => namedIn(error.message, names)))];
    const lines = result.errors.map((error) => `- ${error.extensions.code ? `${String(error.extensions.code)}: ` : ''}${error.message}`);
    throw new ConfigError(`supergraph: ${names.join(', ')} do not compose (${culprits.length === 0 ? 'no subgraph named' : `subgraph${culprits.length > 1 ? 's' : ''} ${culprits.join(', ')}`}):\n${lines.join('\n')}`);
  }
  return result.supergraphSdl;
}

export interface SupergraphOptions {
  /** Each subgraph's URL; default `http://127.0.0.1:<its default port>/graphql`, as `npm run subgraph` serves it. */
  urls?: Readonly<Record<string, string>>;
  /** The subgraphs to compose, by name; default all. */
  only?: readonly string[];
}

/**
 * The supergraph of our own subgraphs (descriptors, e.g. loadSubgraphs(topology)) as services,
 * without starting any: from their descriptors alone.
 */
export function supergraphOf(subgraphs: readonly AnySubgraph[], options: SupergraphOptions = {}): string {
  const { urls = {}, only } = options;
  const known = subgraphs.map((subgraph) => subgraph.name);
  for (const name of [...(only ?? []), ...Object.keys(urls)]) {
    if (!known.includes(name)) throw new ConfigError(`supergraph: no subgraph "${name}" (known: ${known.join(', ')})`);
  }
  const composed = only ? subgraphs.filter((subgraph) => only.includes(subgraph.name)) : subgraphs;
  if (composed.length === 0) throw new ConfigError('supergraph: no subgraph to compose');
  return composeSupergraph(
    composed.map((subgraph) => {
      const port = defaultSubgraphPorts[subgraph.name];
      const url = urls[subgraph.name] ?? (port === undefined ? undefined : `http://127.0.0.1:${port}/graphql`);
      if (!url) throw new ConfigError(`supergraph: subgraph ${subgraph.name} has no default port: give its URL (--url ${subgraph.name}=http://host:port/graphql)`);
      return { name: subgraph.name, url, sdl: federationSdl(subgraph, subgraphs) };
    }),
  );
}
