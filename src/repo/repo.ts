/**
 * A repo is one database instance (Ecto's sense). Resolvers and loaders see only this narrow
 * interface; the driver, the pool and (later) the routing to replicas, roles and tenants stay
 * behind it.
 */
export type Dialect = 'pg' | 'mysql';

export type Row = Record<string, unknown>;

export interface Repo {
  readonly name: string;
  readonly dialect: Dialect;
  /** One round trip: a parameterized statement from a subgraph's sql.ts and its values. */
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Resolves when the database answers `SELECT 1`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Per-request figures behind `extensions.repos`. */
export interface RepoUsage {
  roundTrips: number;
  ms: number;
}
