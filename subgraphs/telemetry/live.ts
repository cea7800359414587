/**
 * Subscription.positionRecorded: the notices of new fixes (sql.ts, recordPositions), filtered by
 * tenant and arguments before any SQL, each fix then loaded with its device through loaders
 * that live for one batching window (gateway/context.ts, liveContexts): one statement per burst.
 *
 * Its arguments only narrow which fixes a subscriber gets (`narrowing`), so the gateway shares
 * one execution among the subscribers of a selection (subgraph-kit/live.ts): it subscribes
 * without them and each event is tagged with its device and user.
 */
import { idFilter } from '../../src/subgraph-kit/arguments.js';
import { LiveGapError } from '../../src/subgraph-kit/errors.js';
import type { LiveBurst, Narrowing, SharedSubscription } from '../../src/subgraph-kit/live.js';
import type { TelemetryContext } from './resolvers.js';
import * as sql from './sql.js';

/** A notice as recordPositions sends it: tenant, device, its user, and the instants (or the first and last). */
interface Notice {
  t: string;
  d: string;
  u: string | null;
  at: number[] | null;
  from: number;
  to: number;
}

/**
 * What the source yields per fix: its key, its row and device once loaded with the rest of its
 * burst (or the error that load met, for this event alone), or a gap.
 */
export type LiveEvent =
  | { deviceId: string; userId: string | null; micros: string; fix?: sql.PositionRow; device?: sql.DeviceRow; failed?: unknown }
  | { gap: { from: Date; to: Date } };

type FixEvent = Exclude<LiveEvent, { gap: unknown }>;

/**
 * Loads a burst's fixes and devices before the first of them is emitted: the burst's loads meet
 * in one batch (one statement each), where event by event each would wait out the shared
 * loaders' window of its own.
 */
async function loadBurst(events: readonly FixEvent[], { telemetry }: TelemetryContext): Promise<void> {
  await Promise.all(events.map(async (event) => {
    try {
      [event.device, event.fix] = await Promise.all([
        telemetry.loaders.deviceById.load(event.deviceId),
        event.fix ?? telemetry.loaders.fixByKey.load(`${event.deviceId}|${event.micros}`),
      ]);
    } catch (error) {
      event.failed = error;
    }
  }));
}

interface Args {
  deviceIds?: string[] | null;
  userIds?: string[] | null;
}

/**
 * Notices parsed once for all subscriptions: each burst reaches every subscription of the
 * channel, and each asks whether a notice is its own. Forgotten at the end of the turn.
 */
let parsed: Map<string, Notice | undefined> | undefined;

function parse(text: string): Notice | undefined {
  if (!parsed) {
    parsed = new Map();
    setImmediate(() => (parsed = undefined));
  }
  if (parsed.has(text)) return parsed.get(text);
  let notice: Notice | undefined;
  try {
    notice = JSON.parse(text) as Notice;
  } catch {
    notice = undefined;
  }
  parsed.set(text, notice);
  return notice;
}

/**
 * The fixes a subscription emits, from its stream of bursts. An iterator, not a generator: when
 * the client goes, `return` must reach the stream at once (freeing its place under the caps),
 * also while it waits for a burst, which a generator would only see at its next `yield`.
 */
function events(bursts: AsyncIterableIterator<LiveBurst>, context: TelemetryContext): AsyncIterableIterator<LiveEvent> {
  const ready: LiveEvent[] = [];
  return {
    async next(): Promise<IteratorResult<LiveEvent>> {
      while (ready.length === 0) {
        const burst = await bursts.next();
        if (burst.done) return { value: undefined, done: true };
        if ('gap' in burst.value) {
          ready.push(burst.value);
          break;
        }
        // The listener queued only notices `matches` took (listen's `accepts`).
        const burstEvents: FixEvent[] = [];
        for (const notice of burst.value.notices.map(parse)) {
          if (!notice) continue;
          if (notice.at) {
            for (const micros of notice.at) burstEvents.push({ deviceId: notice.d, userId: notice.u, micros: String(micros) });
          } else {
            const fixes = await context.telemetry.loaders.fixesInRange.load(`${notice.d}|${notice.from}|${notice.to}`);
            for (const fix of fixes) burstEvents.push({ deviceId: fix.deviceId, userId: notice.u, micros: fix.micros, fix });
          }
        }
        await loadBurst(burstEvents, context);
        ready.push(...burstEvents);
      }
      const event = ready.shift()!;
      context.live?.emitting?.('gap' in event ? null : { device: event.deviceId, user: event.userId });
      return { value: event, done: false };
    },
    async return(): Promise<IteratorResult<LiveEvent>> {
      ready.length = 0;
      await bursts.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Which fixes a subscriber's arguments take, by their device and its user. */
function narrowing(args: Args): Narrowing {
  const deviceIds = idFilter(args.deviceIds, 'deviceIds');
  const userIds = idFilter(args.userIds, 'userIds');
  const devices = deviceIds && new Set(deviceIds);
  const users = userIds && new Set(userIds);
  return {
    accepts: (tag) => (!devices || devices.has(tag.device!)) && (!users || (tag.user !== null && users.has(tag.user!))),
    only: deviceIds ? { key: 'device', values: deviceIds } : userIds ? { key: 'user', values: userIds } : undefined,
  };
}

export const sharedPositionRecorded: SharedSubscription = { narrow: narrowing };

export const positionRecorded = {
  // Not a generator: the caps (SUBSCRIPTION_LIMIT) and argument checks answer at once, as an
  // error response, instead of as the first event of a stream.
  subscribe(_root: unknown, args: Args, context: TelemetryContext): AsyncIterable<LiveEvent> {
    if (!context.live) throw new Error('positionRecorded needs the gateway\'s live feeds');
    const { accepts } = narrowing(args);
    const { tenant } = context;
    const matches = (notice: Notice) => notice.t === tenant && accepts({ device: notice.d, user: notice.u });
    return events(context.live.listen(sql.POSITIONS_CHANNEL, (text) => {
      const notice = parse(text);
      return notice !== undefined && matches(notice);
    }), context);
  },
  resolve(event: LiveEvent) {
    if ('gap' in event) throw new LiveGapError(event.gap);
    if (event.failed !== undefined) throw event.failed;
    return { device: event.device, position: event.fix };
  },
};
