/**
 * Subscriptions run in the live side's executor (live/shared-subscriptions.ts): subscribers of
 * one selection share its execution where the subscription field allows it, and events are
 * executed concurrently, in fresh contexts per batching window. Over SSE and graphql-ws alike:
 * both run through yoga's pipeline. A subscription whose selection merged execution answers
 * has its events executed there (merged-execution.ts, `answersEvents`), not through stitching.
 */
import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass } from '../config.js';
import type { SharedSubscriptions } from '../live/shared-subscriptions.js';
import type { GatewayContext, LiveContext } from './context.js';
import type { MergedExecution } from './merged-execution.js';

export function useSharedSubscriptions(shared: SharedSubscriptions, merged: Partial<Record<ClientClass, MergedExecution>> = {}): Plugin<GatewayContext> {
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const merging = merged[args.contextValue.principal.clientClass];
      setSubscribeFn((subscription) => shared.subscribe(subscription as ExecutionArgs & { contextValue: LiveContext }, merging));
    },
  };
}
