/**
 * The gateway schema: the configured subgraphs stitched with batched type merging. Pure: no
 * pools, no listeners, so tests build the real gateway and execute against it without HTTP.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { filterSchema, pruneSchema, type Executor } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { builtInSubgraphs } from '../subgraphs.js';
import { subgraphSchema, type AnySubgraph } from '../subgraph-kit/subgraph.js';
import { relocateMergedFieldErrors } from './relocate-errors.js';

/** Root fields named `_…` are merge entry points: the gateway uses them, clients never see them. */
const isInternalField = (name: string) => name.startsWith('_');

/**
 * `remote`: subgraphs reached over HTTP (remote-subgraph.ts), by name. They are stitched from
 * their descriptors as the others, so the plan is the same; their executor sends each delegation
 * to the service, and concurrent delegations of one level go in one request (`batch`), as
 * in-process they meet in the same loaders.
 * `foreign`: the subschemas of subgraphs that are not ours (foreign-subgraphs.ts), stitched as they are.
 */
export function buildGatewaySchema(
  parts: readonly AnySubgraph[] = builtInSubgraphs,
  remote: Readonly<Record<string, Executor>> = {},
  foreign: readonly SubschemaConfig[] = [],
): GraphQLSchema {
  const ours = parts.map((subgraph): SubschemaConfig => ({
    name: subgraph.name,
    schema: subgraphSchema(subgraph),
    merge: subgraph.merge,
    ...(remote[subgraph.name] && { executor: remote[subgraph.name], batch: true }),
  }));
  const subschemas = [...ours, ...foreign];
  const stitched = stitchSchemas({ subschemas });
  const mergedTypes = new Set(subschemas.flatMap((subschema) => Object.keys(subschema.merge ?? {})));
  const internalTypes = new Set(parts.flatMap((subgraph) => subgraph.internalTypes ?? []));
  const visible = pruneSchema(
    filterSchema({
      schema: stitched,
      rootFieldFilter: (_operation, fieldName) => !isInternalField(fieldName),
      // Types used only by entry points go too.
      typeFilter: (typeName) => !internalTypes.has(typeName),
    }),
  );
  return relocateMergedFieldErrors(visible, mergedTypes);
}
