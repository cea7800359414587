/**
 * Live data for subscriptions. A subgraph's repo announces changes itself (PostgreSQL NOTIFY in
 * the writing transaction, keys only); the gateway holds one LISTEN connection per repo that
 * has channels (the descriptor's `channels`) and hands each subscription its own bounded stream
 * of the notices, in bursts (all that arrived together). The subscription filters them by tenant
 * and arguments before any SQL, and loads what it emits through its (shared) loaders.
 *
 * Subscribers of one selection share its execution (gateway: live/shared-subscriptions.ts) when
 * the subscription field's arguments only narrow which events a subscriber gets: the gateway
 * subscribes once per tenant, class and selection without them, the source tags each event it
 * emits with the keys it can be narrowed by (`emitting`), and each subscriber's `narrow` of its
 * own arguments picks its events from the shared results. An event costs its statements and its
 * execution once, not once per subscriber.
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
  /**
   * Told of each event as the source emits it, in order: the keys subscribers narrow by, or
   * null for an event every subscriber gets (a gap). Set for shared subscriptions only.
   */
  emitting?(tag: LiveTag | null): void;
}

/** The keys of one event that subscribers' arguments narrow by (telemetry: its device and user). */
export type LiveTag = Readonly<Record<string, string | null>>;

/**
 * A subscription field whose arguments only narrow which events a subscriber gets: what the
 * event shows does not depend on them, so its subscribers can share one execution.
 */
export interface SharedSubscription {
  /** A subscriber's filter over event tags, from its arguments; throws (BAD_USER_INPUT) on bad ones. */
  narrow(args: Record<string, unknown>): Narrowing;
}

/** Which events a subscriber takes. */
export interface Narrowing {
  accepts(tag: LiveTag): boolean;
  /**
   * When it takes only events whose tag has one of these values under `key` (its listed
   * devices): the gateway then looks the subscriber up by them instead of asking every
   * subscriber about every event.
   */
  only?: { key: string; values: readonly string[] };
}
