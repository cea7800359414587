/**
 * The last step of a drain, bounded: closing the pools waits for every connection to be given
 * back, and one that never is (a statement stuck on a server that was restarted or stopped
 * under it) would keep a stopping process alive for good. A supervisor's SIGTERM must end the
 * process; the databases drop the connections of a process that exits.
 */
import type { Logger } from '../observability/logger.js';

/** How long closing the pools may take once the requests have drained. */
export const CLOSE_TIMEOUT_MS = 5_000;

/** Runs `close`, or gives up on it after `ms` (logged): resolves either way. */
export async function closeWithin(close: () => Promise<unknown>, logger: Pick<Logger, 'warn'>, ms = CLOSE_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const closed = close().then(
    () => 'closed' as const,
    (error: unknown) => {
      logger.warn({ err: error }, 'closing the pools failed: exiting anyway');
      return 'closed' as const;
    },
  );
  const outcome = await Promise.race([closed, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') logger.warn({ ms }, 'the pools did not close in time (a connection was never given back): exiting anyway');
}
