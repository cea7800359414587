/**
 * Global setup of the suite's remote projects (vitest.config.ts): the same test files, with the
 * gateway reaching some subgraphs over HTTP. Starts those subgraphs as services, as a user does
 * (`npm run subgraph`), once for the project, and hands their URLs to the tests
 * (`inject('subgraphServices')`, read by support.ts's openGateway).
 */
import type { TestProject } from 'vitest/node';
import { stackUp } from '../dev/stack/stack.js';
import { startSubgraphService, type SubgraphService } from './support.js';

/** Which subgraphs each remote project runs as services. */
const remoteIn: Record<string, string[]> = {
  'integration (mixed)': ['telemetry', 'legacy'],
  'integration (all remote)': ['main', 'telemetry', 'legacy'],
};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Subgraph name → its service's GraphQL URL; empty in the in-process project. */
    subgraphServices: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await stackUp((line) => console.log(line));
  const names = remoteIn[project.name];
  if (!names) throw new Error(`no subgraph services configured for project ${project.name}`);
  const started = await Promise.allSettled(names.map((name) => startSubgraphService(name)));
  const services = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (all: SubgraphService[]) => {
    for (const service of all) process.kill(-service.child.pid!, 'SIGTERM');
    await Promise.all(all.map((service) => service.exited));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop(services);
    throw failed.reason;
  }
  project.provide('subgraphServices', Object.fromEntries(services.map((service) => [service.name, service.url])));
  return () => stop(services);
}
