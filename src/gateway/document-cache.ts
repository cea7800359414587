/**
 * Parsed documents, cached per client class. The token limit (GraphQL Armor's maxTokens) runs
 * inside parse and differs per class, so a document parsed under one class's limit must never
 * be served to another class: the key is the class plus the text. A repeated operation then
 * skips parsing and, since yoga caches validation by document object and class schema, skips
 * validation too (both were a tenth of the CPU of a small request; BENCHMARKS.md). Refusals
 * (syntax errors, limits) are kept too, so a flood of one bad text is parsed once.
 */
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Texts longer than this are parsed every time: a 1.5 MB body of comments is within the token
 * limit, and a thousand of them would hold gigabytes (the key, and the document or error that
 * keeps the text). Real operations are a few kilobytes.
 */
const MAX_CACHED_TEXT = 32 * 1024;
/**
 * What an entry holds per character of its text: a parsed document keeps every token in its
 * `loc` (for error locations). Measured: a 6 KB document of 3,000 tokens retains 1.45 MB, 243
 * times its text; comments and long strings cost less, so this is the worst case.
 */
export const RETAINED_BYTES_PER_CHAR = 256;

type Parsed = { document: DocumentNode } | { error: unknown };

export interface ClassDocumentCache {
  /** The document `parse` makes of `source` for `clientClass`, parsed once per class and text. */
  parse(clientClass: string, source: string, parse: () => DocumentNode): DocumentNode;
}

export function classDocumentCache({ max = 1000, maxBytes = 128 * 1024 * 1024 } = {}): ClassDocumentCache {
  const cache = new LRUCache<string, Parsed>({ max, maxSize: maxBytes, sizeCalculation: (_value, key) => RETAINED_BYTES_PER_CHAR * key.length });
  return {
    parse(clientClass, source, parse) {
      if (source.length > MAX_CACHED_TEXT) return parse();
      const key = `${clientClass}\n${source}`;
      let parsed = cache.get(key);
      if (!parsed) {
        try {
          parsed = { document: parse() };
        } catch (error) {
          parsed = { error };
        }
        cache.set(key, parsed);
      }
      if ('error' in parsed) throw parsed.error;
      return parsed.document;
    },
  };
}
