/**
 * Parsed documents are cached per client class, within a byte budget: a flood of huge distinct
 * documents (comments count for no tokens) must not fill the heap.
 */
import { describe, expect, it } from 'vitest';
import type { ClientClass } from '../src/config.js';
import { perClassDocumentCache } from '../src/gateway/document-cache.js';
import { principals } from '../src/gateway/use-auth.js';
import { requestScope } from '../src/gateway/use-request-id.js';

function asClass<T>(clientClass: ClientClass, work: () => T): T {
  const request = new Request('http://repogate.test/graphql');
  principals.set(request, { subject: 'test', tenant: 'acme', clientClass });
  return requestScope.run({ requestId: 'test', request }, work);
}

describe('the per-class document cache', () => {
  it('keeps a document for its class only', () => {
    const cache = perClassDocumentCache<{ doc: string }>();
    asClass('admin', () => cache.set('{ a }', { doc: 'admin' }));
    expect(asClass('admin', () => cache.get('{ a }'))).toEqual({ doc: 'admin' });
    expect(asClass('api', () => cache.get('{ a }'))).toBeUndefined();
    // Outside a request (no class known) nothing is cached or served.
    cache.set('{ a }', { doc: 'nobody' });
    expect(cache.get('{ a }')).toBeUndefined();
  });

  it('does not keep huge texts, and stays within its byte budget', () => {
    const cache = perClassDocumentCache<object>({ maxBytes: 1024 * 1024 });
    const huge = `# ${'x'.repeat(1024 * 1024)}\n{ a }`;
    asClass('api', () => cache.set(huge, {}));
    expect(asClass('api', () => cache.get(huge))).toBeUndefined();
    // 100 distinct 20 KB documents against a 1 MB budget: the oldest are evicted.
    const texts = Array.from({ length: 100 }, (_, i) => `# ${String(i).padEnd(20_000, '.')}\n{ a }`);
    asClass('api', () => texts.forEach((text) => cache.set(text, {})));
    const kept = texts.filter((text) => asClass('api', () => cache.get(text)) !== undefined).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept * 2 * 20_000).toBeLessThanOrEqual(1024 * 1024);
    expect(asClass('api', () => cache.get(texts.at(-1)!))).toBeDefined();
  });
});
