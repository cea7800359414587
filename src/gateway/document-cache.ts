/**
 * Parsed documents, cached per client class. The token limit (GraphQL Armor's maxTokens) runs
 * inside parse and differs per class, so a document parsed under one class's limit must never
 * be served to another class: the key is the class plus the text. A repeated operation then
 * skips parsing and, since yoga caches validation by document object and class schema, skips
 * validation too (both were a tenth of the CPU of a small request; BENCHMARKS.md).
 */
import { LRUCache } from 'lru-cache';
import { principals } from './use-auth.js';
import { requestScope } from './use-request-id.js';

export interface DocumentCache<T> {
  get(source: string): T | undefined;
  set(source: string, value: T): void;
}

function currentClass(): string | undefined {
  const request = requestScope.getStore()?.request;
  return request ? principals.get(request)?.clientClass : undefined;
}

/**
 * Texts longer than this are parsed every time: a 1.5 MB body of comments is within the token
 * limit, and a thousand of them would hold gigabytes (the key, and the document or error that
 * keeps the text). Real operations are a few kilobytes.
 */
const MAX_CACHED_TEXT = 32 * 1024;

export function perClassDocumentCache<T extends object>({ max = 1000, maxBytes = 16 * 1024 * 1024 } = {}): DocumentCache<T> {
  // Each entry counts twice its text: once as the key, once kept by the document or error.
  const cache = new LRUCache<string, T>({ max, maxSize: maxBytes, sizeCalculation: (_value, key) => 2 * key.length });
  const keyOf = (source: string) => {
    // No class known (cannot happen after useAuth): no caching rather than a shared entry.
    const clientClass = currentClass();
    return clientClass && source.length <= MAX_CACHED_TEXT ? `${clientClass}\n${source}` : undefined;
  };
  return {
    get: (source) => {
      const key = keyOf(source);
      return key ? cache.get(key) : undefined;
    },
    set: (source, value) => {
      const key = keyOf(source);
      if (key) cache.set(key, value);
    },
  };
}
