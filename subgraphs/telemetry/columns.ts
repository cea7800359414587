/** The columns behind each field this subgraph serves (see subgraphs/main/columns.ts). */
export const fieldColumns: Record<string, string[]> = {
  'Device.id': ['devices.id'],
  'Device.serial': ['devices.serial'],
  'Device.label': ['devices.label'],
  'Device.user': ['devices.user_id'],
  'Device.lastPosition': ['device_last_position.device_id', 'device_last_position.recorded_at', 'device_last_position.lat', 'device_last_position.lon'],
  'User.lastPosition': ['device_last_position.device_id', 'device_last_position.recorded_at', 'device_last_position.lat', 'device_last_position.lon'],
  'Device.track': ['positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'positions.speed_kmh', 'positions.heading'],
  'User.devices': ['devices.id', 'devices.tenant', 'devices.user_id'],
  'Query.devices': ['devices.id', 'devices.tenant'],
  'Query.positionsInArea': ['positions.device_id', 'positions.recorded_at', 'positions.lat', 'positions.lon', 'devices.tenant'],
};
