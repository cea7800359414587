/**
 * What a subgraph hands to the gateway: its SDL, resolvers, merge config and a per-request
 * loader factory. Each subgraph is also a standalone executable schema (`subgraphSchema`).
 */
import { readFileSync } from 'node:fs';
import type { MergedTypeConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import type { RepoName } from '../config.js';
import type { Repo } from '../repo/repo.js';

/** What a subgraph's resolvers find in the context under its own name. */
export interface SubgraphScope<Loaders> {
  repo: Repo;
  loaders: Loaders;
}

export interface RequestScope {
  /** The tenant the request acts for (from its token). */
  tenant: string;
}

/** What a subgraph's loaders need to know of the request. */
export interface LoaderScope {
  tenant: string;
  /** Field coordinates ('User.email') the request's client class may not read. */
  hiddenFields: ReadonlySet<string>;
}

export interface Subgraph<Loaders = unknown> {
  name: RepoName;
  typeDefs: string;
  resolvers: IResolvers;
  merge: Record<string, MergedTypeConfig>;
  /** Field coordinate → the `table.column`s it reads: what the start-up grant check verifies per class. */
  fieldColumns: Record<string, string[]>;
  createLoaders(repo: Repo, scope: LoaderScope): Loaders;
}

export function readSdl(file: URL): string {
  return readFileSync(file, 'utf8');
}

export function subgraphSchema(subgraph: Subgraph): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers });
}
