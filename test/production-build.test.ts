/**
 * The production build: `npm run build` emits JavaScript that serves with production
 * dependencies only (`npm ci --omit=dev`), no TypeScript loader, the same answers as the dev
 * gateway, and drains on SIGTERM.
 *
 * The install lives in a temp folder keyed by the lockfile, so only the first run pays for
 * `npm ci` (~10 s); the build goes into that folder, never into the working tree's dist/.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { freePort, openGateway, testTopology, tokenFor } from './support.js';

const run = promisify(execFile);
const readJson = (file: string) => JSON.parse(readFileSync(path.join(projectRoot, file), 'utf8'));
const packageJson = readJson('package.json') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lockfile = readJson('package-lock.json') as { packages: Record<string, { dev?: boolean }> };
const gatewayNodeFlags = readJson('scripts/gateway-node-flags.json') as string[];

const lockHash = createHash('sha256').update(readFileSync(path.join(projectRoot, 'package.json'))).update(readFileSync(path.join(projectRoot, 'package-lock.json'))).digest('hex').slice(0, 16);
const installDir = path.join(os.tmpdir(), `repogate-production-${lockHash}`);
const entry = path.join(installDir, 'dist', 'src', 'serve.js');

/** `npm ci --omit=dev` into installDir, from the npm cache when it holds everything, else from the registry. */
async function installProductionDependencies(): Promise<void> {
  if (existsSync(path.join(installDir, 'node_modules', '.package-lock.json'))) return;
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(projectRoot, file), path.join(installDir, file));
  const ci = (mode: string) => run('npm', ['ci', '--omit=dev', mode, '--no-audit', '--no-fund'], { cwd: installDir });
  await ci('--offline').catch(() => ci('--prefer-offline'));
}

/** Every module file the entry loads and every package it imports, following static and dynamic imports. */
function importGraph(file: string, files = new Set<string>(), packages = new Set<string>()): { files: Set<string>; packages: Set<string> } {
  if (files.has(file)) return { files, packages };
  files.add(file);
  for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (specifier.startsWith('.')) importGraph(path.resolve(path.dirname(file), specifier), files, packages);
    else if (!isBuiltin(specifier)) packages.add(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
  }
  return { files, packages };
}

let server: ChildProcess;
let exited: Promise<number | null>;
let url: string;
const devGateway = openGateway();

beforeAll(async () => {
  await installProductionDependencies();
  await run('npm', ['run', 'build', '--', '--out-dir', path.join(installDir, 'dist')], { cwd: projectRoot });

  const config = path.join(installDir, 'topology.json');
  writeFileSync(config, JSON.stringify(testTopology()));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The documented production command; a clean environment, so no NODE_OPTIONS loader leaks in.
  server = spawn(process.execPath, [...gatewayNodeFlags, entry], {
    cwd: installDir,
    env: { PATH: process.env.PATH!, NODE_ENV: 'production', REPOGATE_CONFIG: config, REPOGATE_HOST: '127.0.0.1', REPOGATE_PORT: String(port), REPOGATE_LOG_LEVEL: 'warn' },
  });
  exited = new Promise((resolve) => server.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Repogate is serving')) resolve();
    });
    server.stderr!.on('data', (chunk) => (output += chunk));
    void exited.then((code) => reject(new Error(`dist/src/serve.js exited (${code}) before serving: ${output}`)));
  });
}, 120_000);

afterAll(async () => {
  if (server?.exitCode === null) server.kill('SIGKILL');
  await devGateway.close();
});

describe('the production build', () => {
  it('loads only production code: no dev-only module, no devDependency', () => {
    const { files, packages } = importGraph(entry);
    const loaded = [...files].map((file) => path.relative(path.join(installDir, 'dist'), file));
    const devOnly = (file: string) =>
      /^(dev|bench|test)\//.test(file);
    expect(loaded.filter(devOnly)).toEqual([]);
    expect(loaded).toContain('src/serve-gateway.js');
    expect([...packages].filter((name) => name in packageJson.devDependencies)).toEqual([]);
    // Not all are declared: the @escape.tech/graphql-armor-* plugins come with graphql-armor.
    expect([...packages].filter((name) => !existsSync(path.join(installDir, 'node_modules', name)))).toEqual([]);
  });

  it('runs from a `npm ci --omit=dev` install that holds no dev tool', () => {
    const present = (name: string) => existsSync(path.join(installDir, 'node_modules', name));
    expect(['tsx', 'typescript', 'vitest', 'cli-progress', 'eslint'].filter(present)).toEqual([]);
    expect(existsSync(path.join(installDir, 'node_modules', '.bin', 'tsx'))).toBe(false);
    // Every devDependency npm marks dev-only (@types/node is not: mysql2 depends on it).
    const devOnlyPackages = Object.keys(packageJson.devDependencies).filter((name) => lockfile.packages[`node_modules/${name}`]?.dev);
    expect(devOnlyPackages.filter(present)).toEqual([]);
  });

  it('answers /health and a query over all three repos as the dev gateway does', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const query = /* GraphQL */ `{
      companies(first: 3) { edges { node {
        name
        legacyCustomerCode
        invoices { number totalCents }
        users(first: 2) { edges { node { name devices { serial } } } }
      } } }
    }`;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('interactive', 'acme')}` },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    const built = (await response.json()) as { data: { companies: { edges: unknown[] } } };
    const dev = await devGateway.request(query);
    expect(dev.errors).toBeUndefined();
    expect(built).toEqual({ data: dev.data });
    expect(built.data.companies.edges).toHaveLength(3);
  });

  it('moves with dist/src/move/main.js: a dry run against the same topology, loading only production code', async () => {
    const mover = path.join(installDir, 'dist', 'src', 'move', 'main.js');
    const loaded = [...importGraph(mover).files].map((file) => path.relative(path.join(installDir, 'dist'), file));
    expect(loaded.filter((file) => /^(dev|bench|test)\//.test(file))).toEqual([]);
    const dryRun = spawnSync(process.execPath, [mover, '--older-than', '90d', '--dry-run'], {
      cwd: installDir,
      env: { PATH: process.env.PATH!, NODE_ENV: 'production', REPOGATE_CONFIG: path.join(installDir, 'topology.json') },
      encoding: 'utf8',
    });
    expect({ status: dryRun.status, stderr: dryRun.stderr }).toEqual({ status: 0, stderr: '' });
    expect(dryRun.stdout).toMatch(/dry run: [\d,]+ rows would move; nothing was changed/);
  });

  it('serves a subgraph with dist/src/subgraph.js: Federation v2 SDL and its fields, loading only production code', async () => {
    const service = path.join(installDir, 'dist', 'src', 'subgraph.js');
    const loaded = [...importGraph(service).files].map((file) => path.relative(path.join(installDir, 'dist'), file));
    expect(loaded.filter((file) => /^(dev|bench|test)\//.test(file))).toEqual([]);
    const port = await freePort();
    const child = spawn(process.execPath, [service, 'telemetry', '--port', String(port)], {
      cwd: installDir,
      env: { PATH: process.env.PATH!, NODE_ENV: 'production', REPOGATE_CONFIG: path.join(installDir, 'topology.json'), REPOGATE_LOG_LEVEL: 'warn' },
    });
    const stopped = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const collect = (chunk: Buffer) => (output += chunk).includes('is serving') && resolve();
        child.stdout!.on('data', collect);
        child.stderr!.on('data', collect);
        void stopped.then(() => reject(new Error(`dist/src/subgraph.js exited before serving: ${output}`)));
      });
      const ask = async (query: string) =>
        (await (await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('interactive', 'acme')}` },
          body: JSON.stringify({ query }),
        })).json()) as { data: Record<string, any> };
      expect((await ask('{ _service { sdl } }')).data._service.sdl).toContain('type User @key(fields: "id")');
      expect((await ask('{ device(id: "1") { serial } }')).data).toEqual((await devGateway.request('{ device(id: "1") { serial } }')).data);
    } finally {
      child.kill('SIGTERM');
      await stopped;
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('is started in the README with the node flags npm start uses', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const command = `NODE_ENV=production REPOGATE_CONFIG=/etc/repogate.json node ${gatewayNodeFlags.join(' ')} dist/src/serve.js`;
    expect(readme.includes(command), command).toBe(true);
  });
});
