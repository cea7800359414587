/** What each field of this subgraph reads and who may not see it (see subgraphs/main/fields.ts). */
import type { FieldAccess } from '../../src/subgraph-kit/subgraph.js';

const read = (...columns: string[]): FieldAccess => ({ columns });

export const fields: Record<string, FieldAccess> = {
  'Device.id': read('devices.id'),
  'Device.serial': read('devices.serial'),
  'Device.label': read('devices.label'),
  'Device.user': read('devices.user_id'),
  'Device.lastPosition': read('device_last_position.device_id', 'device_last_position.recorded_at', 'device_last_position.lat', 'device_last_position.lon'),
  'User.lastPosition': read('device_last_position.device_id', 'device_last_position.recorded_at', 'device_last_position.lat', 'device_last_position.lon'),
  'Device.track': read('positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'positions.speed_kmh', 'positions.heading'),
  'User.devices': read('devices.id', 'devices.tenant', 'devices.user_id'),
  'Query.devices': read('devices.id', 'devices.tenant'),
  'Query.positionsInArea': read('positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'devices.tenant'),
  // Fixes come from devices and services, not from people's screens.
  'Mutation.recordPositions': { columns: ['devices.id', 'devices.tenant'], hiddenFrom: ['interactive'] },
};
