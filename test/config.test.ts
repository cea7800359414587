/**
 * Pointing Repogate at existing databases: the topology is validated once at start-up, a bad
 * one stops start-up naming the field, and a good one serves without starting any stack.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseTopology, projectRoot, topologyFromEnvironment } from '../src/config.js';
import { stackInfo } from './support.js';

const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

function validTopology() {
  const info = stackInfo();
  return {
    repos: {
      main: { driver: 'pg', url: info.repos.main.tenants.acme },
      telemetry: { driver: 'pg', url: info.repos.telemetry.url, pool: { max: 3 } },
      legacy: { driver: 'mysql', url: info.repos.legacy.url },
    },
  };
}

/** Runs `tsx src/cli.ts <command>` with the given environment; resolves with its exit and output. */
function cli(command: string, env: Record<string, string>, until?: RegExp) {
  return new Promise<{ code: number | null; output: string; kill(): Promise<number | null> }>((resolve) => {
    const child = spawn(tsx, ['src/cli.ts', command], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env },
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const kill = () => {
      child.kill('SIGTERM');
      return exited;
    };
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (until?.test(output)) resolve({ code: null, output, kill });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => resolve({ code, output, kill }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the topology', () => {
  it('takes a valid config and fills the defaults', () => {
    const topology = parseTopology(validTopology());
    expect(topology.tenant).toBe('acme');
    expect(topology.repos.main.pool).toEqual({ max: 10, connectTimeoutMs: 2000, idleTimeoutMs: 30_000 });
    expect(topology.repos.telemetry.pool.max).toBe(3);
  });

  it('names every bad field', () => {
    const bad = validTopology() as any;
    bad.repos.main.url = 'mysql://x@127.0.0.1/acme';
    bad.repos.telemetry.pool.max = 0;
    delete bad.repos.legacy;
    let message = '';
    try {
      parseTopology(bad, 'test.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('invalid Repogate config (test.json)');
    expect(message).toMatch(/repos\.main\.url: must be a postgres:\/\/ URL/);
    expect(message).toMatch(/repos\.telemetry\.pool\.max:/);
    expect(message).toMatch(/repos\.legacy:/);
  });

  describe('from the environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('is undefined without REPOGATE_CONFIG or URLs: the embedded stack is used', () => {
      delete process.env.REPOGATE_CONFIG;
      delete process.env.REPOGATE_MAIN_URL;
      delete process.env.REPOGATE_TELEMETRY_URL;
      delete process.env.REPOGATE_LEGACY_URL;
      expect(topologyFromEnvironment()).toBeUndefined();
    });

    it('comes from the three REPOGATE_*_URL variables', () => {
      const info = stackInfo();
      process.env.REPOGATE_MAIN_URL = info.repos.main.tenants.globex;
      process.env.REPOGATE_TELEMETRY_URL = info.repos.telemetry.url;
      process.env.REPOGATE_LEGACY_URL = info.repos.legacy.url;
      expect(topologyFromEnvironment()!.repos.main.url).toBe(info.repos.main.tenants.globex);
    });
  });
});

describe('start-up', () => {
  it('stops with the bad field named when REPOGATE_CONFIG is invalid', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-config-'));
    const file = path.join(dir, 'repogate.json');
    writeFileSync(file, JSON.stringify({ ...validTopology(), repos: { ...validTopology().repos, legacy: { driver: 'oracle' } } }));
    const { code, output } = await cli('start', { REPOGATE_CONFIG: file });
    expect(code).toBe(1);
    expect(output).toContain(`invalid Repogate config (${file})`);
    expect(output).toContain('repos.legacy.driver');
    expect(output).not.toMatch(/\bat .+\(/); // a message, not a stack trace
  });

  it('serves existing databases from REPOGATE_CONFIG without starting a stack', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-config-'));
    const file = path.join(dir, 'repogate.json');
    writeFileSync(file, JSON.stringify(validTopology()));
    const port = await freePort();
    const gateway = await cli('start', { REPOGATE_CONFIG: file, REPOGATE_PORT: String(port) }, /serving http/);
    try {
      expect(gateway.output).not.toContain('stack:');
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ company(id: "1") { name openBalanceCents } }' }),
      });
      expect(await response.json()).toMatchObject({ data: { company: { name: 'Müller GmbH' } } });
    } finally {
      expect(await gateway.kill()).toBe(0); // SIGTERM closes the listener and the pools, exit 0
    }
  });
});
