#!/usr/bin/env node
// `npm run build [-- --out-dir <dir>]`: the production build under dist/ (or <dir>). tsc emits the
// JavaScript of src/serve.ts and what it imports (tsconfig.build.json); then the files the code
// reads at run time next to its modules (SDL, migrations, grants, the persisted operations) are
// copied to the same relative paths, since tsc copies only what it compiles.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const outDir = path.resolve(root, values['out-dir']);
// The directory is wiped first (no stale modules): never the project or anything holding it.
if (root === outDir || !path.relative(outDir, root).startsWith('..')) {
  console.error(`build: refusing to replace ${outDir}, which holds the project`);
  process.exit(2);
}

/** Directories whose non-TypeScript files are read at run time, relative to the project root. */
const assetDirs = ['src', 'subgraphs', path.join('schemas', 'operations')];

rmSync(outDir, { recursive: true, force: true });
const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error(`build: tsc failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}
let assets = 0;
for (const dir of assetDirs) {
  if (!existsSync(path.join(root, dir))) continue;
  for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const file = path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name));
    mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(outDir, file));
    assets += 1;
  }
}
console.log(`build: wrote ${outDir} (JavaScript from tsc, ${assets} assets); serve it with node ${path.join(outDir, 'src', 'serve.js')}`);
