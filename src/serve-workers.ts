/**
 * Every core: REPOGATE_WORKERS gateway processes behind one port (node:cluster; one per core by
 * default). The primary serves nothing itself. It forks the workers and gives each its share of
 * the budgets that bound a shared resource, so the databases and the subgraph services see the
 * same totals whatever the worker count: class pools (per repo, per tenant database) and sockets
 * to each service. It restarts a worker that dies, answers the workers' requests for the
 * cluster's metrics (prom-client's AggregatorRegistry), and on a stop signal passes the signal
 * on and waits for every worker's drain.
 *
 * Each worker is the single-process gateway (serve-gateway.ts): its own pools, LISTEN
 * connections, subscriptions and drain. What is per process stays per process: the
 * subscription cap `perProcess`, open tenant pools, the breakers (each worker finds a repo down
 * by itself).
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ServerResponse } from 'node:http';
import { serverOptions, type Topology } from './config.js';
import { createLogger } from './observability/logger.js';
import { serveGateway, type ServeGatewayOptions } from './serve-gateway.js';

/** Worker index `index` of `workers`: its part of `total`, at least 1 (so with fewer than `workers`, the total grows to `workers`). */
export function shareOf(total: number, workers: number, index: number): number {
  return Math.max(1, Math.floor(total / workers) + (index < total % workers ? 1 : 0));
}

const mapValues = <V, W>(record: Record<string, V>, map: (value: V) => W): Record<string, W> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

/** The topology worker `index` serves: the shared budgets divided, everything else as given. */
export function workerTopology(topology: Topology, workers: number, index: number): Topology {
  const share = (total: number) => shareOf(total, workers, index);
  return {
    ...topology,
    classes: mapValues(topology.classes, (options) => ({ ...options, poolSize: share(options.poolSize) })) as Topology['classes'],
    repos: mapValues(topology.repos, (repo) => (repo.service ? { ...repo, service: { ...repo.service, maxSockets: share(repo.service.maxSockets) } } : repo)),
    foreign: mapValues(topology.foreign, (foreign) => ({ ...foreign, maxSockets: share(foreign.maxSockets) })),
  };
}

/** Messages between the primary and a worker over the cluster's IPC channel. */
type Message =
  | { type: 'repogate:setup'; topology: Topology; options: ServeGatewayOptions }
  | { type: 'repogate:want-setup' }
  | { type: 'repogate:metrics'; id: number; text?: string; error?: string };

/** What serveGateway needs to know when it is one worker of several. */
export interface ClusterWorker {
  /** Registers the worker's metrics with the primary's aggregation. */
  shareMetrics(registry: Registry): void;
  /** Answers GET /metrics with every worker's metrics, aggregated by the primary. */
  serveMetrics(response: ServerResponse): void;
}

const workerEntry = (): string => {
  // Built JavaScript next to built JavaScript, TypeScript (tsx, dev) next to TypeScript.
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `gateway-worker${path.extname(self)}`);
};

/**
 * Serves the gateway: in this process when `server.workers` is 1, else in that many workers.
 * Resolves once every worker listens.
 */
export async function serveWithWorkers(topology: Topology, options: ServeGatewayOptions = {}): Promise<{ url: string }> {
  const server = options.server ?? serverOptions();
  if (server.workers === 1) return serveGateway(topology, { ...options, server });
  const logger = createLogger(server.logLevel);
  const aggregator = new AggregatorRegistry();
  // The workers inherit node's flags (tsx's loader in dev, --max-semi-space-size).
  cluster.setupPrimary({ exec: workerEntry(), args: [] });
  // The primary says the last word (with the hint) and the first (the URL), once.
  const workerOptions: ServeGatewayOptions = { ...options, server, announce: false, stoppedHint: undefined };

  let stopping = false;
  let started = false;
  const live = new Set<Worker>();
  const quickDeaths = Array.from({ length: server.workers }, () => 0);
  const fork = (index: number): Worker => {
    const startedAt = Date.now();
    const worker = cluster.fork({ REPOGATE_WORKER: String(index) });
    live.add(worker);
    worker.once('listening', () => started && logger.info({ worker: index }, 'replacement worker serving'));
    worker.on('message', (message: Message) => {
      if (message.type === 'repogate:want-setup') {
        worker.send({ type: 'repogate:setup', topology: workerTopology(topology, server.workers, index), options: workerOptions } satisfies Message);
      } else if (message.type === 'repogate:metrics') {
        aggregator.clusterMetrics().then(
          (text) => worker.isConnected() && worker.send({ type: 'repogate:metrics', id: message.id, text } satisfies Message),
          (error: Error) => worker.isConnected() && worker.send({ type: 'repogate:metrics', id: message.id, error: error.message } satisfies Message),
        );
      }
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !started) return;
      // Replaced at once; one that keeps dying soon after its start waits 1, 2, 4 … up to 30 s, not a tight loop.
      quickDeaths[index] = Date.now() - startedAt < 10_000 ? quickDeaths[index]! + 1 : 0;
      const delay = quickDeaths[index] ? Math.min(30_000, 500 * 2 ** quickDeaths[index]!) : 0;
      logger.error({ worker: index, code, signal, restartInMs: delay }, 'gateway worker died; starting another');
      setTimeout(() => stopping || fork(index), delay).unref();
    });
    return worker;
  };

  const workers = Array.from({ length: server.workers }, (_, index) => fork(index));
  await new Promise<void>((resolve, reject) => {
    let listening = 0;
    for (const worker of workers) {
      worker.once('listening', () => ++listening === workers.length && resolve());
      // A worker that exits before it listens failed to start (port taken, a grant missing): so does the gateway.
      worker.once('exit', (code) => {
        if (started) return;
        for (const other of live) other.process.kill('SIGKILL');
        reject(new Error(`a gateway worker exited before serving (exit code ${code}); its error is above`));
      });
    }
  });
  started = true;
  const url = `http://${server.host}:${server.port}/graphql`;
  console.log(`\nRepogate is serving ${url} with ${server.workers} worker processes${topology.gateway.graphiql ? ' (GraphiQL: open it in a browser)' : ''}`);

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return logger.warn({ signal }, 'already stopping');
    stopping = true;
    logger.info({ signal, workers: live.size }, 'stopping: each worker drains');
    const exits = [...live].map((worker) => new Promise<number | null>((resolve) => {
      if (worker.process.exitCode !== null) return resolve(worker.process.exitCode);
      worker.once('exit', (code) => resolve(code));
      // The same signal, so each worker's log says what stopped it.
      worker.process.kill(signal);
    }));
    // Each worker bounds its own drain; this bounds a worker that hangs past it.
    const killer = setTimeout(() => {
      logger.warn({ workers: live.size }, 'workers still running after the drain timeout: killing them');
      for (const worker of live) worker.process.kill('SIGKILL');
    }, topology.gateway.drainTimeoutMs + 15_000);
    const codes = await Promise.all(exits);
    clearTimeout(killer);
    logger.info({ codes }, options.stoppedHint ? `stopped (${options.stoppedHint})` : 'stopped');
    process.exit(codes.every((code) => code === 0) ? 0 : 1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  return { url };
}

/** In a worker process: asks the primary for its topology and serves it. */
export async function serveAsWorker(): Promise<void> {
  const setup = new Promise<Extract<Message, { type: 'repogate:setup' }>>((resolve) => {
    const onMessage = (message: Message) => {
      if (message.type !== 'repogate:setup') return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
  });
  process.send!({ type: 'repogate:want-setup' } satisfies Message);
  const { topology, options } = await setup;
  // The primary gone (killed, not stopped): drain as on a stop signal rather than serve on alone.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  await serveGateway(topology, { ...options, worker: clusterWorker() });
}

function clusterWorker(): ClusterWorker {
  // Constructing one installs prom-client's answer to the primary's "your metrics, please".
  new AggregatorRegistry();
  const waiting = new Map<number, (message: Extract<Message, { type: 'repogate:metrics' }>) => void>();
  let nextId = 0;
  process.on('message', (message: Message) => {
    if (message.type === 'repogate:metrics') waiting.get(message.id)?.(message);
  });
  return {
    shareMetrics: (registry) => AggregatorRegistry.setRegistries([registry]),
    serveMetrics(response) {
      const id = nextId++;
      waiting.set(id, ({ text, error }) => {
        waiting.delete(id);
        if (error !== undefined || text === undefined) {
          response.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${error ?? 'no answer'}\n`);
        } else {
          response.writeHead(200, { 'content-type': AggregatorRegistry.PROMETHEUS_CONTENT_TYPE }).end(text);
        }
      });
      process.send!({ type: 'repogate:metrics', id } satisfies Message);
    },
  };
}
