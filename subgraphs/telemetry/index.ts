/** The telemetry subgraph: GPS devices and positions, one database shared by all tenants. */
import { folderFiles, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { fields } from './fields.js';
import { createLoaders } from './loaders.js';
import { merge } from './merge.js';
import { resolvers, type TelemetryContext, type TelemetryWindows } from './resolvers.js';
import { sharedPositionRecorded } from './live.js';
import { POSITIONS_CHANNEL } from './sql.js';

export type { TelemetryContext } from './resolvers.js';

export const telemetrySubgraph: Subgraph<TelemetryContext['telemetry']> = {
  name: 'telemetry',
  dialect: 'pg',
  tenancy: 'shared-filtered',
  ...folderFiles(import.meta.url),
  resolvers,
  merge,
  fields,
  // Windows reaching before the horizon read the moved fixes from the archive (training), if any.
  uses: ['archive'],
  // recordPositions announces new fixes here (Subscription.positionRecorded).
  channels: [POSITIONS_CHANNEL],
  sharedSubscriptions: { positionRecorded: sharedPositionRecorded },
  createContext: (request) => ({
    repo: request.repo,
    loaders: createLoaders(request.repo, request),
    windows: request.settings as TelemetryWindows,
  }),
};
