/**
 * The mover's connections: owner URLs (it reads, copies, publishes horizons and drops), one
 * session per database, each pinned to the settings its row texts depend on, and each able to say
 * how much CPU its backend has used when the server runs on this host (the benchmark's rows per
 * CPU-second).
 */
import pg from 'pg';
import { processCpuSeconds } from '../observability/process-cpu.js';

/**
 * Checksums hash each row's text: timestamps print by TimeZone and DateStyle, floats by
 * extra_float_digits (1: the shortest text that reads back exactly). A cluster's defaults come
 * from its postgresql.conf, so every session sets them, the same on both sides.
 */
const sessionSettings = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 1; SET statement_timeout = 0; SET application_name = 'repogate move'";

export interface MoveSession {
  client: pg.Client;
  /** The backend's CPU seconds so far; undefined when it is not a process of this host. */
  backendCpuSeconds(): number | undefined;
  close(): Promise<void>;
}

const localHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '']);

export async function openSession(url: string): Promise<MoveSession> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sessionSettings);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const local = localHosts.has(new URL(url).hostname);
    return {
      client,
      backendCpuSeconds: () => (local ? processCpuSeconds(pid) : undefined),
      // A session whose COPY was cut off may never answer the goodbye: do not wait on it.
      close: () => Promise.race([client.end(), new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

const lockNotAvailable = '55P03';
const deadlockDetected = '40P01';

export interface LockRetry {
  lockTimeoutMs: number;
  lockAttempts: number;
  lockRetryPauseMs: number;
}

/**
 * `work` under a lock_timeout, again after a pause while it fails for a lock: a DDL statement
 * waiting for a lock makes every reader that comes after it wait too, so it waits briefly and
 * steps back instead of queueing for as long as the longest reader runs. `work` must be safe to
 * run again (each attempt looks at the state first).
 */
export async function withLockRetries<T>(
  client: pg.ClientBase,
  retry: LockRetry,
  describe: string,
  work: () => Promise<T>,
  onRetry: (line: string) => void = () => {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    await client.query(`SET lock_timeout = ${Math.trunc(retry.lockTimeoutMs)}`);
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== lockNotAvailable && code !== deadlockDetected) || attempt >= retry.lockAttempts) {
        if (code === lockNotAvailable) throw new Error(`${describe}: no lock within ${retry.lockTimeoutMs} ms after ${attempt} attempts (long-running readers?)`, { cause: error });
        throw error;
      }
      onRetry(`${describe}: ${code === deadlockDetected ? 'deadlock' : `no lock within ${retry.lockTimeoutMs} ms`}, trying again in ${retry.lockRetryPauseMs} ms (attempt ${attempt + 1} of ${retry.lockAttempts})`);
      await new Promise((resolve) => setTimeout(resolve, retry.lockRetryPauseMs));
    } finally {
      await client.query('RESET lock_timeout').catch(() => undefined);
    }
  }
}
