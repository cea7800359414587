/**
 * The middle of the span tree: one `repogate.subgraph` span per subgraph whose repo an operation
 * used, between the operation's span and its `repogate.sql` spans. Each subgraph owns exactly
 * one repo, so "the operation's work on that repo" is the subgraph's share of it, and it is
 * measured the same whether the operation went through stitching or straight to one subgraph
 * (use-single-subgraph.ts): the span opens with the subgraph's first statement and ends with its
 * last one. Resolver time between statements is inside; a subgraph that answered from its
 * loaders' cache alone ran no statement and has no span.
 *
 * Why not a span around each delegation: with batched type merging one operation delegates to
 * the same subgraph several times and DataLoader batches statements across those delegations,
 * so a statement would hang under whichever delegation happened to start the batch; and the
 * single-subgraph path does not delegate at all.
 */
import { context, createContextKey, trace, SpanKind, type Attributes, type Context, type HrTime, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { inSpan, tracer } from './tracing.js';

const subgraphSpansKey = createContextKey('repogate.subgraph-spans');

interface OpenSubgraph {
  span: Span;
  context: Context;
  running: number;
  /** When its latest statement ended, as that statement's span recorded it. */
  lastEnded: HrTime | undefined;
}

/**
 * The SDK stamps a span's start with Date.now() (whole milliseconds) and its end by adding a
 * monotonic duration, so a parent ended "now" can end up to a millisecond before a child that
 * ended earlier. Ending the subgraph span at its last statement's recorded end keeps the tree
 * consistent; spans of other implementations have no endTime and end the subgraph span "now".
 */
function laterEnd(current: HrTime | undefined, span: Span | undefined): HrTime | undefined {
  const ended = (span as Partial<ReadableSpan> | undefined)?.endTime;
  // [0, 0] is an SDK span not ended yet: taken as an end, it would date the subgraph to 1970.
  if (!ended || (ended[0] === 0 && ended[1] === 0)) return current;
  if (!current) return ended;
  return ended[0] > current[0] || (ended[0] === current[0] && ended[1] > current[1]) ? ended : current;
}

export class SubgraphSpans {
  private readonly open = new Map<string, OpenSubgraph>();

  private constructor(private readonly operation: Context) {}

  /** `operation` (the context holding the operation's span) extended with a fresh set. */
  static within(operation: Context): { context: Context; spans: SubgraphSpans } {
    const spans = new SubgraphSpans(operation);
    return { context: operation.setValue(subgraphSpansKey, spans), spans };
  }

  private opened(subgraph: string): OpenSubgraph {
    let entry = this.open.get(subgraph);
    if (!entry) {
      const span = tracer().startSpan('repogate.subgraph', { attributes: { 'repogate.subgraph': subgraph } }, this.operation);
      entry = { span, context: trace.setSpan(this.operation, span), running: 0, lastEnded: undefined };
      this.open.set(subgraph, entry);
    }
    return entry;
  }

  /** One statement's span under `subgraph`'s, which the operation's first statement there opens. */
  async statement<T>(subgraph: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    const open = this.opened(subgraph);
    open.running += 1;
    let statement: Span | undefined;
    try {
      return await context.with(open.context, () =>
        inSpan(
          'repogate.sql',
          attributes,
          (span) => {
            statement = span;
            return work();
          },
          SpanKind.CLIENT,
        ),
      );
    } finally {
      open.running -= 1;
      open.lastEnded = laterEnd(open.lastEnded, statement);
    }
  }

  /** At the end of the operation. A statement still running (none should) ends its span now. */
  end(): void {
    for (const { span, running, lastEnded } of this.open.values()) span.end(running > 0 ? undefined : lastEnded);
    this.open.clear();
  }
}

/**
 * One SQL round trip of `repo` in a `repogate.sql` span, under the operation's span for that
 * subgraph when there is an operation (else under whatever span is active).
 */
export function inSqlSpan<T>(repo: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  const spans = context.active().getValue(subgraphSpansKey) as SubgraphSpans | undefined;
  return spans ? spans.statement(repo, attributes, work) : inSpan('repogate.sql', attributes, work, SpanKind.CLIENT);
}
