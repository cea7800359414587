/**
 * The live side of one gateway process: a ChannelListener per repo whose subgraph names NOTIFY
 * channels, each subscription's feed, counted against its class's caps (per token, per
 * process) while it is open, and the executions subscribers share (shared-subscriptions.ts).
 */
import type { Principal } from '../auth/tokens.js';
import { repoConfig, type ClientClass, type ClassOptions, type Topology } from '../config.js';
import { SubscriptionLimitError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { connectionUrl } from '../repo/registry.js';
import type { LiveFeed, LiveTag } from '../subgraph-kit/live.js';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';
import { ChannelListener } from './channel-listener.js';
import { SharedSubscriptions } from './shared-subscriptions.js';

export class LiveFeeds {
  private readonly byChannel = new Map<string, ChannelListener>();
  private readonly openPerToken = new Map<string, number>();
  private readonly openPerClass = new Map<ClientClass, number>();
  /** Subscriptions whose subscribers share one execution per selection. */
  readonly shared: SharedSubscriptions;

  constructor(
    private readonly topology: Pick<Topology, 'repos' | 'gateway'> & { classes: Record<ClientClass, ClassOptions> },
    subgraphs: readonly AnySubgraph[],
    logger: Logger,
  ) {
    this.shared = new SharedSubscriptions(subgraphs, this, topology.gateway.subscriptionQueue);
    for (const subgraph of subgraphs.filter((s) => (s.channels?.length ?? 0) > 0)) {
      const config = repoConfig(topology, subgraph.name);
      if (config.driver !== 'pg') throw new Error(`repos.${subgraph.name}: live channels need PostgreSQL (LISTEN/NOTIFY)`);
      // The admin role: the gateway's own connections (health checks) use it too; LISTEN needs no GRANT.
      // Directly to the primary, never through the repo's `pooler`: LISTEN belongs to a session,
      // and a pooler in transaction mode hands the server connection on after each transaction.
      const listener = new ChannelListener(subgraph.name, connectionUrl(config, 'primary', config.roles.admin), subgraph.channels!, logger);
      for (const channel of subgraph.channels!) this.byChannel.set(channel, listener);
    }
  }

  start(): void {
    for (const listener of new Set(this.byChannel.values())) listener.start();
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.byChannel.values())].map((listener) => listener.close()));
  }

  /** Whether every LISTEN connection is up (events recorded before that are not heard). */
  listening(): boolean {
    return [...this.byChannel.values()].every((listener) => listener.connected);
  }

  /** Open subscriptions of each class in this process (for /metrics and tests). */
  openSubscriptions(): Record<string, number> {
    return Object.fromEntries(this.openPerClass);
  }

  /**
   * Counts one subscription of `principal` against its class's caps until `release` is called;
   * throws SUBSCRIPTION_LIMIT when they are reached.
   */
  admit(principal: Principal): () => void {
    const { clientClass } = principal;
    const token = `${principal.tenant}\u0000${principal.subject}\u0000${clientClass}`;
    const caps = this.topology.classes[clientClass].subscriptions;
    const ofToken = this.openPerToken.get(token) ?? 0;
    const ofClass = this.openPerClass.get(clientClass) ?? 0;
    if (ofToken >= caps.perToken) throw new SubscriptionLimitError('token', caps.perToken, clientClass);
    if (ofClass >= caps.perProcess) throw new SubscriptionLimitError('process', caps.perProcess, clientClass);
    this.openPerToken.set(token, ofToken + 1);
    this.openPerClass.set(clientClass, ofClass + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.openPerToken.get(token)! - 1;
      if (left === 0) this.openPerToken.delete(token);
      else this.openPerToken.set(token, left);
      this.openPerClass.set(clientClass, this.openPerClass.get(clientClass)! - 1);
    };
  }

  /** The feed of one subscription request, counted against its class's caps while it is open. */
  feedFor(principal: Principal): LiveFeed {
    return {
      listen: (channel, accepts) => {
        const release = this.admit(principal);
        return this.open(channel, accepts, release);
      },
    };
  }

  /**
   * The feed of a shared subscription (shared-subscriptions.ts): its subscribers are counted
   * each (`admit`), not the one stream they share; `emitting` hears each event's tag.
   */
  sharedFeed(emitting: (tag: LiveTag | null) => void): LiveFeed {
    return { listen: (channel, accepts) => this.open(channel, accepts, () => {}, true), emitting };
  }

  private open(channel: string, accepts: ((notice: string) => boolean) | undefined, onEnd: () => void, shared = false) {
    const listener = this.byChannel.get(channel);
    if (!listener) {
      onEnd();
      throw new Error(`no repo announces channel ${channel}`);
    }
    return listener.open(channel, this.topology.gateway.subscriptionQueue, accepts, onEnd, shared);
  }
}
