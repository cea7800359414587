/**
 * Subscribers of one selection share its execution. graphql-js executes a subscription once per
 * event per subscriber, one event after another: a thousand subscribers of one fix cost a
 * thousand executions, and a subscription whose events wait on loaders delivers a few dozen
 * events a second at most (BENCHMARKS.md, "Live data"). When the subscription field's
 * arguments only narrow which events a subscriber gets (its subgraph says so:
 * `sharedSubscriptions`), what an event shows depends on the selection, tenant and class alone.
 * So the gateway subscribes once per (tenant, class, selection) without the arguments, executes
 * each event once, several events at a time (their loads meet in one batch), delivers the
 * results in order, and each subscriber takes the results its own arguments narrow to, by the
 * tags the source emits with each event (subgraph-kit/live.ts).
 *
 * A subscriber still counts against its class's caps, gets its own bounded queue (a slow one is
 * cut off alone with SUBSCRIPTION_OVERFLOW), and its arguments are checked as it subscribes. A
 * selection that uses variables below the root field cannot be shared (the result would depend
 * on them): it runs the same way for its subscriber alone.
 *
 * Either way a subscription runs here, not in graphql-js's `subscribe`, for two more reasons:
 * its events are executed concurrently (graphql-js waits for one before it takes the next, and
 * each waits out the loaders' window), and each batching window gets a fresh context, so
 * stitching's loaders (kept per context) cache nothing longer than a window.
 */
import {
  createSourceEventStream,
  execute,
  getArgumentValues,
  GraphQLError,
  Kind,
  locatedError,
  print,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compiledEvents, type Compiled } from '../gateway/compiled-execution.js';
import type { MergedExecution } from '../gateway/merged-execution.js';
import type { LiveTag, Narrowing, SharedSubscription } from '../subgraph-kit/live.js';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';
import { BoundedStream } from './bounded-stream.js';
import { LIVE_BATCH_WINDOW_MS, type LiveContext } from '../gateway/context.js';
import type { LiveFeeds } from './live-feeds.js';

/** How a subscription operation is shared: its root field, and the document all its subscribers run. */
interface Shape {
  field: FieldNode;
  shared: SharedSubscription;
  /** The operation without its variables and without the root field's arguments. */
  document: DocumentNode;
  key: string;
}

/**
 * How long one context serves the events executed in it: as long as the subscription scopes'
 * loaders live (twice their batching window, gateway/context.ts); a fresh context per window
 * keeps stitching's per-context loaders (and what they cache) from living as long as the
 * subscription.
 */
const CONTEXT_WINDOW_MS = 2 * LIVE_BATCH_WINDOW_MS;

type Subscriber = { narrowing: Narrowing; stream: BoundedStream<ExecutionResult> };

/**
 * The subscribers of an execution, looked up by the tag values they are limited to (their
 * devices): an event is offered to its own subscribers and the unlimited ones, not to all.
 */
class SubscriberIndex {
  private readonly unlimited = new Set<Subscriber>();
  private readonly byValue = new Map<string, Map<string, Set<Subscriber>>>();
  private readonly members = new Set<Subscriber>();

  get size(): number {
    return this.members.size;
  }

  add(subscriber: Subscriber): void {
    this.members.add(subscriber);
    const { only } = subscriber.narrowing;
    if (!only) return void this.unlimited.add(subscriber);
    const byValue = this.byValue.get(only.key) ?? new Map<string, Set<Subscriber>>();
    this.byValue.set(only.key, byValue);
    for (const value of only.values) {
      const subscribers = byValue.get(value) ?? new Set();
      byValue.set(value, subscribers.add(subscriber));
    }
  }

  delete(subscriber: Subscriber): void {
    if (!this.members.delete(subscriber)) return;
    const { only } = subscriber.narrowing;
    if (!only) return void this.unlimited.delete(subscriber);
    const byValue = this.byValue.get(only.key)!;
    for (const value of only.values) {
      const subscribers = byValue.get(value);
      subscribers?.delete(subscriber);
      if (subscribers?.size === 0) byValue.delete(value);
    }
  }

  /** Every subscriber, for an event all get (a gap) or the end. */
  all(): Subscriber[] {
    return [...this.members];
  }

  /** Those an event with `tag` is offered to (each still `accepts` it or not). */
  *offered(tag: LiveTag): Iterable<Subscriber> {
    yield* this.unlimited;
    for (const [key, byValue] of this.byValue) {
      const value = tag[key];
      if (value !== null && value !== undefined) yield* byValue.get(value) ?? [];
    }
  }
}

/** One (tenant, class, selection): its source, executed once per event, fanned out to its subscribers. */
class SharedExecution {
  readonly subscribers = new SubscriberIndex();
  /** The tags of events the source emitted and the gateway has not yet taken (in order). */
  private readonly tags: (LiveTag | null)[] = [];
  private source: AsyncGenerator<ExecutionResult> | undefined;
  /** The previous event's delivery: results go out in the order of their events. */
  private delivered: Promise<void> = Promise.resolve();
  private ended = false;
  readonly started: Promise<ExecutionResult | undefined>;

  /**
   * `context` reads the subgraph scopes of the current batching window on each access
   * (liveContexts); `compiled`, when given, executes each event instead of graphql-js.
   */
  constructor(
    private readonly args: ExecutionArgs,
    context: LiveContext,
    private readonly capacity: number,
    private readonly onEnd: () => void,
    private readonly compiled: Compiled | null = null,
  ) {
    this.started = this.start(context);
  }

  /** The source emitted an event (shared: with the tag subscribers narrow by). */
  tagged(tag: LiveTag | null): void {
    this.tags.push(tag);
  }

  /** Subscribes (without the subscribers' arguments); errors of that are every joiner's answer. */
  private async start(context: object): Promise<ExecutionResult | undefined> {
    let windowContext: object | undefined;
    const contextNow = () => {
      if (!windowContext) {
        windowContext = Object.create(context) as object;
        setTimeout(() => (windowContext = undefined), CONTEXT_WINDOW_MS).unref();
      }
      return windowContext;
    };
    let source: Awaited<ReturnType<typeof createSourceEventStream>>;
    try {
      source = await createSourceEventStream({ ...this.args, contextValue: context });
    } catch (error) {
      source = { errors: [error as GraphQLError] };
    }
    if (!(Symbol.asyncIterator in source)) {
      this.end('done');
      return source;
    }
    this.source = source as AsyncGenerator<ExecutionResult>;
    void this.pump(contextNow);
    return undefined;
  }

  /**
   * Takes events as fast as the source emits them and executes each at once: a burst's events
   * run concurrently, so their loads batch together, and are delivered in order.
   */
  private async pump(contextNow: () => object): Promise<void> {
    try {
      for (;;) {
        const next = await this.source!.next();
        if (next.done || this.ended) break;
        const tag = this.tags.shift() ?? null;
        const result = this.compiled
          ? this.compiled(next.value, contextNow(), this.args.variableValues ?? {})
          : execute({ ...this.args, contextValue: contextNow(), rootValue: next.value });
        const previous = this.delivered;
        this.delivered = (async () => {
          const executed = await result;
          await previous;
          this.fanOut(executed, tag);
        })().catch((error: Error) => this.end(error));
      }
      await this.delivered;
      this.end('done');
    } catch (error) {
      await this.delivered.catch(() => {});
      this.end(error as Error);
    }
  }

  private fanOut(result: ExecutionResult, tag: LiveTag | null): void {
    if (tag === null) for (const { stream } of this.subscribers.all()) stream.push(result);
    else for (const { narrowing, stream } of this.subscribers.offered(tag)) if (narrowing.accepts(tag)) stream.push(result);
  }

  join(narrowing: Narrowing, release: () => void): BoundedStream<ExecutionResult> {
    const subscriber: Subscriber = {
      narrowing,
      stream: new BoundedStream<ExecutionResult>(this.capacity, () => {
        release();
        this.subscribers.delete(subscriber);
        // The last one gone: nobody to execute for.
        if (this.subscribers.size === 0) this.end('done');
      }),
    };
    if (this.ended) subscriber.stream.end();
    else this.subscribers.add(subscriber);
    return subscriber.stream;
  }

  private end(reason: Error | 'done'): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    void this.source?.return?.(undefined);
    for (const { stream } of this.subscribers.all()) stream.end(reason);
  }
}

type SubscriptionArgs = ExecutionArgs & { contextValue: LiveContext };

export class SharedSubscriptions {
  private readonly fields = new Map<string, SharedSubscription>();
  private readonly shapes = new WeakMap<DocumentNode, Map<string, Shape | null>>();
  private readonly executions = new Map<string, SharedExecution>();

  constructor(
    subgraphs: readonly AnySubgraph[],
    private readonly feeds: LiveFeeds,
    private readonly capacity: number,
  ) {
    for (const subgraph of subgraphs) for (const [name, shared] of Object.entries(subgraph.sharedSubscriptions ?? {})) this.fields.set(name, shared);
  }

  private oneWalk = 0;

  /** Shared executions running now (tests, metrics). */
  get running(): number {
    return this.executions.size;
  }

  /** Executions running now, shared or a subscriber's own, whose events merged execution runs (tests). */
  get inOneWalk(): number {
    return this.oneWalk;
  }

  /**
   * An execution of `args.document`, on merged execution's schema where it answers the selection
   * (the subgraph's own source, each event executed once, merged-execution.ts), its events run as
   * graphql-jit compiled them (compiled-execution.ts); on the class schema (stitching) otherwise.
   * Source and events always run on the same schema: their events differ in shape.
   */
  private execution(args: ExecutionArgs, context: LiveContext, merged: MergedExecution | undefined, onEnd: () => void): SharedExecution {
    const oneWalk = merged?.answersEvents(args.document, args.schema) ?? false;
    if (oneWalk) this.oneWalk += 1;
    const schema: GraphQLSchema = oneWalk ? merged!.schemaFor(args.schema) : args.schema;
    const compiled = oneWalk ? compiledEvents(args.document, schema, args.operationName ?? undefined) : null;
    const ended = () => {
      if (oneWalk) this.oneWalk -= 1;
      onEnd();
    };
    return new SharedExecution({ ...args, schema }, context, this.capacity, ended, compiled);
  }

  /**
   * The answer to a subscription operation: a stream of results, or a refusal (bad arguments,
   * caps) as graphql-js would give it.
   */
  subscribe(args: SubscriptionArgs, merged?: MergedExecution): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const shape = this.shapeOf(args.document, args.operationName ?? '');
    return shape ? this.join(shape, args, merged) : this.alone(args, merged);
  }

  /** A subscription that cannot be shared: its own execution, over its own (counted) feed. */
  private async alone(args: SubscriptionArgs, merged: MergedExecution | undefined): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const context = args.contextValue;
    const execution = this.execution(args, context.liveContext(context.live), merged, () => {});
    const stream = execution.join({ accepts: () => true }, () => {});
    const refused = await execution.started;
    return refused ?? stream;
  }

  private async join(shape: Shape, args: SubscriptionArgs, merged: MergedExecution | undefined): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const { principal, tenant } = args.contextValue;
    const path = [shape.field.alias?.value ?? shape.field.name.value];
    let narrowing: Narrowing;
    let release: () => void;
    try {
      const fieldDefinition = args.schema.getSubscriptionType()!.getFields()[shape.field.name.value]!;
      narrowing = shape.shared.narrow(getArgumentValues(fieldDefinition, shape.field, args.variableValues ?? {}));
      release = this.feeds.admit(principal);
    } catch (error) {
      return { errors: [locatedError(error, [shape.field], path)] };
    }
    const key = `${tenant}\u0000${principal.clientClass}\u0000${shape.key}`;
    let execution = this.executions.get(key);
    if (!execution) {
      const feed = this.feeds.sharedFeed((tag) => created.tagged(tag));
      const created: SharedExecution = this.execution({ ...args, document: shape.document, variableValues: {} }, args.contextValue.liveContext(feed), merged, () => {
        if (this.executions.get(key) === created) this.executions.delete(key);
      });
      this.executions.set(key, (execution = created));
    }
    const stream = execution.join(narrowing, release);
    const refused = await execution.started;
    if (refused) {
      stream.end();
      return refused;
    }
    return stream;
  }

  private shapeOf(document: DocumentNode, operationName: string): Shape | null {
    let byName = this.shapes.get(document);
    if (!byName) this.shapes.set(document, (byName = new Map()));
    if (!byName.has(operationName)) byName.set(operationName, this.shape(document, operationName));
    return byName.get(operationName)!;
  }

  private shape(document: DocumentNode, operationName: string): Shape | null {
    const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    if (operation?.operation !== 'subscription') return null;
    const [field, ...others] = operation.selectionSet.selections;
    if (!field || others.length > 0 || field.kind !== Kind.FIELD || field.directives?.length) return null;
    const shared = this.fields.get(field.name.value);
    if (!shared) return null;
    const sharedField: FieldNode = { ...field, arguments: [] };
    const sharedOperation: OperationDefinitionNode = {
      ...operation,
      variableDefinitions: [],
      selectionSet: { ...operation.selectionSet, selections: [sharedField] },
    };
    const sharedDocument: DocumentNode = {
      ...document,
      definitions: document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION || definition === operation).map((definition) => (definition === operation ? sharedOperation : definition)),
    };
    // What an event shows must not depend on the subscriber: no variable below the root field.
    let usesVariables = false;
    visit(sharedDocument, {
      Variable() {
        usesVariables = true;
        return BREAK;
      },
    });
    if (usesVariables) return null;
    return { field, shared, document: sharedDocument, key: print(sharedDocument) };
  }
}
