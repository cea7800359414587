import type { Repo, RepoUsage, Row } from './repo.js';

/**
 * A request's view of a repo: the same pool, plus a count of round trips and the time spent in
 * them. One is made per request, so the figures in `extensions.repos` are that request's alone.
 */
export class CountingRepo implements Repo {
  readonly usage: RepoUsage = { roundTrips: 0, ms: 0 };

  constructor(private readonly inner: Repo) {}

  get name(): string {
    return this.inner.name;
  }

  get dialect(): Repo['dialect'] {
    return this.inner.dialect;
  }

  async query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    this.usage.roundTrips += 1;
    const started = performance.now();
    try {
      return await this.inner.query<R>(sql, params);
    } finally {
      this.usage.ms += performance.now() - started;
    }
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  /** The pool belongs to the process, not to the request. */
  async close(): Promise<void> {}
}
