/** Keyset cursors: opaque, round-trip an id, refuse anything else as BAD_USER_INPUT naming `after`. */
import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '../../src/errors.js';
import { MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageArgs, toConnection } from '../../src/subgraph-kit/connection.js';

const notACursor = new BadUserInputError('Argument "after" is not a valid cursor.', 'after');

describe('encodeCursor / decodeCursor', () => {
  it('round-trip a bigint id through a versioned base64url string', () => {
    expect([encodeCursor('42'), decodeCursor(encodeCursor('42')), decodeCursor(encodeCursor('999999999999999999'))]).toEqual([
      Buffer.from('k1:42').toString('base64url'),
      '42',
      '999999999999999999',
    ]);
  });

  it('read no cursor as the first page', () => {
    expect([decodeCursor(null), decodeCursor(undefined)]).toEqual([null, null]);
  });

  it.each([
    ['an id without the version prefix', Buffer.from('42').toString('base64url')],
    ['a non-numeric id', Buffer.from('k1:42 OR 1=1').toString('base64url')],
    ['an id longer than a bigint', Buffer.from(`k1:${'9'.repeat(19)}`).toString('base64url')],
    ['an empty string', ''],
    ['garbage', '!!!'],
  ])('refuse %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(notACursor);
  });

  it('refuse with BAD_USER_INPUT and the argument name', () => {
    expect.assertions(1);
    try {
      decodeCursor('!!!');
    } catch (error) {
      expect((error as BadUserInputError).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    }
  });
});

describe('pageArgs', () => {
  it('takes the default size and decodes after', () => {
    expect(pageArgs({ after: encodeCursor('7') }, 20)).toEqual({ first: 20, afterId: '7' });
  });

  it('accepts 0 and the maximum', () => {
    expect([pageArgs({ first: 0 }, 20), pageArgs({ first: MAX_PAGE_SIZE, after: null }, 20)]).toEqual([
      { first: 0, afterId: null },
      { first: MAX_PAGE_SIZE, afterId: null },
    ]);
  });

  it.each([-1, MAX_PAGE_SIZE + 1, 1.5])('refuses first: %d rather than clamping it', (first) => {
    expect(() => pageArgs({ first }, 20)).toThrow(
      new BadUserInputError(`Argument "first" must be between 0 and ${MAX_PAGE_SIZE}, got ${first}.`, 'first'),
    );
  });
});

describe('toConnection', () => {
  const rows = (...ids: string[]) => ids.map((id) => ({ id }));

  it('drops the look-ahead row and reports a next page', () => {
    expect(toConnection(rows('1', '2', '3'), 2)).toEqual({
      edges: [
        { cursor: encodeCursor('1'), node: { id: '1' } },
        { cursor: encodeCursor('2'), node: { id: '2' } },
      ],
      pageInfo: { hasNextPage: true, endCursor: encodeCursor('2') },
    });
  });

  it('reports the last page when no look-ahead row came back', () => {
    expect(toConnection(rows('1', '2'), 2).pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor('2') });
  });

  it('gives an empty page a null end cursor', () => {
    expect(toConnection([], 5)).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
