/**
 * An event stream's writes, coalesced per turn of the event loop. yoga writes each SSE event as
 * two chunks (`event: next`, then its data), and each chunk became a write system call of its
 * own: with a thousand subscribers at 10,000 events/s, writev was the gateway's largest cost
 * (bench:live's CPU profile). Corked at the first write of a turn and uncorked after it (in
 * setImmediate, once the promise jobs that write the rest of an event, or of a burst, have run),
 * a subscriber's events of one turn leave in one system call; the delay is at most that turn.
 * Only `text/event-stream` responses: everything else is written once, at its end.
 */
import type { ServerResponse } from 'node:http';

export function coalesceEventStreamWrites(response: ServerResponse): void {
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  let corked = false;
  response.write = ((...args: unknown[]) => {
    if (!corked && String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
      corked = true;
      response.cork();
      setImmediate(() => {
        corked = false;
        response.uncork();
      });
    }
    return write(...args);
  }) as ServerResponse['write'];
}
