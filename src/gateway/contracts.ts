/**
 * The checked-in contracts: schemas/gateway.graphql (the stitched schema; what admin sees),
 * gateway.<class>.graphql (what the other client classes see) and one printed SDL per subgraph. `npm run schemas` writes them; test/contracts.test.ts fails when the
 * running schema drifts from what is checked in.
 */
import { lexicographicSortSchema, printSchema } from 'graphql';
import path from 'node:path';
import { projectRoot } from '../config.js';
import { subgraphSchema } from '../subgraph-kit/subgraph.js';
import { clientClasses } from '../config.js';
import { schemaForClass } from './class-schemas.js';
import { builtInSubgraphs } from '../subgraphs.js';
import { buildGatewaySchema } from './stitch.js';

export const schemasDir = path.join(projectRoot, 'schemas');

/** File name (under schemas/) → printed SDL, sorted so the files diff well. */
export function printContracts(): Record<string, string> {
  const print = (schema: Parameters<typeof printSchema>[0]) => `${printSchema(lexicographicSortSchema(schema))}\n`;
  const gateway = buildGatewaySchema();
  return {
    'gateway.graphql': print(gateway),
    // What each client class sees (admin sees all of gateway.graphql).
    ...Object.fromEntries(
      clientClasses.filter((c) => c !== 'admin').map((c) => [`gateway.${c}.graphql`, print(schemaForClass(gateway, c))]),
    ),
    ...Object.fromEntries(builtInSubgraphs.map((subgraph) => [`${subgraph.name}.graphql`, print(subgraphSchema(subgraph))])),
  };
}
