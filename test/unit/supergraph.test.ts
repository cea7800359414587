/**
 * The supergraph of our subgraphs (`npm run supergraph`): it composes from the descriptors alone,
 * says where each service listens, and a subgraph that breaks composition is named in the error.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { federationSdl } from '../../src/federation/federation-sdl.js';
import { composeSupergraph, supergraphOf } from '../../src/federation/supergraph.js';
import { builtInSubgraphs } from '../../src/subgraphs.js';

const graphs = (sdl: string) => [...sdl.matchAll(/@join__graph\(name: "(\w+)", url: "([^"]+)"\)/g)].map(([, name, url]) => [name, url]);

const refusal = (compose: () => unknown) => {
  try {
    compose();
  } catch (error) {
    return error instanceof ConfigError ? error.message : error;
  }
  return 'composed';
};

const sdlOf = (name: string) => federationSdl(builtInSubgraphs.find((subgraph) => subgraph.name === name)!, builtInSubgraphs);

describe('supergraphOf', () => {
  it('composes the four subgraphs, each at its default port unless given a URL', () => {
    expect(graphs(supergraphOf(builtInSubgraphs, { urls: { telemetry: 'http://gps.internal:8080/graphql' } }))).toEqual([
      ['legacy', 'http://127.0.0.1:4103/graphql'],
      ['main', 'http://127.0.0.1:4101/graphql'],
      ['telemetry', 'http://gps.internal:8080/graphql'],
      ['training', 'http://127.0.0.1:4104/graphql'],
    ]);
  });

  it('composes only the subgraphs asked for, with their entities joined', () => {
    const sdl = supergraphOf(builtInSubgraphs, { only: ['main', 'legacy'] });
    expect(graphs(sdl).map(([name]) => name)).toEqual(['legacy', 'main']);
    expect(sdl).toContain('type Company @join__type(graph: LEGACY, key: "legacyCustomerCode") @join__type(graph: MAIN, key: "legacyCustomerCode")');
    expect(sdl).not.toContain('telemetry');
  });

  it('refuses a name it does not know, and a subgraph without a default port or URL', () => {
    expect(refusal(() => supergraphOf(builtInSubgraphs, { only: ['main', 'gps'] }))).toBe('supergraph: no subgraph "gps" (known: main, telemetry, legacy, training)');
    const custom = { ...builtInSubgraphs[0]!, name: 'billing' };
    expect(refusal(() => supergraphOf([custom]))).toBe('supergraph: subgraph billing has no default port: give its URL (--url billing=http://host:port/graphql)');
  });
});

describe('composeSupergraph', () => {
  const service = (name: string, sdl = sdlOf(name)) => ({ name, url: `http://${name}.internal/graphql`, sdl });

  const billing = (types: string) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n${types}`;

  it('names the subgraph at fault and its composition error', () => {
    expect(refusal(() => composeSupergraph([service('main'), service('billing', billing('type User @key(fields: "nope") { id: ID! }'))]))).toBe(
      [
        'supergraph: main, billing do not compose (subgraph billing):',
        '- KEY_INVALID_FIELDS: [billing] On type "User", for @key(fields: "nope"): Cannot query field "nope" on type "User" (the field should either be added to this subgraph or, if it should not be resolved by this subgraph, you need to add it to this subgraph with @external).',
      ].join('\n'),
    );
  });

  it('names every subgraph an error is between, and each error', () => {
    expect(refusal(() => composeSupergraph([service('main'), service('billing', billing('type User @key(fields: "id") { id: ID! name: Int }'))]))).toBe(
      [
        'supergraph: main, billing do not compose (subgraphs main, billing):',
        '- FIELD_TYPE_MISMATCH: Type of field "User.name" is incompatible across subgraphs: it has type "Int" in subgraph "billing" but type "String!" in subgraph "main"',
        '- INVALID_FIELD_SHARING: Non-shareable field "User.name" is resolved from multiple subgraphs: it is resolved from subgraphs "billing" and "main" and defined as non-shareable in all of them',
      ].join('\n'),
    );
  });

  it('names the subgraph whose SDL does not parse', () => {
    expect(refusal(() => composeSupergraph([service('main'), service('billing', 'type User {')]))).toBe(
      'supergraph: the SDL of a subgraph does not parse:\n- [billing] Syntax Error: Expected Name, found <EOF>.',
    );
  });
});
