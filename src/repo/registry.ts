import { repoNames, type RepoConfig, type RepoName, type Topology } from '../config.js';
import { MysqlRepo } from './mysql-repo.js';
import { PgRepo } from './pg-repo.js';
import type { Repo } from './repo.js';

export type Repos = Record<RepoName, Repo>;

export function openRepo(name: string, config: RepoConfig): Repo {
  return config.driver === 'pg' ? new PgRepo({ name, ...config }) : new MysqlRepo({ name, ...config });
}

/**
 * Opens one pool per repo of the topology, once per process. Pools connect lazily, so opening
 * a registry never fails because a database is down; `/ready` tells that.
 */
export class RepoRegistry {
  readonly repos: Repos;

  constructor(topology: Topology) {
    this.repos = Object.fromEntries(
      repoNames.map((name) => [name, openRepo(name, topology.repos[name])]),
    ) as Repos;
  }

  /** Pings every repo; the result names each one that did not answer. */
  async readiness(): Promise<Record<RepoName, 'up' | 'down'>> {
    const states = await Promise.all(
      repoNames.map(async (name) => {
        try {
          await this.repos[name].ping();
          return [name, 'up'] as const;
        } catch {
          return [name, 'down'] as const;
        }
      }),
    );
    return Object.fromEntries(states) as Record<RepoName, 'up' | 'down'>;
  }

  async close(): Promise<void> {
    await Promise.all(repoNames.map((name) => this.repos[name].close()));
  }
}
