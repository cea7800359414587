/**
 * A circuit breaker per repo (opossum) in front of its primary's pools. After `failures`
 * unreachable errors in a row-ish (opossum's rolling window), the repo's fields fail fast with
 * REPO_UNAVAILABLE instead of each waiting on connect timeouts. After `cooldownMs` it probes the
 * repo by itself (SELECT 1) and closes once the repo answers. Errors that are not about
 * reachability (FORBIDDEN, a bad statement) do not count.
 */
import CircuitBreaker from 'opossum';
import { RepoUnavailableError } from '../errors.js';
import type { Database, PoolStats } from './database.js';
import type { Executor } from './repo.js';

export interface BreakerOptions {
  failures: number;
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

type Run = () => Promise<unknown>;

export class RepoBreaker {
  private readonly breaker: CircuitBreaker<[Run], unknown>;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly repo: string,
    options: BreakerOptions,
    private readonly probe: () => Promise<unknown>,
  ) {
    this.breaker = new CircuitBreaker((run: Run) => run(), {
      timeout: false, // the pools' acquire and statement timeouts bound each call already
      resetTimeout: options.cooldownMs,
      volumeThreshold: options.failures,
      errorThresholdPercentage: 50,
      rollingCountTimeout: 10_000,
      errorFilter: (error: unknown) => !(error instanceof RepoUnavailableError),
    });
    this.breaker.on('open', () => this.scheduleProbe(options.cooldownMs));
  }

  /** When open, nobody may be calling: probe on our own so the breaker closes without traffic. */
  private scheduleProbe(after: number): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.run(this.probe).catch(() => {}), after + 50);
    this.probeTimer.unref();
  }

  /** Calls refused while open: each one a query that did not wait on a dead server. */
  get rejected(): number {
    return this.breaker.stats.rejects;
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') throw new RepoUnavailableError(this.repo);
      throw error;
    }
  }

  shutdown(): void {
    clearTimeout(this.probeTimer);
    this.breaker.shutdown();
  }
}

/** A pool whose every call goes through its repo's breaker. */
export class BreakerDatabase implements Database {
  constructor(
    private readonly inner: Database,
    private readonly breaker: RepoBreaker,
  ) {}

  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.breaker.run(() => this.inner.query<R>(sql, params));
  }

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.breaker.run(() => this.inner.transaction(work));
  }

  stats(): PoolStats {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
