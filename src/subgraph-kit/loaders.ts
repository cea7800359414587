/**
 * DataLoader shapes used by every subgraph. Each batch function runs one statement for all the
 * keys collected in a tick and answers in key order (graphql/dataloader's contract).
 */
import DataLoader from 'dataloader';
import { NotFoundError } from '../errors.js';
import { isBigintId } from './arguments.js';

/**
 * When a loader sends its batch. A request's loaders send it once the promise jobs of the
 * current tick have run (DataLoader's default). Loaders shared by many subscriptions
 * (gateway/context.ts, liveContexts) wait a few milliseconds instead: the subscriptions reach
 * their loads for one burst spread over several turns of the event loop (each transport pulls
 * its next event as its client reads), and only a window collects them into one statement.
 */
let schedule: DataLoader.Options<unknown, unknown>['batchScheduleFn'];

/** Runs `make` (a subgraph's createContext) so that the loaders it makes batch over `windowMs`. */
export function batchingWithin<T>(windowMs: number, make: () => T): T {
  schedule = (callback) => void setTimeout(callback, windowMs);
  try {
    return make();
  } finally {
    schedule = undefined;
  }
}

const options = <K, V, C = K>(more: DataLoader.Options<K, V, C> = {}): DataLoader.Options<K, V, C> =>
  schedule ? { ...more, batchScheduleFn: schedule } : more;

/** One row per key: a missing key gets a NotFoundError. */
export function rowLoader<K extends string, V>(
  what: string,
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? new NotFoundError(what, key));
  }, options());
}

/** Many rows per key (a company's projects): a key without rows gets []. */
export function groupLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<K, V[]>();
    for (const row of await fetch(keys)) {
      const key = keyOf(row);
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  }, options());
}

export interface KeyWithArgs<K, A> {
  key: K;
  args: A;
}

/**
 * Like groupLoader for fields with arguments (`users(first, after)`, `timeEntries(from, to)`):
 * keys are grouped by their arguments and each group is one statement, so siblings asking
 * with the same arguments (the usual case) still cost one round trip.
 */
export function groupLoaderWithArgs<K extends string, A, V>(
  fetch: (keys: readonly K[], args: A) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
  empty: () => V[] = () => [],
): DataLoader<KeyWithArgs<K, A>, V[], string> {
  return new DataLoader(
    async (requests) => {
      // One statement per distinct args; rows grouped per args, then per key (no string per row).
      const byArgs = new Map<string, { args: A; keys: K[]; rows: Map<K, V[]> }>();
      const argsKeys = requests.map(({ key, args }) => {
        const argsKey = JSON.stringify(args);
        const group = byArgs.get(argsKey) ?? { args, keys: [], rows: new Map<K, V[]>() };
        group.keys.push(key);
        byArgs.set(argsKey, group);
        return argsKey;
      });
      await Promise.all(
        [...byArgs.values()].map(async (group) => {
          for (const row of await fetch(group.keys, group.args)) {
            const key = keyOf(row);
            const rows = group.rows.get(key);
            if (rows) rows.push(row);
            else group.rows.set(key, [row]);
          }
        }),
      );
      return requests.map(({ key }, i) => byArgs.get(argsKeys[i]!)!.rows.get(key) ?? empty());
    },
    options({ cacheKeyFn: ({ key, args }: KeyWithArgs<K, A>) => `${JSON.stringify(args)}|${key}` }),
  );
}

/** A loader of the kit's kind for what the shapes above do not cover (one statement per key, say). */
export function loader<K, V>(batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V> {
  return new DataLoader(batch, options());
}

/** Root lookups answer null for an unknown id (no error); other failures still surface. */
export async function loadOrNull<K, V>(loader: DataLoader<K, V, unknown>, key: K): Promise<V | null> {
  try {
    return await loader.load(key);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export async function loadManyOrNull<K, V>(loader: DataLoader<K, V, unknown>, keys: readonly K[]): Promise<(V | null)[]> {
  return Promise.all(keys.map((key) => loadOrNull(loader, key)));
}

/** A root lookup by bigint id: an id that cannot be one names no row, so null without a query. */
export async function findById<V>(loader: DataLoader<string, V, unknown>, id: string): Promise<V | null> {
  return isBigintId(id) ? loadOrNull(loader, id) : null;
}
