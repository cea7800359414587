/**
 * One subgraph as its own HTTP service, speaking the Apollo Federation v2 subgraph protocol.
 * Builds only (serve-subgraph.ts listens): the pools, the tenant directory, the token verifier
 * and the yoga handler, as createRepogate does for the gateway.
 *
 * Trust: the caller forwards the client's JWT and the service verifies it with the gateway's own
 * auth config (README, "Subgraphs as services"). So the request runs with the class, tenant and
 * subject the client's identity provider signed; no gateway can turn one class into another.
 *
 * Request facts (request-facts.ts) are computed here, from the verified tenant, by the subgraph
 * that provides them, hosted in this process for that alone: legacy's customer codes by main's
 * provider, the archive by training's. A fact handed over by the caller would be a claim anyone
 * holding a valid token could forge (another tenant's customer codes), and the archive is code,
 * not data. The provider's fields are not served.
 *
 * Entity keys are the caller's too: the context says so (`entityKeysFromCaller`), and a subgraph
 * whose repo knows no tenants (legacy) then answers only the tenant's keys.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createTokenVerifier, type TokenVerifier } from '../auth/tokens.js';
import { clientClasses, ConfigError, type ClientClass, type Topology } from '../config.js';
import { ClassNotServedError } from '../errors.js';
import { schemaForClass } from '../gateway/class-schemas.js';
import { factProvidersOf, requestContexts, type GatewayContext } from '../gateway/context.js';
import { useCompiledExecution } from '../gateway/compiled-execution.js';
import { maskError } from '../gateway/mask-error.js';
import { useAuth } from '../gateway/use-auth.js';
import { requestContextFactory } from '../gateway/request-context-factory.js';
import { useBodyLimit } from '../gateway/use-body-limit.js';
import { useInputErrorCodes } from '../gateway/use-input-error-codes.js';
import { useOperationLimits } from '../gateway/use-operation-limits.js';
import { useReadiness } from '../gateway/use-readiness.js';
import { useRequestId } from '../gateway/use-request-id.js';
import { useRequestSession } from '../gateway/use-request-session.js';
import { unexpectedErrorLog } from '../gateway/use-unexpected-error-log.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { RepoRegistry } from '../repo/registry.js';
import { isVisibleTo, type AnySubgraph } from '../subgraph-kit/subgraph.js';
import { subgraphsFor } from '../subgraphs.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { federationSchema } from './federation-schema.js';
import { federationSdl } from './federation-sdl.js';
import { useRepoUsageExtension } from './use-repo-usage-extension.js';

export interface SubgraphServiceOptions {
  /** The topology's subgraphs (loadSubgraphs); the built-in ones of its repos by default. */
  subgraphs?: readonly AnySubgraph[];
  logger?: Logger;
  /** True once a shutdown has begun: /ready answers 503. */
  isDraining?: () => boolean;
}

export type SubgraphHandler = YogaServerInstance<Record<string, never>, GatewayContext>;

export interface SubgraphService {
  name: string;
  handler: SubgraphHandler;
  /** What `_service { sdl }` answers. */
  sdl: string;
  registry: RepoRegistry;
  tenants: TenantDirectory;
  close(): Promise<void>;
}

/** For yoga's document and error caches, which key by text alone (useOperationLimits caches per class). */
const noCache = { get: () => undefined, set: () => {} };

export function createSubgraphService(topology: Topology, name: string, options: SubgraphServiceOptions = {}): SubgraphService {
  const { subgraphs = subgraphsFor(topology), logger = createLogger(), isDraining } = options;
  const subgraph = subgraphs.find((candidate) => candidate.name === name);
  if (!subgraph) throw new ConfigError(`no subgraph "${name}" in the topology (known: ${subgraphs.map((s) => s.name).join(', ')})`);
  const hosted = [subgraph, ...factProvidersOf(subgraph, subgraphs)];
  const hostedNames = new Set(hosted.map((s) => s.name));
  // Pools, breakers and replica monitors for the hosted repos only.
  const registry = new RepoRegistry({ ...topology, repos: Object.fromEntries(Object.entries(topology.repos).filter(([repo]) => hostedNames.has(repo))) });
  const registryHost = hosted.find((s) => s.tenancy === 'database-per-tenant')?.name;
  const tenants = new TenantDirectory(topology.tenancy.registryUrl, { ...topology.tenancy, hostRepo: registryHost });

  const sdl = federationSdl(subgraph, subgraphs);
  const schema = federationSchema(subgraph, sdl);
  const servedClasses = clientClasses.filter((clientClass) => isVisibleTo(subgraph, clientClass));
  if (servedClasses.length === 0) throw new ConfigError(`repos.${name}.classes: no client class sees the ${name} subgraph`);
  // Filtered as the gateway filters (over every configured subgraph), so a class sees the same fields either way.
  const classSchemas = Object.fromEntries(
    // A class the subgraph does not serve is refused before parsing (verifyCaller): its entry is never used.
    clientClasses.map((clientClass) => [clientClass, servedClasses.includes(clientClass) ? schemaForClass(schema, clientClass, subgraphs) : schema]),
  ) as Record<ClientClass, GraphQLSchema>;

  const verifyToken = createTokenVerifier(topology.auth);
  const verifyCaller: TokenVerifier = async (token) => {
    const principal = await verifyToken(token);
    if (!servedClasses.includes(principal.clientClass)) throw new ClassNotServedError(name, principal.clientClass);
    return principal;
  };
  const perClass = <T>(pick: (clientClass: ClientClass) => T) => Object.fromEntries(clientClasses.map((c) => [c, pick(c)])) as Record<ClientClass, T>;
  const unexpected = unexpectedErrorLog(logger);
  const createContext = requestContexts(registry, hosted);

  const handler = createYoga<Record<string, never>, GatewayContext>({
    schema: classSchemas[servedClasses[0]!],
    context: requestContextFactory(tenants, registry, unexpected, (input) => Object.assign(createContext(input), { entityKeysFromCaller: true as const })),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: false,
    logging: false,
    maskedErrors: { maskError: (error) => maskError(error, unexpected.log) },
    // A gateway sends one operation per request (its entity fetches of a level go into one `_entities`).
    batching: false,
    // useBodyLimit is the limit, as in the gateway (yoga.ts says why yoga's own is off).
    maxRequestBodySize: false,
    parserAndValidationCache: { documentCache: noCache, errorCache: noCache, validationCache: true },
    plugins: [
      useRequestId(logger),
      useBodyLimit(topology.gateway.maxBodyBytes),
      useCSRFPrevention({ requestHeaders: ['x-repogate-csrf'] }),
      useAuth(verifyCaller, { graphiql: false, schemas: classSchemas }),
      useOperationLimits(perClass((c) => topology.classes[c].limits)),
      useInputErrorCodes(perClass((c) => topology.classes[c].introspection)),
      unexpected.plugin,
      useRequestSession(),
      useRepoUsageExtension(),
      useReadiness(registry, isDraining),
      // Last: the others' onExecute hooks see the request first, as with graphql-js.
      useCompiledExecution(),
    ],
  });

  return {
    name,
    handler,
    sdl,
    registry,
    tenants,
    async close() {
      await Promise.all([registry.close(), tenants.close()]);
    },
  };
}
