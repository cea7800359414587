/**
 * DataLoader shapes used by every subgraph. Each batch function runs one statement for all the
 * keys collected in a tick and answers in key order (graphql/dataloader's contract).
 */
import DataLoader from 'dataloader';
import { NotFoundError } from '../errors.js';
import { isBigintId } from './arguments.js';

/** One row per key: a missing key gets a NotFoundError. */
export function rowLoader<K extends string, V>(
  what: string,
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? new NotFoundError(what, key));
  });
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
  });
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
      const byArgs = new Map<string, { args: A; keys: K[] }>();
      for (const { key, args } of requests) {
        const argsKey = JSON.stringify(args);
        const group = byArgs.get(argsKey) ?? { args, keys: [] };
        group.keys.push(key);
        byArgs.set(argsKey, group);
      }
      const results = new Map<string, V[]>();
      await Promise.all(
        [...byArgs].map(async ([argsKey, { args, keys }]) => {
          for (const row of await fetch(keys, args)) {
            const id = `${argsKey}|${keyOf(row)}`;
            const rows = results.get(id);
            if (rows) rows.push(row);
            else results.set(id, [row]);
          }
        }),
      );
      return requests.map(({ key, args }) => results.get(`${JSON.stringify(args)}|${key}`) ?? empty());
    },
    { cacheKeyFn: ({ key, args }) => `${JSON.stringify(args)}|${key}` },
  );
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
