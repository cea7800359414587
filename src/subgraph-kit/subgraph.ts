/**
 * A subgraph descriptor: everything about one repo, in the shape of graphile's `pgServices`.
 * The gateway knows a subgraph only through this (its folder's index.ts exports one): the
 * composed schema, the request context, the grant check, migrations, `/ready`, metrics and
 * `extensions.repos` are loops over the configured list of descriptors.
 */
import { readFileSync } from 'node:fs';
import type { MergedTypeConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import { Kind, parse, type GraphQLSchema } from 'graphql';
import type { ClientClass } from '../config.js';
import type { Dialect, Repo } from '../repo/repo.js';
import type { SharedSubscription } from './live.js';
import type { FactName, RequestFacts } from './request-facts.js';

/**
 * How a subgraph's repo holds the tenants' data:
 * - `database-per-tenant`: the request's tenant picks the database (the tenant registry says which);
 * - `shared-filtered`: one database, rows carry the tenant and every statement filters by it;
 * - `shared-via-entities`: one database that knows no tenants; its rows are reached only through
 *   entities of another subgraph, or scoped by a fact another subgraph provides.
 */
export const tenancyModes = ['database-per-tenant', 'shared-filtered', 'shared-via-entities'] as const;
export type Tenancy = (typeof tenancyModes)[number];

/** What one field (a `Type.field` coordinate, input fields included) reads, and who may see it. */
export interface FieldAccess {
  /** The `table.column`s it reads: what the start-up grant check probes for every class that sees it. */
  columns?: readonly string[];
  /**
   * Classes that must not see it: their schema leaves it out, their SQL reads none of its
   * columns, and the grant check fails if their role may read a column only this field needs.
   */
  hiddenFrom?: readonly ClientClass[];
}

/** What a subgraph's per-request context is built from. */
export interface SubgraphRequest {
  /** The request's routed, counting view of this subgraph's repo. */
  repo: Repo;
  tenant: string;
  clientClass: ClientClass;
  /** Whether the request's class may see a field coordinate (from the descriptors' `fields`). */
  canSee(coordinate: string): boolean;
  /** The facts this subgraph `requires`, computed by the subgraphs that provide them. */
  facts: Facts;
  /** The topology's section named after this subgraph, if any (telemetry: its widest windows). */
  settings: unknown;
}

/** Lazily computed, once per request. */
export type Facts = { readonly [K in FactName]: () => Promise<RequestFacts[K]> };

export interface Subgraph<Context = unknown> {
  /** Its repo's name in the topology, and its key in the request context. */
  name: string;
  dialect: Dialect;
  tenancy: Tenancy;
  typeDefs: string;
  resolvers: IResolvers;
  /** Batched type merging: how the gateway fetches this subgraph's part of a shared type. */
  merge: Record<string, MergedTypeConfig>;
  /**
   * The client classes whose schema shows this subgraph (the topology's `repos.<name>.classes`
   * overrides it); the others see none of its fields, and their roles need no GRANTs on its
   * repo. Default: every class but `ml`, which sees the training repo only.
   */
  classes?: readonly ClientClass[];
  /** Types only its merge entry points use; like root fields named `_…`, the composed schema leaves them out. */
  internalTypes?: readonly string[];
  /** One declaration per field: the columns behind it and the classes it is hidden from. */
  fields: Record<string, FieldAccess>;
  /** Made per request (fresh loaders: nothing cached outlives the request). */
  createContext(request: SubgraphRequest): Context;
  /** Facts about a request this subgraph knows (with its own repo) and others may require. */
  provides?: { readonly [K in FactName]?: (context: Context) => Promise<RequestFacts[K]> };
  requires?: readonly FactName[];
  /**
   * Facts it reads when a configured subgraph provides them, null otherwise (facts whose type
   * allows null: `archive`). Unlike `requires`, a missing provider does not stop start-up.
   */
  uses?: readonly FactName[];
  /**
   * PostgreSQL NOTIFY channels its repo's writes announce changes on (subgraph-kit/live.ts): the
   * gateway keeps one LISTEN connection to the repo's primary for them, outside the class pools.
   */
  channels?: readonly string[];
  /** Its subscription fields whose subscribers may share one execution (subgraph-kit/live.ts), by field name. */
  sharedSubscriptions?: Record<string, SharedSubscription>;
  /** Folder of `*.sql` migrations, applied in name order. */
  migrations: URL;
  /** GRANTs for the class roles (`:interactive`, `:api`, `:admin`, `:database`), applied after migrating. */
  grants: URL;
}

/**
 * A descriptor in a list of them: the context type varies per subgraph, and appears both as what
 * `createContext` makes and what `provides` reads, so only `any` lets the list hold them all.
 */
export type AnySubgraph = Subgraph<any>;

export function readSdl(file: URL): string {
  return readFileSync(file, 'utf8');
}

/**
 * The files every subgraph folder keeps by convention, next to its index.ts (`moduleUrl`, its
 * `import.meta.url`): schema.graphql, migrations/ and grants.sql.
 */
export function folderFiles(moduleUrl: string): Pick<Subgraph, 'typeDefs' | 'migrations' | 'grants'> {
  return {
    typeDefs: readSdl(new URL('./schema.graphql', moduleUrl)),
    migrations: new URL('./migrations/', moduleUrl),
    grants: new URL('./grants.sql', moduleUrl),
  };
}

export function subgraphSchema(subgraph: AnySubgraph): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers });
}

/** Who sees a subgraph that does not say. */
export const defaultClasses: readonly ClientClass[] = ['interactive', 'api', 'admin'];

export function isVisibleTo(subgraph: AnySubgraph, clientClass: ClientClass): boolean {
  return (subgraph.classes ?? defaultClasses).includes(clientClass);
}

/** Every `Type.field` coordinate a subgraph's SDL defines (input fields included). */
export function coordinatesOf(subgraph: Pick<AnySubgraph, 'typeDefs'>): string[] {
  const coordinates: string[] = [];
  for (const definition of parse(subgraph.typeDefs).definitions) {
    if (!('fields' in definition) || !definition.fields || !('name' in definition) || !definition.name) continue;
    if (definition.kind === Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const field of definition.fields) coordinates.push(`${definition.name.value}.${field.name.value}`);
  }
  return coordinates;
}

/**
 * Field coordinates hidden from `clientClass`: those its declarations hide from it, and every
 * field of a subgraph it does not see that no subgraph it sees defines too (`User.id` stays when
 * another visible subgraph has users).
 */
export function hiddenFieldsOf(subgraphs: readonly AnySubgraph[], clientClass: ClientClass): ReadonlySet<string> {
  const hidden = new Set<string>();
  const visible = subgraphs.filter((subgraph) => isVisibleTo(subgraph, clientClass));
  const shown = new Set(visible.flatMap(coordinatesOf));
  for (const subgraph of subgraphs) {
    if (!visible.includes(subgraph)) {
      for (const coordinate of [...coordinatesOf(subgraph), ...Object.keys(subgraph.fields)]) {
        if (!shown.has(coordinate)) hidden.add(coordinate);
      }
    }
    for (const [coordinate, access] of Object.entries(subgraph.fields)) {
      if (access.hiddenFrom?.includes(clientClass)) hidden.add(coordinate);
    }
  }
  return hidden;
}
