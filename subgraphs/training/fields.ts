/** What each field of this subgraph reads (see subgraphs/main/fields.ts); who sees it at all is `classes`. */
import type { FieldAccess } from '../../src/subgraph-kit/subgraph.js';

const read = (...columns: string[]): FieldAccess => ({ columns });

export const fields: Record<string, FieldAccess> = {
  'Query.trainingPositions': read('positions.tenant', 'positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'positions.speed_kmh', 'positions.heading'),
  'Query.trainingTimeEntries': read('time_entries.tenant', 'time_entries.id', 'time_entries.user_id', 'time_entries.project_id', 'time_entries.started_at', 'time_entries.ended_at'),
  'TrainingTimeEntry.note': read('time_entries.note'),
};
