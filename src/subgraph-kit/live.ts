/**
 * Live data for subscriptions. A subgraph's repo announces changes itself (PostgreSQL NOTIFY in
 * the writing transaction, keys only); the gateway holds one LISTEN connection per repo that
 * has channels (the descriptor's `channels`) and hands each subscription its own bounded stream
 * of the notices, in bursts (all that arrived together). The subscription filters them by tenant
 * and arguments before any SQL, and loads what it emits through its (shared) loaders.
 */

/** What arrived together on a channel, or an interruption of the feed. */
export type LiveBurst =
  | { notices: readonly string[] }
  /** The LISTEN connection was lost from `from` to `to`: notices of that time never arrived. */
  | { gap: { from: Date; to: Date } };

/** In the context of a subscription (RequestScope.live). */
export interface LiveFeed {
  /**
   * This subscription's stream of a channel's bursts. Throws SUBSCRIPTION_LIMIT at once when the
   * class's caps are reached; the stream ends with SUBSCRIPTION_OVERFLOW when its client falls
   * too far behind, and cleanly when the gateway drains. `accepts` picks the subscription's own
   * notices before they are queued: only those count against its queue.
   */
  listen(channel: string, accepts?: (notice: string) => boolean): AsyncIterableIterator<LiveBurst>;
}
