/**
 * The gateway schema: the three subgraphs stitched with batched type merging. Pure: no pools,
 * no listeners, so tests build the real gateway and execute against it without HTTP.
 */
import { stitchSchemas } from '@graphql-tools/stitch';
import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { legacySubgraph } from '../../subgraphs/legacy/index.js';
import { mainSubgraph } from '../../subgraphs/main/index.js';
import { telemetrySubgraph } from '../../subgraphs/telemetry/index.js';
import { subgraphSchema, type Subgraph } from '../subgraph-kit/subgraph.js';
import { relocateMergedFieldErrors } from './relocate-errors.js';

export const subgraphs: readonly Subgraph[] = [mainSubgraph, telemetrySubgraph, legacySubgraph];

/** Root fields named `_…` are merge entry points: the gateway uses them, clients never see them. */
const isInternalField = (name: string) => name.startsWith('_');

export function buildGatewaySchema(parts: readonly Subgraph[] = subgraphs): GraphQLSchema {
  const stitched = stitchSchemas({
    subschemas: parts.map((subgraph) => ({
      name: subgraph.name,
      schema: subgraphSchema(subgraph),
      merge: subgraph.merge,
    })),
  });
  const mergedTypes = new Set(parts.flatMap((subgraph) => Object.keys(subgraph.merge)));
  const visible = pruneSchema(
    filterSchema({
      schema: stitched,
      rootFieldFilter: (_operation, fieldName) => !isInternalField(fieldName),
      // Input types used only by entry points go too.
      typeFilter: (typeName) => typeName !== 'LegacyCompanyRef',
    }),
  );
  return relocateMergedFieldErrors(visible, mergedTypes);
}
