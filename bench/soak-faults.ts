/**
 * The soak with faults (`npm run soak -- --minutes 10 --faults`): mixed reads and unique writes
 * at a fixed rate (plain fetch, each body built per request) while each repo in turn is hung
 * (SIGSTOP of its whole process tree, then SIGCONT) and killed (MariaDB SIGKILL, PostgreSQL
 * `pg_ctl stop -m immediate`, then a start): legacy, telemetry, main's replica, main's primary.
 *
 * Checks: every GraphQL error is REPO_UNAVAILABLE / REPO_BUSY naming the faulted repo, inside its
 * window (fault start → recovery + grace); answers during a fault stay within the class's
 * statement timeout + 1 s; the gateway recovers within 5 s of SIGCONT or restart; every write
 * the gateway acknowledged is in the database afterwards (direct SQL); memory flat. What the
 * soak wrote is deleted at the end. While it runs, /tmp/soak-running tells others the shared
 * stack is being faulted.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { signDevToken } from '../src/auth/tokens.js';
import { clientClasses, projectRoot, type ClientClass } from '../src/config.js';
import { createRepogate } from '../src/gateway/repogate.js';
import { DEBUG_HEADER } from '../src/gateway/use-repo-usage.js';
import { createLogger } from '../src/observability/logger.js';
import type { PostgresCluster } from '../dev/stack/postgres-cluster.js';
import { hangProcessTree, hasExited, waitFor } from '../dev/stack/processes.js';
import { stackProcesses, stackUp } from '../dev/stack/stack.js';

export const SOAK_RUNNING_FILE = '/tmp/soak-running';

const WARM_UP_S = 20;
/** Errors are still the fault's for this long after the gateway answered healthily again. */
const GRACE_MS = 5000;
const RECOVERY_BOUND_MS = 5000;
const RECOVERY_GIVE_UP_MS = 30_000;
/** Open loop: past this many unanswered requests the generator skips sends (and counts them). */
const MAX_IN_FLIGHT = 3000;
const HEAP_GROWTH_LIMIT_MB = 32;
const RSS_GROWTH_LIMIT_MB = 256;
const repoErrorCodes = new Set(['REPO_UNAVAILABLE', 'REPO_BUSY']);

/** What the soak writes, all in globex: fixes of four devices on 2026-11-21/22, time entries of 16 users. */
const fixDevices = ['4', '6', '8', '10'];
const FIXES_FROM = Date.UTC(2026, 10, 21);
const FIXES_TO = Date.UTC(2026, 10, 23);
const FIXES_PER_CALL = 5;
const entryUsers = Array.from({ length: 16 }, (_, i) => String(301 + i));
/** Never has a running entry: `stopTimeEntry` for it is refused after a locking read on main's primary. */
const PROBE_USER = '317';
const projectOf = (userId: string) => String(((Number(userId) - 1) % 20) + 1);
const NOTE_PREFIX = 'soak-faults';
const ENTRIES_FROM = Date.UTC(2026, 10, 21);

type Target = 'legacy' | 'telemetry' | 'mainReplica' | 'main';
type FaultKind = 'hang' | 'kill';
const targetRepo: Record<Target, string> = { legacy: 'legacy', telemetry: 'telemetry', mainReplica: 'main', main: 'main' };
const targetLabel: Record<Target, string> = { legacy: 'legacy (MariaDB)', telemetry: 'telemetry', mainReplica: 'main replica', main: 'main primary' };
const schedule: [Target, FaultKind][] = [
  ['legacy', 'hang'], ['legacy', 'kill'], ['telemetry', 'hang'], ['telemetry', 'kill'],
  ['mainReplica', 'hang'], ['mainReplica', 'kill'], ['main', 'hang'], ['main', 'kill'],
];

interface Fault {
  target: Target;
  kind: FaultKind;
  repo: string;
  startedAt: number;
  /** SIGCONT sent, or the restarted server answers. */
  resumedAt?: number;
  restartMs?: number;
  pids?: number;
  recoveryMs?: number;
  /** Errors naming the repo count as the fault's until here (open while undefined). */
  windowEnd?: number;
  problem?: string;
}

interface ErrorRecord {
  request: number;
  status: number;
  code: string;
  repo: string | undefined;
  text: string;
}

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, any> }[] } | undefined;
}

interface Send {
  clientClass: ClientClass;
  tenant: string;
  query: string;
  variables?: Record<string, unknown>;
  settle?(answer: Answer | undefined): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

/** One statement on its own connection, bounded so a hung server costs seconds, not the run. */
async function sql<R = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end().catch(() => {});
  }
}

export async function soakWithFaults({ minutes, rate }: { minutes: number; rate: number }): Promise<number> {
  const seconds = Math.round(minutes * 60);
  const runId = new Date().toISOString();
  const note = `${NOTE_PREFIX} ${runId}`;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  const parts = stackProcesses();
  const hung = new Map<Target, () => void>();
  /** Whatever happened: every server resumed and running. */
  const leaveRunning = async () => {
    for (const resume of hung.values()) resume();
    hung.clear();
    for (const target of ['legacy', 'telemetry', 'main', 'mainReplica'] as const) {
      if (parts[target].pid() === undefined) await parts[target].start().catch((error: unknown) => console.error(`could not restart ${target}: ${String(error)}`));
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: resuming and restarting the stack's servers before exiting`);
    void leaveRunning().finally(() => {
      rmSync(SOAK_RUNNING_FILE, { force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // An error nobody handles would end a gateway in production too: the soak fails, but leaves
  // the shared stack as it found it.
  let crashed = false;
  const onCrash = (error: unknown) => {
    console.error('\nFAILED: the gateway process would have crashed (uncaught exception):', error);
    if (crashed) return;
    crashed = true;
    void leaveRunning().finally(() => {
      rmSync(SOAK_RUNNING_FILE, { force: true });
      process.exit(1);
    });
  };
  process.on('uncaughtException', onCrash);

  const info = await stackUp(() => {});
  const { topology } = info;
  if (!('hs256Secret' in topology.auth)) throw new Error('the soak signs tokens with the stack secret');
  const globexUrl = info.repos.main.tenants.globex!;
  const telemetryUrl = info.repos.telemetry.url;

  const cleanUp = async () => {
    await sql(telemetryUrl, 'DELETE FROM positions WHERE device_id = ANY($1::bigint[]) AND recorded_at >= $2 AND recorded_at < $3', [fixDevices, new Date(FIXES_FROM), new Date(FIXES_TO)]);
    // Ingest only moves device_last_position forward: back to the newest fix left.
    await sql(telemetryUrl, 'DELETE FROM device_last_position WHERE device_id = ANY($1::bigint[])', [fixDevices]);
    await sql(telemetryUrl, `INSERT INTO device_last_position SELECT DISTINCT ON (device_id) device_id, recorded_at, lat, lon, speed_kmh, heading
      FROM positions WHERE device_id = ANY($1::bigint[]) ORDER BY device_id, recorded_at DESC`, [fixDevices]);
    await sql(globexUrl, 'DELETE FROM time_entries WHERE user_id = ANY($1::bigint[]) AND note LIKE $2', [[...entryUsers, PROBE_USER], `${NOTE_PREFIX}%`]);
  };
  // A cluster started before the stack committed synchronously acknowledges commits it has not
  // written yet, and a crash-like stop loses them: such a cluster is restarted with today's settings.
  for (const [target, url] of [['main', info.repos.main.registry], ['telemetry', telemetryUrl]] as const) {
    const [row] = await sql<{ synchronous_commit: string }>(url, 'SHOW synchronous_commit');
    const mode = row?.synchronous_commit;
    if (mode !== 'on') {
      console.log(`restarting ${target} (it runs with synchronous_commit=${mode})`);
      await parts[target].stop();
      await parts[target].start();
    }
  }
  await cleanUp(); // what a soak that died left behind
  const running = await sql<{ user_id: string }>(globexUrl, 'SELECT user_id::text FROM time_entries WHERE user_id = ANY($1::bigint[]) AND ended_at IS NULL', [[...entryUsers, PROBE_USER]]);
  if (running.length > 0) throw new Error(`users ${running.map((r) => r.user_id).join(', ')} of globex have running entries the soak did not make`);

  writeFileSync(SOAK_RUNNING_FILE, `${process.pid}\n`);
  try {
    const repogate = createRepogate(topology, { logger: createLogger('warn'), debug: true });
    const server = createServer(repogate.gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

    const tokens = new Map<string, string>();
    for (const clientClass of clientClasses) {
      for (const tenant of ['acme', 'globex']) {
        tokens.set(`${clientClass}/${tenant}`, await signDevToken(topology.auth.hs256Secret, { clientClass, tenant, expiresIn: `${seconds + 3600}s` }));
      }
    }
    const post = (send: Send, debug = false) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(`${send.clientClass}/${send.tenant}`)}`, ...(debug && { [DEBUG_HEADER]: '1' }) },
        body: JSON.stringify({ query: send.query, variables: send.variables }),
      });

    // ---- writes the gateway acknowledged, checked by SQL at the end ----
    const ackedFixes = new Map<string, number[]>(fixDevices.map((d) => [d, []]));
    let fixCalls = 0;
    let ackedFixCalls = 0;
    const writeProblems: string[] = [];
    const recordPositions = (): Send => {
      const call = fixCalls++;
      const deviceId = fixDevices[call % fixDevices.length]!;
      const at = Array.from({ length: FIXES_PER_CALL }, (_, k) => FIXES_FROM + (call * FIXES_PER_CALL + k) * 1000);
      if (at.at(-1)! >= FIXES_TO) throw new Error('the soak ran out of its fix time range; lower --rate or --minutes');
      return {
        clientClass: 'api',
        tenant: 'globex',
        query: 'mutation ($d: ID!, $p: [PositionInput!]!) { recordPositions(deviceId: $d, positions: $p) { inserted duplicates } }',
        variables: { d: deviceId, p: at.map((ms, k) => ({ recordedAt: new Date(ms).toISOString(), latitude: 42.36 + k / 1000, longitude: -71.05, speedKmh: 30, heading: 90 })) },
        settle(answer) {
          const result = answer?.status === 200 && !answer.body?.errors ? answer.body?.data?.recordPositions : undefined;
          if (!result) return;
          if (result.inserted !== FIXES_PER_CALL || result.duplicates !== 0) {
            writeProblems.push(`recordPositions of ${FIXES_PER_CALL} new fixes answered ${JSON.stringify(result)}`);
            return;
          }
          ackedFixCalls += 1;
          ackedFixes.get(deviceId)!.push(...at);
        },
      };
    };

    interface Entry { id: string; userId: string; startedAt: number; endedAt?: number }
    const ackedEntries = new Map<string, Entry>();
    type UserState = { busy: boolean; uncertain: boolean; running?: { id: string; startedAt: number } };
    const users = new Map<string, UserState>(entryUsers.map((u) => [u, { busy: false, uncertain: false }]));
    const entryWrites = { starts: 0, stops: 0, ackedStarts: 0, ackedStops: 0, skipped: 0, reconciled: 0 };
    let entrySequence = 0;
    let userCursor = 0;
    let reconciling = false;
    const faults: Fault[] = [];
    const mainFaultOpen = () => faults.some((f) => f.repo === 'main' && (f.windowEnd === undefined || now() < f.windowEnd));
    /** After an unanswered write the soak, as a careful client would, reads what is really there. */
    const reconcile = () => {
      if (reconciling || mainFaultOpen()) return;
      const uncertain = [...users].filter(([, state]) => state.uncertain && !state.busy).map(([id]) => id);
      if (uncertain.length === 0) return;
      reconciling = true;
      sql<{ user_id: string; id: string; started_at: Date }>(globexUrl, 'SELECT user_id::text, id::text, started_at FROM time_entries WHERE user_id = ANY($1::bigint[]) AND ended_at IS NULL', [uncertain])
        .then((rows) => {
          for (const userId of uncertain) {
            const row = rows.find((r) => r.user_id === userId);
            users.set(userId, { busy: false, uncertain: false, running: row && { id: row.id, startedAt: row.started_at.getTime() } });
            entryWrites.reconciled += 1;
          }
        })
        .catch(() => {})
        .finally(() => (reconciling = false));
    };
    const timeEntryWrite = (): Send | undefined => {
      reconcile();
      const offset = entryUsers.findIndex((_, k) => {
        const state = users.get(entryUsers[(userCursor + k) % entryUsers.length]!)!;
        return !state.busy && !state.uncertain;
      });
      if (offset === -1) {
        entryWrites.skipped += 1;
        return undefined;
      }
      const userId = entryUsers[(userCursor + offset) % entryUsers.length]!;
      userCursor += offset + 1;
      const state = users.get(userId)!;
      state.busy = true;
      const settleWith = (field: string, onAck: (entry: any) => void) => (answer: Answer | undefined) => {
        state.busy = false;
        const entry = answer?.status === 200 && !answer.body?.errors ? answer.body?.data?.[field] : undefined;
        if (entry) onAck(entry);
        else state.uncertain = true; // it may have been written all the same
      };
      if (state.running) {
        const { id, startedAt } = state.running;
        const endedAt = startedAt + 30_000;
        entryWrites.stops += 1;
        return {
          clientClass: 'interactive',
          tenant: 'globex',
          query: 'mutation ($u: ID!, $e: DateTime!) { stopTimeEntry(userId: $u, endedAt: $e) { id endedAt } }',
          variables: { u: userId, e: new Date(endedAt).toISOString() },
          settle: settleWith('stopTimeEntry', (entry: { id: string; endedAt: string }) => {
            if (entry.id !== id || Date.parse(entry.endedAt) !== endedAt) writeProblems.push(`stopTimeEntry of ${id} answered ${JSON.stringify(entry)}`);
            entryWrites.ackedStops += 1;
            const acked = ackedEntries.get(entry.id) ?? { id: entry.id, userId, startedAt };
            ackedEntries.set(entry.id, { ...acked, endedAt });
            state.running = undefined;
          }),
        };
      }
      const startedAt = ENTRIES_FROM + entrySequence++ * 60_000;
      entryWrites.starts += 1;
      return {
        clientClass: 'interactive',
        tenant: 'globex',
        query: 'mutation ($i: StartTimeEntryInput!) { startTimeEntry(input: $i) { id startedAt } }',
        variables: { i: { userId, projectId: projectOf(userId), startedAt: new Date(startedAt).toISOString(), note } },
        settle: settleWith('startTimeEntry', (entry: { id: string; startedAt: string }) => {
          entryWrites.ackedStarts += 1;
          ackedEntries.set(entry.id, { id: entry.id, userId, startedAt });
          state.running = { id: entry.id, startedAt };
        }),
      };
    };

    const reads: Send[] = [
      { clientClass: 'interactive', tenant: 'acme', query: '{ companies(first: 5) { edges { node { name openBalanceCents users(first: 10) { edges { node { name lastPosition { recordedAt } devices { serial } } } } invoices(status: OPEN) { number lines { unitPriceCents } } } } } }' },
      { clientClass: 'interactive', tenant: 'globex', query: '{ user(id: "7") { name email trackedSeconds(from: "2026-10-01T00:00:00Z", to: "2026-10-08T00:00:00Z") devices { track(from: "2026-10-30T00:00:00Z", to: "2026-10-30T06:00:00Z", maxPoints: 50) { recordedAt } } } }' },
      { clientClass: 'api', tenant: 'acme', query: '{ devices(first: 50) { edges { node { serial lastPosition { latitude longitude } user { name company { name } } } } } }' },
      { clientClass: 'admin', tenant: 'acme', query: '{ invoice(number: "4999") { number company { name } lines { description } } company(id: "2") { openBalanceCents } }' },
    ];
    const mix: (() => Send | undefined)[] = [() => reads[0], recordPositions, () => reads[1], timeEntryWrite, () => reads[2], () => reads[3]];
    let mixCursor = 0;
    const nextSend = (): Send => {
      for (;;) {
        const send = mix[mixCursor++ % mix.length]!();
        if (send) return send;
      }
    };

    // ---- requests: fixed-size arrays, so the soak's own records do not grow the heap ----
    const capacity = Math.ceil(rate * (seconds + WARM_UP_S + 600)) + 10_000;
    const starts = new Float64Array(capacity);
    const ends = new Float64Array(capacity);
    const classOf = new Uint8Array(capacity);
    const warmUp = new Uint8Array(capacity);
    let requests = 0;
    let inFlight = 0;
    let skippedSends = 0;
    let transportErrors = 0;
    let inWarmUp = true;
    const errors: ErrorRecord[] = [];

    const fire = (send: Send) => {
      const i = requests++;
      if (i >= capacity) throw new Error('more requests than the soak sized its records for');
      starts[i] = now();
      classOf[i] = clientClasses.indexOf(send.clientClass);
      warmUp[i] = inWarmUp ? 1 : 0;
      inFlight += 1;
      post(send)
        .then(async (response) => ({ status: response.status, body: JSON.parse(await response.text()) as Answer['body'] }))
        .then(
          (answer) => {
            ends[i] = now();
            for (const error of answer.body?.errors ?? []) {
              errors.push({ request: i, status: answer.status, code: String(error.extensions?.code), repo: error.extensions?.repo, text: `${answer.status} ${error.extensions?.code} ${error.extensions?.repo ?? '-'} ${JSON.stringify(error.path ?? null)} ${error.message}` });
            }
            if (answer.status !== 200 && !answer.body?.errors?.length) errors.push({ request: i, status: answer.status, code: `HTTP ${answer.status}`, repo: undefined, text: `HTTP ${answer.status} without errors` });
            send.settle?.(answer);
          },
          (error: unknown) => {
            ends[i] = now();
            transportErrors += 1;
            errors.push({ request: i, status: 0, code: 'TRANSPORT', repo: undefined, text: `transport: ${String(error)}` });
            send.settle?.(undefined);
          },
        )
        .finally(() => (inFlight -= 1));
    };

    /** Open loop at `perSecond` until `until()` says stop. */
    const load = (perSecond: number, until: () => boolean) =>
      new Promise<void>((resolve) => {
        const t0 = now();
        let due = 0;
        const timer = setInterval(() => {
          if (until()) {
            clearInterval(timer);
            resolve();
            return;
          }
          const target = Math.floor(((now() - t0) / 1000) * perSecond);
          for (; due < target; due += 1) {
            if (inFlight >= MAX_IN_FLIGHT) skippedSends += 1;
            else fire(nextSend());
          }
        }, 5);
      });

    // ---- classification: an error is fine when it names the faulted repo with a repo code inside the window ----
    const faultOf = (error: ErrorRecord): Fault | undefined => {
      if (!repoErrorCodes.has(error.code)) return undefined;
      const [s, e] = [starts[error.request]!, ends[error.request]!];
      return faults.find((f) => f.repo === error.repo && s <= (f.windowEnd ?? Infinity) && e >= f.startedAt);
    };
    const unexpected = () => errors.filter((error) => !warmUp[error.request] && !faultOf(error));

    const memory: { rssMb: number; heapMb: number }[] = [];
    const measure = (collect: boolean) => {
      if (collect) gc();
      const { rss, heapUsed } = process.memoryUsage();
      return { rssMb: Math.round(rss / 1e6), heapMb: Math.round(heapUsed / 1e6) };
    };
    const runStart = now();
    const elapsed = () => Math.round((now() - runStart) / 1000);
    const log = (line: string) => process.stdout.write(`  [${String(elapsed()).padStart(4)} s] ${line}\n`);
    let phase = 'warm-up';
    const progress = setInterval(() => {
      const m = measure(false);
      memory.push(m);
      const attributed = errors.filter((error) => !warmUp[error.request] && faultOf(error)).length;
      const other = unexpected();
      const otherCodes = [...new Set(other.map((e) => `${e.code}:${e.repo ?? '-'}`))].map((key) => `${key} ${other.filter((e) => `${e.code}:${e.repo ?? '-'}` === key).length}`);
      log(`${phase}: ${requests} requests, ${inFlight} in flight, errors ${attributed} fault-attributed / ${other.length} other${other.length > 0 ? ` (${otherCodes.join(', ')})` : ''}, writes acked ${ackedFixCalls} fixes calls + ${entryWrites.ackedStarts + entryWrites.ackedStops} entry writes, rss ${m.rssMb} MB heap ${m.heapMb} MB`);
    }, 10_000);

    process.stdout.write(`soak with faults: ${seconds} s at ${rate} req/s after a ${WARM_UP_S} s warm-up at ${Math.round(rate / 4)} req/s\n`);
    const warmUpEnd = now() + WARM_UP_S * 1000;
    await load(Math.max(1, Math.round(rate / 4)), () => now() >= warmUpEnd);
    inWarmUp = false;
    const afterWarmUp = measure(true);
    let beforeFaults = afterWarmUp;

    // ---- faults, one at a time ----
    const leadInMs = Math.min(30_000, seconds * 100);
    const slotMs = (seconds * 1000 - 2 * leadInMs) / schedule.length;
    const hangMs = Math.min(20_000, Math.max(3000, slotMs * 0.35));
    const downMs = Math.min(5000, Math.max(2000, slotMs * 0.1));
    const probes: Record<Target, { send: Send; healthy(answer: Answer & { extensions?: any }): boolean }> = {
      legacy: { send: { clientClass: 'interactive', tenant: 'acme', query: '{ company(id: "5") { name openBalanceCents } }' }, healthy: (a) => a.status === 200 && !a.body?.errors },
      telemetry: { send: { clientClass: 'interactive', tenant: 'globex', query: '{ user(id: "7") { name lastPosition { recordedAt } } }' }, healthy: (a) => a.status === 200 && !a.body?.errors },
      mainReplica: {
        send: { clientClass: 'interactive', tenant: 'acme', query: '{ companies(first: 3) { edges { node { name } } } }' },
        healthy: (a) => a.status === 200 && !a.body?.errors && ((a.body as any)?.extensions?.repos?.main?.servedBy ?? []).includes('replica'),
      },
      // A transaction on main's primary: the locking read finds no running entry, and says so.
      main: {
        send: { clientClass: 'interactive', tenant: 'globex', query: `mutation { stopTimeEntry(userId: "${PROBE_USER}") { id } }` },
        healthy: (a) => a.status === 200 && a.body?.errors?.length === 1 && a.body.errors[0]!.extensions?.code === 'BAD_USER_INPUT',
      },
    };
    const recovered = async (target: Target, from: number): Promise<number | undefined> => {
      while (now() - from < RECOVERY_GIVE_UP_MS) {
        try {
          const response = await post(probes[target].send, true);
          if (probes[target].healthy({ status: response.status, body: (await response.json()) as Answer['body'] })) return now() - from;
        } catch {
          // the next poll
        }
        await sleep(100);
      }
      return undefined;
    };
    const inject = async (fault: Fault) => {
      const part = parts[fault.target];
      const pid = part.pid();
      if (pid === undefined) throw new Error(`${fault.target} is not running`);
      if (fault.kind === 'hang') {
        const { pids, resume } = hangProcessTree(pid);
        hung.set(fault.target, resume);
        fault.pids = pids.length;
        log(`${targetLabel[fault.target]}: SIGSTOP to ${pids.length} processes for ${hangMs / 1000} s`);
        await sleep(hangMs);
        resume();
        hung.delete(fault.target);
        fault.resumedAt = now();
        log(`${targetLabel[fault.target]}: SIGCONT`);
      } else {
        if (fault.target === 'legacy') {
          process.kill(pid, 'SIGKILL');
          await waitFor('mariadbd to exit', async () => hasExited(pid), 10_000);
          log(`${targetLabel[fault.target]}: SIGKILL; restart in ${downMs / 1000} s`);
        } else {
          await (part as PostgresCluster).stop('immediate');
          log(`${targetLabel[fault.target]}: pg_ctl stop -m immediate; restart in ${downMs / 1000} s`);
        }
        await sleep(downMs);
        const restart = now();
        await part.start();
        fault.resumedAt = now();
        fault.restartMs = fault.resumedAt - restart;
        log(`${targetLabel[fault.target]}: started again (${Math.round(fault.restartMs)} ms)`);
      }
      const ms = await recovered(fault.target, fault.resumedAt);
      if (ms === undefined) {
        fault.problem = `not recovered within ${RECOVERY_GIVE_UP_MS / 1000} s`;
        fault.windowEnd = now() + GRACE_MS;
      } else {
        fault.recoveryMs = ms;
        fault.windowEnd = fault.resumedAt + ms + GRACE_MS;
        if (ms > RECOVERY_BOUND_MS) fault.problem = `recovered after ${Math.round(ms)} ms (bound ${RECOVERY_BOUND_MS} ms)`;
      }
      log(`${targetLabel[fault.target]}: gateway healthy again ${ms === undefined ? 'never' : `${Math.round(ms)} ms`} after ${fault.kind === 'hang' ? 'SIGCONT' : 'the restart'}`);
    };
    const mainStart = now();
    let faultsDone = false;
    let faultError: unknown;
    const faulting = (async () => {
      for (const [k, [target, kind]] of schedule.entries()) {
        const slotStart = mainStart + leadInMs + k * slotMs;
        const previousEnd = faults.at(-1)?.windowEnd ?? 0;
        await sleep(Math.max(0, slotStart - now(), previousEnd + GRACE_MS - now()));
        // Memory is compared from here: after the lead-in at the full rate, pools and caches
        // have reached their working size (at the end of the quarter-rate warm-up they had not).
        if (k === 0) beforeFaults = measure(true);
        const fault: Fault = { target, kind, repo: targetRepo[target], startedAt: now() };
        faults.push(fault);
        phase = `${targetLabel[target]} ${kind}`;
        await inject(fault);
        phase = 'quiet';
      }
    })()
      .catch((error: unknown) => (faultError = error))
      .finally(() => (faultsDone = true));
    phase = 'quiet';
    const loadEnd = mainStart + seconds * 1000;
    let doneAt: number | undefined;
    await load(rate, () => {
      if (faultsDone && doneAt === undefined) doneAt = now();
      return faultsDone && now() >= Math.max(loadEnd, (doneAt ?? 0) + 10_000);
    });
    const loadMs = now() - mainStart;
    await faulting;
    await waitFor('the last answers', async () => inFlight === 0, 90_000).catch(() => {});
    clearInterval(progress);
    const atEnd = measure(true);
    await new Promise((resolve) => server.close(resolve));
    await repogate.close();
    if (faultError) throw faultError;

    // ---- every acknowledged write, by direct SQL ----
    const storedFixes = await sql<{ device_id: string; ms: string }>(telemetryUrl, 'SELECT device_id::text, (extract(epoch FROM recorded_at) * 1000)::bigint::text AS ms FROM positions WHERE device_id = ANY($1::bigint[]) AND recorded_at >= $2 AND recorded_at < $3', [fixDevices, new Date(FIXES_FROM), new Date(FIXES_TO)]);
    const stored = new Set(storedFixes.map((row) => `${row.device_id}@${row.ms}`));
    const ackedFixCount = [...ackedFixes.values()].reduce((sum, list) => sum + list.length, 0);
    const missingFixes = [...ackedFixes].flatMap(([device, list]) => list.filter((ms) => !stored.has(`${device}@${ms}`)).map((ms) => `${device}@${new Date(ms).toISOString()}`));
    const storedEntries = await sql<{ id: string; user_id: string; started_at: Date; ended_at: Date | null }>(globexUrl, 'SELECT id::text, user_id::text, started_at, ended_at FROM time_entries WHERE note = $1', [note]);
    const entriesById = new Map(storedEntries.map((row) => [row.id, row]));
    const entryProblems = [...ackedEntries.values()].flatMap((entry) => {
      const row = entriesById.get(entry.id);
      if (!row) return [`time entry ${entry.id} (acknowledged) is missing`];
      if (row.user_id !== entry.userId || row.started_at.getTime() !== entry.startedAt) return [`time entry ${entry.id} is ${JSON.stringify(row)}`];
      if (entry.endedAt !== undefined && row.ended_at?.getTime() !== entry.endedAt) return [`time entry ${entry.id}: acknowledged stop at ${new Date(entry.endedAt).toISOString()}, stored ${row.ended_at?.toISOString() ?? 'running'}`];
      return [];
    });

    // ---- figures ----
    const boundOf = (i: number) => topology.classes[clientClasses[classOf[i]!]!].statementTimeoutMs + 1000;
    const mainRequests = Array.from({ length: requests }, (_, i) => i).filter((i) => !warmUp[i]);
    const latencies = mainRequests.map((i) => ends[i]! - starts[i]!).sort((a, b) => a - b);
    const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
    const attributedTo = new Map<Fault, ErrorRecord[]>(faults.map((f) => [f, []]));
    for (const error of errors) {
      if (warmUp[error.request]) continue;
      const fault = faultOf(error);
      if (fault) attributedTo.get(fault)!.push(error);
    }
    const perFault = faults.map((fault) => {
      const during = mainRequests.filter((i) => starts[i]! <= fault.windowEnd! && ends[i]! >= fault.startedAt);
      const slowest = during.reduce((max, i) => Math.max(max, ends[i]! - starts[i]!), 0);
      const overBound = during.filter((i) => ends[i]! - starts[i]! > boundOf(i));
      const attributed = attributedTo.get(fault)!;
      const codes = [...new Set(attributed.map((e) => e.code))].map((code) => `${code} ${attributed.filter((e) => e.code === code).length}`).join(', ');
      return { fault, during: during.length, affected: new Set(attributed.map((e) => e.request)).size, codes, slowest, overBound };
    });
    const others = unexpected();
    const entryWriteFailures = errors.filter((e) => e.code === 'BAD_USER_INPUT').length;
    const heapGrowth = atEnd.heapMb - beforeFaults.heapMb;
    const rssGrowth = atEnd.rssMb - beforeFaults.rssMb;
    const failures = [
      ...(others.length > 0 ? [`${others.length} errors not attributable to a fault (first: ${others[0]!.text})`] : []),
      ...(transportErrors > 0 ? [`${transportErrors} transport errors`] : []),
      ...(skippedSends > 0 ? [`${skippedSends} sends skipped at ${MAX_IN_FLIGHT} in flight`] : []),
      ...(entryWriteFailures > 0 ? [`${entryWriteFailures} time-entry writes refused as bad input (the soak lost track of a user's running entry)`] : []),
      ...perFault.flatMap(({ fault, overBound }) => [
        ...(fault.problem ? [`${targetLabel[fault.target]} ${fault.kind}: ${fault.problem}`] : []),
        ...(overBound.length > 0 ? [`${targetLabel[fault.target]} ${fault.kind}: ${overBound.length} answers over their class's statement timeout + 1 s (slowest ${Math.round(Math.max(...overBound.map((i) => ends[i]! - starts[i]!)))} ms)`] : []),
      ]),
      ...(faults.length < schedule.length ? [`only ${faults.length} of ${schedule.length} faults ran`] : []),
      ...(missingFixes.length > 0 ? [`${missingFixes.length} acknowledged fixes missing (first: ${missingFixes.slice(0, 3).join(', ')})`] : []),
      ...entryProblems.slice(0, 10),
      ...writeProblems.slice(0, 10),
      ...(heapGrowth > HEAP_GROWTH_LIMIT_MB ? [`heap after GC grew ${heapGrowth} MB (limit ${HEAP_GROWTH_LIMIT_MB})`] : []),
      ...(rssGrowth > RSS_GROWTH_LIMIT_MB ? [`RSS grew ${rssGrowth} MB (limit ${RSS_GROWTH_LIMIT_MB})`] : []),
    ];

    const ms = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value).toLocaleString('en')} ms`);
    const report = [
      `# Soak with faults — ${runId}`,
      '',
      `${(loadMs / 60_000).toFixed(1)} min at ${rate} req/s (open loop, one fetch per request, each body built for it), after a ${WARM_UP_S} s warm-up at a quarter of the rate;`,
      'mixed: 4 reads over 3 classes and 2 tenants, `recordPositions` (api, 5 new fixes a call) and `startTimeEntry` / `stopTimeEntry` (interactive).',
      `Each repo hung (SIGSTOP of its process tree for ${hangMs / 1000} s) and killed (down ${downMs / 1000} s, then started), one at a time; errors count as the fault's from its start to ${GRACE_MS / 1000} s after the gateway answered healthily again.`,
      '',
      '| requests | p50 | p99 | max | errors attributed to the fault | other errors | transport errors | skipped sends | warm-up errors |',
      '|---|---|---|---|---|---|---|---|---|',
      `| ${mainRequests.length.toLocaleString('en')} | ${pct(0.5)} ms | ${pct(0.99)} ms | ${pct(1)} ms | ${[...attributedTo.values()].reduce((sum, list) => sum + list.length, 0)} | **${others.length}** | ${transportErrors} | ${skippedSends} | ${errors.filter((e) => warmUp[e.request]).length} |`,
      '',
      '| fault | at | requests in window | affected (errors) | longest answer in window | bound (class timeout + 1 s) | restart took | healthy again after SIGCONT / restart |',
      '|---|---|---|---|---|---|---|---|',
      ...perFault.map(({ fault, during, affected, codes, slowest, overBound }) =>
        `| ${targetLabel[fault.target]} ${fault.kind}${fault.pids ? ` (${fault.pids} processes)` : ''} | ${Math.round((fault.startedAt - mainStart) / 1000)} s | ${during} | ${affected}${codes ? ` (${codes})` : ''} | ${ms(slowest)} | ${overBound.length === 0 ? 'kept' : `**${overBound.length} over**`} | ${ms(fault.restartMs)} | ${ms(fault.recoveryMs)}${fault.problem ? ` **${fault.problem}**` : ''} |`),
      '',
      '| writes | sent | acknowledged | acknowledged and found by SQL |',
      '|---|---|---|---|',
      `| recordPositions calls (fixes) | ${fixCalls} (${fixCalls * FIXES_PER_CALL}) | ${ackedFixCalls} (${ackedFixCount}) | ${ackedFixCount - missingFixes.length} of ${ackedFixCount} fixes; ${stored.size - (ackedFixCount - missingFixes.length)} unacknowledged fixes were stored too |`,
      `| startTimeEntry | ${entryWrites.starts} | ${entryWrites.ackedStarts} | ${entryWrites.ackedStarts - entryProblems.filter((p) => p.endsWith('is missing')).length} of ${entryWrites.ackedStarts}; ${storedEntries.length - entryWrites.ackedStarts} unacknowledged starts were stored too |`,
      `| stopTimeEntry | ${entryWrites.stops} | ${entryWrites.ackedStops} | ${entryWrites.ackedStops - entryProblems.filter((p) => p.includes('acknowledged stop')).length} of ${entryWrites.ackedStops} |`,
      '',
      `Time-entry writes skipped while every soak user's state was uncertain (after an unanswered write, until main's fault window closed and the soak read the truth by SQL): ${entryWrites.skipped}; users reconciled: ${entryWrites.reconciled}.`,
      '',
      `Memory (after a forced GC; after the warm-up: heap ${afterWarmUp.heapMb} MB, RSS ${afterWarmUp.rssMb} MB): before the first fault → end, heap ${beforeFaults.heapMb} → ${atEnd.heapMb} MB (limit +${HEAP_GROWTH_LIMIT_MB}), RSS ${beforeFaults.rssMb} → ${atEnd.rssMb} MB (limit +${RSS_GROWTH_LIMIT_MB}); `
        + `10 s samples without GC: heap ${Math.min(...memory.map((m) => m.heapMb))}–${Math.max(...memory.map((m) => m.heapMb))} MB, RSS ${Math.min(...memory.map((m) => m.rssMb))}–${Math.max(...memory.map((m) => m.rssMb))} MB.`,
      '',
      failures.length === 0 ? '**All checks passed.**' : ['**Failed:**', '', ...failures.map((f) => `- ${f}`)].join('\n'),
      ...(others.length > 0 ? ['', 'Other errors (first 10):', '', ...others.slice(0, 10).map((e) => `    ${e.text.slice(0, 300)}`)] : []),
    ].join('\n');
    const file = path.join(projectRoot, 'bench', 'results', `soak-faults-${runId.slice(0, 10)}.md`);
    writeFileSync(file, `${report}\n`);
    console.log(`\n${report}\n\nwritten to ${path.relative(projectRoot, file)}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await leaveRunning();
    await cleanUp().catch((error: unknown) => console.error(`clean-up failed: ${String(error)}`));
    rmSync(SOAK_RUNNING_FILE, { force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
  }
}
