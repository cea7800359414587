/**
 * One subscription's stream of bursts: a bounded queue between the channel listener (which
 * pushes as notices arrive) and the transport (which pulls as its client reads). A client that
 * falls `capacity` notices behind is cut off with SUBSCRIPTION_OVERFLOW instead of the gateway
 * holding its events: memory stays bounded by subscribers × capacity.
 */
import { SubscriptionOverflowError } from '../errors.js';
import type { LiveBurst } from '../subgraph-kit/live.js';

export class SubscriberStream implements AsyncIterableIterator<LiveBurst> {
  private readonly queue: LiveBurst[] = [];
  private queued = 0;
  private waiting: ((result: IteratorResult<LiveBurst>) => void) | undefined;
  private failing: ((error: Error) => void) | undefined;
  private ended: Error | 'done' | undefined;

  constructor(
    private readonly capacity: number,
    /** The subscription's own notices (its tenant, its filter): only they are queued and counted. */
    private readonly accepts: ((notice: string) => boolean) | undefined,
    /** Called once when the stream ends, however it ends (the listener forgets it, caps are freed). */
    private readonly onEnd: () => void,
  ) {}

  push(burst: LiveBurst): void {
    if (this.ended) return;
    if ('notices' in burst && this.accepts) {
      const own = burst.notices.filter(this.accepts);
      if (own.length === 0) return;
      burst = { notices: own };
    }
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failing = undefined;
      return resolve({ value: burst, done: false });
    }
    const size = 'notices' in burst ? burst.notices.length : 1;
    if (this.queued + size > this.capacity) return this.end(new SubscriptionOverflowError(this.queued + size));
    this.queue.push(burst);
    this.queued += size;
  }

  /** Ends the stream: `done` after what is queued (drain), or at once with an error. */
  end(reason: Error | 'done' = 'done'): void {
    if (this.ended) return;
    this.ended = reason;
    if (reason !== 'done') this.queue.length = 0;
    if (this.waiting) {
      const [resolve, fail] = [this.waiting, this.failing!];
      this.waiting = this.failing = undefined;
      if (reason === 'done') resolve({ value: undefined, done: true });
      else fail(reason);
    }
    this.onEnd();
  }

  next(): Promise<IteratorResult<LiveBurst>> {
    const burst = this.queue.shift();
    if (burst) {
      this.queued -= 'notices' in burst ? burst.notices.length : 1;
      return Promise.resolve({ value: burst, done: false });
    }
    if (this.ended === 'done') return Promise.resolve({ value: undefined, done: true });
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }

  /** The client went away (or the transport stopped reading): forget it. */
  return(): Promise<IteratorResult<LiveBurst>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
