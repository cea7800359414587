/**
 * A terminal "live map": subscribes to new fixes through the typed SDK and prints each one as it
 * arrives, until Ctrl-C.
 *
 *   npm start                                  # in another terminal
 *   npx tsx examples/live-map.ts [deviceId …]  # every device of the tenant, or only those listed;
 *                                              # REPOGATE_URL / REPOGATE_TOKEN as for examples/service.ts
 */
import { createClient, RepogateError } from '../src/sdk/client.js';

/** Without REPOGATE_TOKEN, next to `npm start`: an `api` token for acme, signed with the dev stack's secret. */
async function devToken(): Promise<string | undefined> {
  const [{ readStackInfo }, { signDevToken }] = await Promise.all([import('../dev/stack/stack.js'), import('../src/auth/tokens.js')]);
  const auth = readStackInfo()?.topology.auth;
  return auth && 'hs256Secret' in auth ? signDevToken(auth.hs256Secret, { clientClass: 'api', tenant: 'acme', subject: 'examples/live-map.ts', expiresIn: '12h' }) : undefined;
}

const url = process.env.REPOGATE_URL ?? 'http://127.0.0.1:4000/graphql';
const token = process.env.REPOGATE_TOKEN || (await devToken());
if (!token) {
  console.error('set REPOGATE_TOKEN (no dev stack here to sign one: `npm start` makes it)');
  process.exit(1);
}
const deviceIds = process.argv.slice(2);
const repogate = createClient({ url, token });

// Ctrl-C ends the subscription; the loop below then ends and the process exits 0.
const stop = new AbortController();
// `on`, not `once`: under tsx a Ctrl-C arrives twice (from the terminal's process group, and
// relayed by tsx), and a second SIGINT without a handler would kill the process (exit 130).
process.on('SIGINT', () => stop.abort());

console.error(`live map of ${deviceIds.length > 0 ? `devices ${deviceIds.join(', ')}` : 'every device'} at ${url} (Ctrl-C stops)`);
try {
  for await (const { data, errors } of repogate.PositionRecorded(deviceIds.length > 0 ? { deviceIds } : {}, { signal: stop.signal })) {
    for (const error of errors) {
      // LIVE_GAP: the gateway lost its feed for a while; fixes of that window are in Device.track.
      const gap = error.extensions.gap as { from?: string; to?: string } | undefined;
      console.warn(`warning: ${error.code}: ${error.message}${gap ? ` (${gap.from} to ${gap.to})` : ''}`);
    }
    if (!data) continue;
    const { device, position } = data.positionRecorded;
    const who = device.user ? `${device.user.name} (${device.user.company.name})` : 'no user';
    console.log(`${device.serial}  ${who}  ${position.latitude.toFixed(5)}, ${position.longitude.toFixed(5)}  ${position.recordedAt}`);
  }
} catch (error) {
  if (!(error instanceof RepogateError)) throw error;
  console.error(error.code === 'NETWORK_ERROR' ? `cannot reach Repogate at ${url} (is \`npm start\` running?)` : `${error.code}: ${error.message}`);
  process.exit(1);
}
if (!stop.signal.aborted) {
  // The gateway ended the stream (a drain or a restart): not what a live map expects.
  console.error('the gateway ended the subscription');
  process.exit(1);
}
