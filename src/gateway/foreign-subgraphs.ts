/**
 * Federation v2 subgraphs that are not Repogate's: another team's service, in any language,
 * joining the graph (the topology's `foreign`, or the foreign subgraphs of a `supergraph`).
 *
 * How they join: our subgraphs keep their descriptors (their own merge entry points, plan and
 * round trips); a foreign one is known only by its SDL, so the gateway composes it with ours
 * (composeSupergraph: standard composition, errors name the subgraph) and lets
 * `@graphql-tools/federation` turn the supergraph into stitching subschemas. Only the foreign
 * subgraphs' subschemas are kept (their `_entities` merge config, `@key`s, `@requires`,
 * `@provides`, `@override` as that runtime reads them) and stitched next to ours: stitching stays
 * the one engine. Their requests go through a RemoteSubgraph (keep-alive sockets, a bounded
 * wait, REPO_UNAVAILABLE and a breaker), batched per nesting level.
 *
 * A foreign subgraph that does not answer `_service { sdl }` at start-up does not stop the
 * gateway: it serves without that subgraph's fields, retries with back-off and swaps the class
 * schemas once it has composed. (With a supergraph file its fields are known up front and answer
 * REPO_UNAVAILABLE while it is down.)
 */
import { readFile } from 'node:fs/promises';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { getStitchingOptionsFromSupergraphSdl } from '@graphql-tools/federation';
import { Kind, parse, type DocumentNode } from 'graphql';
import { ConfigError, type ClientClass, type ForeignSubgraphConfig, type Topology } from '../config.js';
import { federationSdl } from '../federation/federation-sdl.js';
import { composeSupergraph } from '../federation/supergraph.js';
import type { Logger } from '../observability/logger.js';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';
import { RemoteSubgraph } from './remote-subgraph.js';

/** How long reading a foreign subgraph's SDL (or a supergraph URL) may take at start-up. */
const SDL_TIMEOUT_MS = 5_000;
/** Back-off between attempts to reach a foreign subgraph that was down: 1 s, 2 s, 4 s … at most 30 s. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The defaults of a foreign entry, for a supergraph's subgraph the topology does not list. */
const foreignDefaults: ForeignSubgraphConfig = { maxSockets: 16, classes: ['interactive', 'api', 'admin'], forwardToken: true };

/** A supergraph from a file path or an http(s) URL. */
export async function readSupergraph(source: string): Promise<string> {
  try {
    if (!/^https?:\/\//.test(source)) return await readFile(source, 'utf8');
    const response = await fetch(source, { signal: AbortSignal.timeout(SDL_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (error) {
    throw new ConfigError(`supergraph ${source}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** What a Federation v2 service says about itself: `_service { sdl }`. */
export async function fetchServiceSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
    signal: AbortSignal.timeout(SDL_TIMEOUT_MS),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(`no _service { sdl } in its answer (HTTP ${response.status})`);
  return sdl;
}

/** The subgraphs of a supergraph: `join__Graph`'s values, by the name and URL `@join__graph` gives each. */
export function supergraphSubgraphs(supergraph: DocumentNode): Map<string, { value: string; url?: string }> {
  const subgraphs = new Map<string, { value: string; url?: string }>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === 'join__graph');
      const argument = (name: string) => {
        const node = graph?.arguments?.find((one) => one.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      subgraphs.set(argument('name') ?? value.name.value.toLowerCase(), { value: value.name.value, url: argument('url') });
    }
  }
  return subgraphs;
}

/** One foreign subgraph that has joined: its client and its stitching subschemas. */
interface Joined {
  name: string;
  config: ForeignSubgraphConfig;
  remote: RemoteSubgraph;
  subschemas: SubschemaConfig[];
}

export class ForeignSubgraphs {
  private joined: Joined[] = [];
  private readonly clients = new Map<string, RemoteSubgraph>();
  private readonly sdl = new Map<string, string>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly topology: Pick<Topology, 'foreign' | 'supergraph' | 'classes' | 'gateway'>,
    private readonly ours: readonly AnySubgraph[],
    private readonly logger: Logger,
    /** Called after a foreign subgraph has joined later (the class schemas are rebuilt). */
    private readonly onJoined: () => void,
  ) {}

  /** Whether the topology names any (the gateway skips all of this otherwise). */
  get configured(): boolean {
    return Boolean(this.topology.supergraph) || Object.keys(this.topology.foreign).length > 0;
  }

  /** The clients of the foreign subgraphs that have joined (their breakers are reported with the repos'). */
  get remotes(): RemoteSubgraph[] {
    return this.joined.map((one) => one.remote);
  }

  /** The subschemas a class's schema stitches in: those of the foreign subgraphs it may see. */
  subschemasFor(clientClass: ClientClass): SubschemaConfig[] {
    return this.joined.filter((one) => one.config.classes.includes(clientClass)).flatMap((one) => one.subschemas);
  }

  /** Which foreign subgraphs a class sees, as a key (classes seeing the same set share one stitched schema). */
  visibleTo(clientClass: ClientClass): string {
    return this.joined.filter((one) => one.config.classes.includes(clientClass)).map((one) => one.name).join(',');
  }

  /**
   * The first composition, before the gateway serves: a supergraph that cannot be read or a
   * foreign SDL that does not compose stops start-up (ConfigError naming it); a foreign service
   * that does not answer is retried in the background.
   */
  async join(): Promise<void> {
    if (this.topology.supergraph) return this.joinSupergraph(await readSupergraph(this.topology.supergraph));
    const missing = await this.fetchMissing();
    this.compose();
    if (missing.length > 0) this.retryLater(missing, RETRY_FIRST_MS);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    for (const client of this.clients.values()) client.close();
  }

  private joinSupergraph(supergraphSdl: string): void {
    const document = parse(supergraphSdl);
    const ourNames = new Set(this.ours.map((subgraph) => subgraph.name));
    const foreign = [...supergraphSubgraphs(document)].filter(([name]) => !ourNames.has(name));
    for (const [name, { url }] of foreign) {
      const endpoint = this.topology.foreign[name]?.url ?? url;
      if (!endpoint) throw new ConfigError(`supergraph ${this.topology.supergraph}: subgraph ${name} has no url (give foreign.${name}.url)`);
    }
    this.joined = this.subschemasOf(document, foreign.map(([name, { value, url }]) => ({ name, value, url: this.topology.foreign[name]?.url ?? url! })));
  }

  /** Reads `_service { sdl }` of each listed foreign subgraph not read yet; answers the names that did not answer. */
  private async fetchMissing(): Promise<string[]> {
    const pending = Object.entries(this.topology.foreign).filter(([name]) => !this.sdl.has(name));
    const missing: string[] = [];
    await Promise.all(
      pending.map(async ([name, config]) => {
        try {
          this.sdl.set(name, await fetchServiceSdl(config.url!));
        } catch (error) {
          missing.push(name);
          this.logger.warn({ subgraph: name, url: config.url, reason: (error as Error).message }, 'foreign subgraph does not answer: serving without its fields, retrying');
        }
      }),
    );
    return missing;
  }

  /** Composes ours with every foreign SDL read so far; throws ConfigError naming the subgraph that does not compose. */
  private compose(): void {
    if (this.sdl.size === 0) return;
    const foreign = [...this.sdl].map(([name, sdl]) => ({ name, url: this.topology.foreign[name]!.url!, sdl }));
    // Ours at a placeholder URL: their subschemas are not taken from the supergraph.
    const ours = this.ours.map((subgraph) => ({ name: subgraph.name, url: `http://in-process.invalid/${subgraph.name}`, sdl: federationSdl(subgraph, this.ours) }));
    const document = parse(composeSupergraph([...ours, ...foreign]));
    const values = supergraphSubgraphs(document);
    const joined = this.subschemasOf(document, foreign.map(({ name, url }) => ({ name, url, value: values.get(name)!.value })));
    for (const old of this.joined) if (!joined.some((one) => one.remote === old.remote)) old.remote.close();
    this.joined = joined;
  }

  private subschemasOf(supergraph: DocumentNode, foreign: readonly { name: string; value: string; url: string }[]): Joined[] {
    if (foreign.length === 0) return [];
    const { subschemas } = getStitchingOptionsFromSupergraphSdl({ supergraphSdl: supergraph, batch: true });
    return foreign.map(({ name, value, url }) => {
      const config = this.topology.foreign[name] ?? foreignDefaults;
      let remote = this.clients.get(name);
      if (!remote) {
        remote = new RemoteSubgraph({ name, url, maxSockets: config.maxSockets, classes: this.topology.classes, breaker: this.topology.gateway.breaker, foreign: config });
        this.clients.set(name, remote);
      }
      const executor = remote.executor;
      // The runtime names a subschema by its join__Graph value; some subgraphs give several (one per conflicting entity type).
      const own = subschemas.filter((subschema) => subschema.name === value).map((subschema) => ({ ...subschema, name, executor, batch: true }));
      return { name, config, remote, subschemas: own };
    });
  }

  private retryLater(missing: readonly string[], delayMs: number): void {
    this.retry = setTimeout(async () => {
      if (this.closed) return;
      const still = await this.fetchMissing();
      if (still.length < missing.length) {
        try {
          this.compose();
          this.logger.info({ joined: missing.filter((name) => !still.includes(name)) }, 'foreign subgraph joined');
          this.onJoined();
        } catch (error) {
          // Serving goes on with what composed before; the operator sees why the new one did not join.
          this.logger.error({ reason: (error as Error).message }, 'foreign subgraph answers but does not compose: left out, tried again later');
          for (const name of missing) this.sdl.delete(name);
          this.retryLater(missing, RETRY_MAX_MS);
          return;
        }
      }
      if (still.length > 0) this.retryLater(still, Math.min(delayMs * 2, RETRY_MAX_MS));
    }, delayMs);
    this.retry.unref();
  }
}
