/**
 * Parsed documents are cached per client class, within a byte budget: a flood of huge distinct
 * documents (comments count for no tokens) must not fill the heap.
 */
import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { classDocumentCache, RETAINED_BYTES_PER_CHAR } from '../src/gateway/document-cache.js';

/** Parses `source` through the cache, counting the parses that really ran. */
function counting() {
  let parses = 0;
  return {
    get parses() {
      return parses;
    },
    parse: (source: string) => (): DocumentNode => {
      parses += 1;
      return parse(source);
    },
  };
}

describe('the per-class document cache', () => {
  it('keeps a document for its class only', () => {
    const cache = classDocumentCache();
    const parser = counting();
    const admin = cache.parse('admin', '{ a }', parser.parse('{ a }'));
    expect(cache.parse('admin', '{ a }', parser.parse('{ a }'))).toBe(admin);
    expect(parser.parses).toBe(1);
    expect(cache.parse('api', '{ a }', parser.parse('{ a }'))).not.toBe(admin);
    expect(parser.parses).toBe(2);
  });

  it('keeps a refusal too, so a flood of one bad text is parsed once', () => {
    const cache = classDocumentCache();
    const parser = counting();
    expect(() => cache.parse('api', '{ a', parser.parse('{ a'))).toThrow(/Syntax Error/);
    expect(() => cache.parse('api', '{ a', parser.parse('{ a'))).toThrow(/Syntax Error/);
    expect(parser.parses).toBe(1);
  });

  it('does not keep huge texts, and stays within its byte budget', () => {
    const budget = 64 * 1024 * 1024;
    const cache = classDocumentCache({ maxBytes: budget });
    const huge = `# ${'x'.repeat(1024 * 1024)}\n{ a }`;
    const parser = counting();
    cache.parse('api', huge, parser.parse(huge));
    cache.parse('api', huge, parser.parse(huge));
    expect(parser.parses).toBe(2);
    // 100 distinct 20 KB documents (5 MB each, as an entry is counted) against 64 MB: the oldest are evicted.
    const texts = Array.from({ length: 100 }, (_, i) => `# ${String(i).padEnd(20_000, '.')}\n{ a }`);
    for (const text of texts) cache.parse('api', text, parser.parse(text));
    // Newest first: the kept ones hit before a miss can evict anything.
    const before = parser.parses;
    for (const text of [...texts].reverse()) cache.parse('api', text, parser.parse(text));
    const kept = texts.length - (parser.parses - before);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(texts.length);
    expect(kept * 20_000 * RETAINED_BYTES_PER_CHAR).toBeLessThanOrEqual(budget);
  });
});
