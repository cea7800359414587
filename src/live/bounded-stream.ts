/**
 * A bounded queue between a producer that pushes as things happen (the channel listener's
 * bursts, a shared subscription's results) and a consumer that pulls as its client reads. A
 * consumer that falls `capacity` behind is cut off with SUBSCRIPTION_OVERFLOW instead of the
 * gateway holding its events: memory stays bounded by subscribers × capacity.
 */
import { SubscriptionOverflowError } from '../errors.js';

export class BoundedStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private queued = 0;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failing: ((error: Error) => void) | undefined;
  private ended: Error | 'done' | undefined;

  constructor(
    private readonly capacity: number,
    /** Called once when the stream ends, however it ends (the producer forgets it, caps are freed). */
    private readonly onEnd: () => void,
    /** How many of the capacity's places an item takes (a burst: its notices). */
    private readonly sizeOf: (item: T) => number = () => 1,
    /**
     * Joins an item to the last one queued, if they can be one (bursts: their notices). A
     * consumer that was busy then takes all that arrived meanwhile at once, and catches up.
     */
    private readonly coalesce?: (last: T, item: T) => T | undefined,
    /**
     * Instead of ending the stream when it is full: what replaces all that waits (a shared feed
     * says "a gap since `since`", so its subscribers hear of the loss and go on).
     */
    private readonly overflowed?: (since: Date) => T,
  ) {}

  /** When the oldest item now waiting was pushed. */
  private oldestAt = new Date();

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failing = undefined;
      return resolve({ value: item, done: false });
    }
    const size = this.sizeOf(item);
    if (this.queued + size > this.capacity) {
      if (!this.overflowed) return this.end(new SubscriptionOverflowError(this.queued + size));
      const gap = this.overflowed(this.queue.length > 0 ? this.oldestAt : new Date());
      this.queue.length = 0;
      this.queue.push(gap);
      this.queued = this.sizeOf(gap);
      return;
    }
    if (this.queue.length === 0) this.oldestAt = new Date();
    const joined = this.coalesce && this.queue.length > 0 ? this.coalesce(this.queue.at(-1)!, item) : undefined;
    if (joined) this.queue[this.queue.length - 1] = joined;
    else this.queue.push(item);
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
      this.ended = 'done';
    }
    this.onEnd();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.queued -= this.sizeOf(item);
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended === 'done') return Promise.resolve({ value: undefined, done: true });
    if (this.ended) {
      // The error is told once; after it the stream is done, as an iterator that threw is.
      const error = this.ended;
      this.ended = 'done';
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }

  /** The client went away (or the transport stopped reading): forget it. */
  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
