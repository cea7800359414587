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

export function perClassDocumentCache<T extends object>(max = 1000): DocumentCache<T> {
  const cache = new LRUCache<string, T>({ max });
  return {
    // No class known (cannot happen after useAuth): no caching rather than a shared entry.
    get: (source) => {
      const clientClass = currentClass();
      return clientClass ? cache.get(`${clientClass}\n${source}`) : undefined;
    },
    set: (source, value) => {
      const clientClass = currentClass();
      if (clientClass) cache.set(`${clientClass}\n${source}`, value);
    },
  };
}
