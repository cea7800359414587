/** The columns behind each field this subgraph serves (see subgraphs/main/columns.ts). */
export const fieldColumns: Record<string, string[]> = {
  'Device.id': ['devices.id'],
  'Device.serial': ['devices.serial'],
  'Device.label': ['devices.label'],
  'Device.user': ['devices.user_id'],
  'Device.lastPosition': ['positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'positions.speed_kmh', 'positions.heading'],
  'Device.track': ['positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'positions.speed_kmh', 'positions.heading'],
  'User.devices': ['devices.id', 'devices.tenant', 'devices.user_id'],
  'Query.devices': ['devices.id', 'devices.tenant'],
};
