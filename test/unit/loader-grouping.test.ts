/**
 * The loaders' batching contract (graphql/dataloader): keys asked for in one tick cost one fetch,
 * and the answers come back in key order whatever order the rows came in.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import { findById, groupLoader, groupLoaderWithArgs, loadManyOrNull, rowLoader } from '../../src/subgraph-kit/loaders.js';

interface Row {
  id: string;
  owner: string;
}

/** A fake statement over `rows` that records each batch of keys it is asked for. */
function table(rows: readonly Row[], by: keyof Row) {
  const batches: string[][] = [];
  const fetch = async (keys: readonly string[]) => {
    batches.push([...keys]);
    // Reversed: a database owes no order, so the loader must put rows back in key order.
    return rows.filter((row) => keys.includes(row[by])).reverse();
  };
  return { batches, fetch };
}

const rows: Row[] = [
  { id: '1', owner: 'a' },
  { id: '2', owner: 'b' },
  { id: '3', owner: 'a' },
];

describe('rowLoader', () => {
  it('fetches the keys of one tick in one batch and answers in key order', async () => {
    const { batches, fetch } = table(rows, 'id');
    const loader = rowLoader('Row', fetch, (row) => row.id);
    const answers = await Promise.all([loader.load('3'), loader.load('1'), loader.load('2')]);
    expect({ answers, batches }).toEqual({ answers: [rows[2], rows[0], rows[1]], batches: [['3', '1', '2']] });
  });

  it('answers a missing key with NOT_FOUND, and the others still resolve', async () => {
    const loader = rowLoader('Row', table(rows, 'id').fetch, (row) => row.id);
    expect(await loader.loadMany(['1', '9'])).toEqual([rows[0], new NotFoundError('Row', '9')]);
  });

  it('asks for a repeated key once', async () => {
    const { batches, fetch } = table(rows, 'id');
    const loader = rowLoader('Row', fetch, (row) => row.id);
    await Promise.all([loader.load('1'), loader.load('1')]);
    expect(batches).toEqual([['1']]);
  });
});

describe('loadManyOrNull / findById', () => {
  it('answer null for a missing key and for an id that cannot be a bigint, the latter without a fetch', async () => {
    const { batches, fetch } = table(rows, 'id');
    const loader = rowLoader('Row', fetch, (row) => row.id);
    const answers = [await loadManyOrNull(loader, ['2', '9']), await findById(loader, 'abc')];
    expect({ answers, batches }).toEqual({ answers: [[rows[1], null], null], batches: [['2', '9']] });
  });
});

describe('groupLoader', () => {
  it('groups rows per key in one batch, [] for a key without rows', async () => {
    const { batches, fetch } = table(rows, 'owner');
    const loader = groupLoader(fetch, (row) => row.owner);
    const answers = await Promise.all(['b', 'z', 'a'].map((owner) => loader.load(owner)));
    expect({ answers, batches }).toEqual({ answers: [[rows[1]], [], [rows[2], rows[0]]], batches: [['b', 'z', 'a']] });
  });
});

describe('groupLoaderWithArgs', () => {
  it('makes one fetch per distinct arguments and answers each request from its own', async () => {
    const batches: [string[], number][] = [];
    const loader = groupLoaderWithArgs(
      async (keys: readonly string[], args: { first: number }) => {
        batches.push([[...keys], args.first]);
        return rows.filter((row) => keys.includes(row.owner)).slice(0, args.first);
      },
      (row) => row.owner,
    );
    const answers = await Promise.all([
      loader.load({ key: 'a', args: { first: 1 } }),
      loader.load({ key: 'b', args: { first: 1 } }),
      loader.load({ key: 'a', args: { first: 5 } }),
    ]);
    expect({ answers, batches }).toEqual({
      answers: [[rows[0]], [], [rows[0], rows[2]]],
      batches: [
        [['a', 'b'], 1],
        [['a'], 5],
      ],
    });
  });
});
