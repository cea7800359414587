/** Where benchmark results live: JSON under bench/results, tables inside BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/config.js';

const resultsDir = path.join(projectRoot, 'bench', 'results');
const benchmarksFile = path.join(projectRoot, 'BENCHMARKS.md');

export function readResults<T>(file: string, fallback: T): T {
  const at = path.join(resultsDir, file);
  return existsSync(at) ? (JSON.parse(readFileSync(at, 'utf8')) as T) : fallback;
}

export function writeResults(file: string, content: unknown): void {
  writeFileSync(path.join(resultsDir, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

/** Rewrites the part of BENCHMARKS.md between `<!-- name -->` and `<!-- /name -->`, leaving the prose alone. */
export function replaceSection(name: string, markdown: string): void {
  const text = readFileSync(benchmarksFile, 'utf8');
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md has no ${start} … ${end} section`);
  writeFileSync(benchmarksFile, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
}
