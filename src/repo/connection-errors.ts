/**
 * Which driver errors mean "the database is not there" (as opposed to a bad statement). Those
 * become REPO_UNAVAILABLE for the client; anything else is a bug and gets masked.
 */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  // PostgreSQL SQLSTATEs: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && unreachableCodes.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  // pg reports a timed-out connect and a server gone mid-query only in the message.
  return /Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly/i.test(
    error.message,
  );
}
