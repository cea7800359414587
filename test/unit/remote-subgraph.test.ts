/** The path a request to a subgraph service goes to: from any URL a topology or a supergraph gives. */
import { describe, expect, it } from 'vitest';
import { pathOf } from '../../src/gateway/remote-subgraph.js';

describe('pathOf', () => {
  it('keeps the path and query, and answers / for a URL that names no path', () => {
    expect(pathOf('http://127.0.0.1:4112/graphql')).toBe('/graphql');
    expect(pathOf('http://badges.internal:4001')).toBe('/');
    expect(pathOf('http://badges.internal:4001?team=x')).toBe('/?team=x');
    expect(pathOf('https://user:secret@badges.internal/api/graphql?v=2')).toBe('/api/graphql?v=2');
  });
});
