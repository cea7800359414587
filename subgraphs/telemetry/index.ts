/** The telemetry subgraph: GPS devices and positions, shared by all tenants. */
import { readSdl, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { createLoaders, type TelemetryLoaders } from './loaders.js';
import { fieldColumns } from './columns.js';
import { merge } from './merge.js';
import { resolvers } from './resolvers.js';

export type { TelemetryContext } from './resolvers.js';

export const telemetrySubgraph: Subgraph<TelemetryLoaders> = {
  name: 'telemetry',
  typeDefs: readSdl(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  merge,
  fieldColumns,
  createLoaders,
};
