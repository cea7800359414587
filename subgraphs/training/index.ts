/**
 * The training subgraph: history moved out of the active repos (`npm run move`), one database
 * shared by all tenants, filtered by tenant, read-only. ML practitioners (class `ml`) see only
 * this; it is also the archive the active subgraphs read a window from where it reaches before
 * their horizon, for the classes that see it.
 */
import { folderFiles, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { archiveReader } from './archive.js';
import { fields } from './fields.js';
import { resolvers, type TrainingContext } from './resolvers.js';
import * as sql from './sql.js';

export type { TrainingContext } from './resolvers.js';

interface TrainingScope {
  repo: TrainingContext['training']['repo'];
  loaders: TrainingContext['training']['loaders'];
  /** The archive for the active subgraphs, when the request's class may read training. */
  archive: ReturnType<typeof archiveReader> | null;
}

export const trainingSubgraph: Subgraph<TrainingScope> = {
  name: 'training',
  dialect: 'pg',
  tenancy: 'shared-filtered',
  // The topology may add classes (repos.training.classes); their roles then need its GRANTs.
  classes: ['ml'],
  ...folderFiles(import.meta.url),
  resolvers,
  merge: {},
  fields,
  createContext: (request) => ({
    repo: request.repo,
    loaders: { statements: sql.statementsFor(request.canSee) },
    archive: request.canSee('Query.trainingPositions') ? archiveReader(request.repo, request) : null,
  }),
  provides: { archive: async (training) => training.archive },
};
