/**
 * A repo is one database instance (Ecto's sense). Resolvers and loaders see only this narrow
 * interface: they ask for a read or a write, nothing more. Which pool (client class, tenant
 * database) and which server (primary or replica) answers is decided behind it.
 */
export type Dialect = 'pg' | 'mysql';

export type Row = Record<string, unknown>;

/** Something that runs one parameterized statement per call: a pool, or a transaction's connection. */
export interface Executor {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Repo {
  readonly name: string;
  readonly dialect: Dialect;
  /** A read: from a healthy replica in a query, from the primary in a mutation or to read your writes. */
  read<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * A read of rows another session has just committed and announced (a live notice's fixes):
   * from the primary, where the notice came from; a replica may not have replayed them yet.
   */
  readAnnounced<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A single-statement write on the primary. */
  write<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements on the primary, committed together or not at all. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
}

/** Per-request figures behind `extensions.repos`. */
export interface RepoUsage {
  roundTrips: number;
  ms: number;
  /** Where the request's statements ran: 'primary' and/or 'replica'. */
  servedBy?: ('primary' | 'replica')[];
  /** The primary's WAL position after the request's writes (PostgreSQL), for read-your-writes. */
  lsn?: string;
}
