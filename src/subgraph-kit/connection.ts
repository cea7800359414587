/**
 * Relay connections with opaque keyset cursors. A cursor wraps the last row's id, so the next
 * page is `WHERE id > $after ORDER BY id LIMIT $first + 1`: constant cost on any page, unlike
 * OFFSET. The extra row only tells whether there is a next page.
 */
import { BadUserInputError } from '../errors.js';

/** `first` above this is refused rather than silently clamped. */
export const MAX_PAGE_SIZE = 500;

export interface PageArgs {
  first: number;
  /** The id after which the page starts, null for the first page. */
  afterId: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const CURSOR_PREFIX = 'k1:';

export function encodeCursor(id: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!/^\d{1,18}$/.test(id)) throw new BadUserInputError('Argument "after" is not a valid cursor.', 'after');
  return id;
}

export function pageArgs(args: { first?: number | null; after?: string | null }, defaultFirst: number): PageArgs {
  const first = args.first ?? defaultFirst;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`Argument "first" must be between 0 and ${MAX_PAGE_SIZE}, got ${first}.`, 'first');
  }
  return { first, afterId: decodeCursor(args.after) };
}

/** `rows` is the page fetched with LIMIT first + 1, in id order. */
export function toConnection<T extends { id: string }>(rows: readonly T[], first: number): Connection<T> {
  return pageToConnection(rows, first, (node) => encodeCursor(node.id));
}

/**
 * Cursors of pages ordered by (instant, id), the order of time series (fixes, time entries):
 * the cursor wraps both, so the next page starts strictly after the last row. `prefix` names
 * the kind of page, so a cursor of one is not taken by another.
 */
export function instantCursor(prefix: string) {
  const pattern = new RegExp(`^${prefix}:(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z)\\|(\\d{1,18})$`);
  return {
    encode: (at: Date, id: string): string => Buffer.from(`${prefix}:${at.toISOString()}|${id}`).toString('base64url'),
    /** [instant, id] after which the page starts, null for the first page. */
    decode(cursor: string | null | undefined): [Date, string] | null {
      if (cursor == null) return null;
      const match = pattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      const at = match ? new Date(match[1]!) : undefined;
      if (!match || !at || Number.isNaN(at.getTime())) throw new BadUserInputError('Argument "after" is not a valid cursor.', 'after');
      return [at, match[2]!];
    },
  };
}

/** A keyset page (`rows` fetched with LIMIT first + 1) as a connection, each edge's cursor from `cursorOf`. */
export function pageToConnection<T>(rows: readonly T[], first: number, cursorOf: (row: T) => string): Connection<T> {
  const edges = rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** `first` and the decoded `after` of a page in (instant, id) order. */
export function instantPageArgs(
  args: { first?: number | null; after?: string | null },
  defaultFirst: number,
  cursor: ReturnType<typeof instantCursor>,
): { first: number; after: [Date, string] | null } {
  return { first: pageArgs({ first: args.first }, defaultFirst).first, after: cursor.decode(args.after) };
}
