/**
 * Facts about a request that one subgraph knows and another needs, declared on both sides
 * (`provides` / `requires`) and handed over by the gateway. A subgraph never reads another's
 * repo: the one that knows a fact computes it with its own repo, once per request, and only
 * when a subgraph that requires it asks.
 */
export interface RequestFacts {
  /**
   * The billing customer codes of the tenant's companies (`companies.legacy_customer_code`).
   * A shared billing system that knows no tenants scopes its customers by these.
   */
  customerCodes: ReadonlySet<string>;
  /**
   * The history moved out of the active repos (the training repo), for a class that may read it;
   * null when it may not or no subgraph keeps it. Active subgraphs answer a window reaching
   * before their horizon with it, or refuse the window.
   */
  archive: ArchiveReader | null;
}

/** `from <= instant <= to`, and before `before` (the horizon: what is older lives in the archive). */
export interface ArchiveWindow {
  from: Date;
  to: Date;
  before: Date;
}

export interface ArchivedPosition {
  deviceId: string;
  recordedAt: Date;
  latitude: number;
  longitude: number;
  speedKmh: number | null;
  heading: number | null;
}

export interface ArchivedTimeEntry {
  id: string;
  userId: string;
  projectId: string;
  startedAt: Date;
  endedAt: Date | null;
  note: string | null;
}

/** One statement per call, for all the keys a loader batched; rows of the request's tenant only. */
export interface ArchiveReader {
  /** Fixes of the devices in the window, by device then time; with maxPoints, downsampled as Device.track is. */
  positions(deviceIds: readonly string[], window: ArchiveWindow & { maxPoints: number | null }): Promise<ArchivedPosition[]>;
  /** Time entries of the users overlapping the window that started before the horizon, by user then start. */
  timeEntries(userIds: readonly string[], window: ArchiveWindow): Promise<ArchivedTimeEntry[]>;
  /** Seconds of those entries inside the window, one row per user (User.trackedSeconds). */
  trackedSeconds(userIds: readonly string[], window: ArchiveWindow): Promise<{ userId: string; seconds: number }[]>;
}

export type FactName = keyof RequestFacts;
