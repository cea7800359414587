/**
 * Hands the result of an in-process request to its caller as objects: the WebSocket transport
 * runs each graphql-ws operation through yoga (so auth, the class's schema and limits, persisted
 * operations, metrics, tracing and error masking are the ones every request gets), and takes the
 * result before yoga serialises it. Before, a subscription's events were written as SSE frames
 * and parsed back in the same process, once per event and subscriber, which is what kept
 * graphql-ws behind SSE at 1,000 subscribers (BENCHMARKS.md, "Live data").
 *
 * The request names its waiting caller in a header with an id only this process made (a random
 * UUID per operation); a request from outside with any other value is served as usual.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** What yoga would serialise: a result, a batch, or a stream of results. */
type ResultProcessorInput = Parameters<NonNullable<Plugin['onResultProcess']>>[0]['result'];

export const DIRECT_RESULT_HEADER = 'x-repogate-direct-result';

const waiting = new Map<string, ResultProcessorInput | null>();

/** An id for one request's header, and what takes its result once `fetch` has answered (undefined: yoga answered itself, as for a refused request). */
export function expectDirectResult(): { id: string; take(): ResultProcessorInput | undefined } {
  const id = randomUUID();
  waiting.set(id, null);
  return {
    id,
    take() {
      const result = waiting.get(id);
      waiting.delete(id);
      return result ?? undefined;
    },
  };
}

/** Keeps the result of a request that carries a waiting id, and answers that request with an empty 204. */
export function useDirectResults(): Plugin {
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      const id = request.headers.get(DIRECT_RESULT_HEADER);
      if (!id || waiting.get(id) !== null) return;
      waiting.set(id, result);
      setResultProcessor((_result, fetchAPI) => new fetchAPI.Response(null, { status: 204 }), 'application/json');
    },
  };
}
