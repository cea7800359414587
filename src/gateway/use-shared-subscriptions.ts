/**
 * Subscriptions run in the live side's executor (live/shared-subscriptions.ts): subscribers of
 * one selection share its execution where the subscription field allows it, and events are
 * executed concurrently, in fresh contexts per batching window. Over SSE and graphql-ws alike:
 * both run through yoga's pipeline.
 */
import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SharedSubscriptions } from '../live/shared-subscriptions.js';
import type { GatewayContext, LiveContext } from './context.js';

export function useSharedSubscriptions(shared: SharedSubscriptions): Plugin<GatewayContext> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((args) => shared.subscribe(args as ExecutionArgs & { contextValue: LiveContext }));
    },
  };
}
