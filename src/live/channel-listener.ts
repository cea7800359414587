/**
 * One dedicated LISTEN connection to a repo's primary, per gateway process: outside the class
 * pools (a pooled connection goes back to the pool, and LISTEN belongs to one session) and never
 * through a transaction-mode pooler. Notices are handed to every open subscription of their
 * channel in bursts: all that arrived in one turn of the event loop go out together, so the
 * subscriptions load what they emit together too (their loaders are shared per turn).
 *
 * A lost connection (the server restarted, or stopped answering the heartbeat) is opened again
 * with back-off, and each subscription is told of the gap: notices of that time are gone, and
 * a client must not believe it saw every fix.
 */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';
import type { LiveBurst } from '../subgraph-kit/live.js';
import { BoundedStream } from './bounded-stream.js';

/** A subscription's stream of bursts, and which notices are its own (its tenant, its filter). */
interface Subscriber {
  stream: BoundedStream<LiveBurst>;
  accepts: ((notice: string) => boolean) | undefined;
}

const noticesIn = (burst: LiveBurst) => ('notices' in burst ? burst.notices.length : 1);
/** Bursts waiting in one queue are one burst (a gap stays apart: it is news of its own). */
const joinBursts = (last: LiveBurst, burst: LiveBurst): LiveBurst | undefined =>
  'notices' in last && 'notices' in burst ? { notices: [...last.notices, ...burst.notices] } : undefined;

const RETRY_MS = { first: 100, max: 2_000 };
/** A connection that does not answer a ping within the timeout counts as lost (a hung server). */
const HEARTBEAT = { everyMs: 2_000, timeoutMs: 2_000 };

export class ChannelListener {
  private client: pg.Client | undefined;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private pending = new Map<string, string[]>();
  private flushScheduled = false;
  private lostAt: Date | undefined;
  private retryMs = RETRY_MS.first;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly repo: string,
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** Connects in the background; subscriptions opened before it is up simply hear nothing yet. */
  start(): void {
    void this.connect();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * A new subscription's stream of `channel`, of the notices `accepts` takes (all without it);
   * `onEnd` runs once when it ends, however.
   */
  /**
   * `shared`: the stream of an execution many subscribers share (shared-subscriptions.ts). Full,
   * it is not ended (that would end them all): what waits is dropped for a gap, as if the
   * connection had been lost that long.
   */
  open(channel: string, capacity: number, accepts: ((notice: string) => boolean) | undefined, onEnd: () => void, shared = false): BoundedStream<LiveBurst> {
    if (!this.channels.includes(channel)) throw new Error(`repo ${this.repo} announces nothing on channel ${channel}`);
    const subscribers = this.subscribers.get(channel) ?? new Set();
    this.subscribers.set(channel, subscribers);
    // Only its own notices are queued, and count against its capacity.
    const subscriber: Subscriber = {
      accepts,
      stream: new BoundedStream<LiveBurst>(capacity, () => {
        subscribers.delete(subscriber);
        onEnd();
      }, noticesIn, joinBursts, shared ? (since) => ({ gap: { from: since, to: new Date() } }) : undefined),
    };
    if (this.closed) subscriber.stream.end();
    else subscribers.add(subscriber);
    return subscriber.stream;
  }

  /** Ends every subscription cleanly (drain) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    for (const subscribers of this.subscribers.values()) for (const { stream } of [...subscribers]) stream.end();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: HEARTBEAT.timeoutMs, query_timeout: HEARTBEAT.timeoutMs });
    client.on('notification', ({ channel, payload }) => this.receive(channel, payload ?? ''));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      this.logger.warn({ repo: this.repo, err: (error as Error).message }, 'live: cannot LISTEN yet; retrying');
      await client.end().catch(() => {});
      return this.scheduleRetry();
    }
    if (this.closed) return void client.end().catch(() => {});
    this.client = client;
    this.retryMs = RETRY_MS.first;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lost(client));
    }, HEARTBEAT.everyMs);
    this.heartbeat.unref();
    if (this.lostAt) {
      const gap = { from: this.lostAt, to: new Date() };
      this.lostAt = undefined;
      this.logger.warn({ repo: this.repo, gapMs: gap.to.getTime() - gap.from.getTime() }, 'live: LISTEN connection back; subscribers told of the gap');
      this.broadcast({ gap });
    }
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.lostAt ??= new Date();
    this.logger.warn({ repo: this.repo }, 'live: LISTEN connection lost; reconnecting');
    // A hung server never answers the goodbye either: do not wait for it.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
  }

  private receive(channel: string, payload: string): void {
    const pending = this.pending.get(channel) ?? [];
    pending.push(payload);
    this.pending.set(channel, pending);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const bursts = this.pending;
      this.pending = new Map();
      for (const [name, notices] of bursts) {
        for (const { stream, accepts } of this.subscribers.get(name) ?? []) {
          const own = accepts ? notices.filter(accepts) : notices;
          if (own.length > 0) stream.push({ notices: own });
        }
      }
    });
  }

  private broadcast(burst: LiveBurst): void {
    for (const subscribers of this.subscribers.values()) for (const { stream } of subscribers) stream.push(burst);
  }
}
