/**
 * Watches the replicas of one PostgreSQL repo: whether each answers, how far its replay is
 * behind the primary in time, and its replay position (for read-your-writes). Queries pick a
 * replica from here without a round trip of their own; a replica that is down or lags past
 * the bound is skipped at the next poll (every 250 ms) and used again once it has caught up.
 */
import type { Database } from './database.js';
import { parseLsn } from './lsn.js';

export interface ReplicaState {
  up: boolean;
  /** Replay position; 0 until first seen. */
  replayLsn: bigint;
  /** How long ago the primary was where this replica is now; 0 when caught up. */
  lagMs: number;
}

export interface ReplicaMonitorOptions {
  maxLagMs: number;
  intervalMs?: number;
}

export class ReplicaMonitor {
  readonly states: ReplicaState[];
  /** Recent primary positions with when they were seen: the replicas' lag is read off these. */
  private samples: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly primary: Database,
    private readonly replicas: readonly Database[],
    private readonly options: ReplicaMonitorOptions,
  ) {
    this.states = replicas.map(() => ({ up: false, replayLsn: 0n, lagMs: 0 }));
  }

  start(): this {
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs ?? 250);
    this.timer.unref();
    void this.poll();
    return this;
  }

  /** One round of checks; concurrent callers share it. */
  poll(): Promise<void> {
    this.polling ??= this.check().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async check(): Promise<void> {
    const now = Date.now();
    try {
      // The flush position, not the insert position: when the last record ends on a page
      // boundary the insert position sits past the next page's header, which an idle primary
      // never sends, so a replica that has replayed everything looked ever further behind.
      const [row] = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
      this.samples.push({ at: now, lsn: parseLsn(row!.lsn) });
      this.samples = this.samples.filter((sample) => now - sample.at < 120_000);
    } catch {
      // Primary down: keep the last picture; the replicas' own answers still count.
    }
    await Promise.all(
      this.replicas.map(async (replica, index) => {
        const state = this.states[index]!;
        try {
          const [row] = await replica.query<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn');
          state.up = row?.lsn != null;
          state.replayLsn = row?.lsn ? parseLsn(row.lsn) : 0n;
          const firstAhead = this.samples.find((sample) => sample.lsn > state.replayLsn);
          state.lagMs = firstAhead ? now - firstAhead.at : 0;
        } catch {
          state.up = false;
        }
      }),
    );
  }

  /** A healthy replica that has replayed `minLsn` (if given), round-robin; undefined: use the primary. */
  pick(minLsn?: bigint): number | undefined {
    for (let tried = 0; tried < this.states.length; tried += 1) {
      const index = (this.next + tried) % this.states.length;
      const state = this.states[index]!;
      if (state.up && state.lagMs <= this.options.maxLagMs && (minLsn === undefined || state.replayLsn >= minLsn)) {
        this.next = index + 1;
        return index;
      }
    }
    return undefined;
  }

  /** A query found the replica down before the next poll did. */
  markDown(index: number): void {
    this.states[index]!.up = false;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
