/**
 * Pointing Repogate at existing databases: the topology is validated once at start-up, a bad
 * one stops start-up naming the field, and a good one serves without starting any stack.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseTopology, projectRoot, repoConfig, topologyFromEnvironment, type PgRepoConfig } from '../src/config.js';
import { freePort, stackInfo, tokenFor } from './support.js';


/** The stack's own topology as a plain JSON config, as a user would write it. */
function validTopology(): any {
  return JSON.parse(JSON.stringify(stackInfo().topology));
}

/** Runs `dev/cli.ts <command>` as npm scripts do (node, tsx as a loader); resolves with its exit and output. */
function cli(command: string, env: Record<string, string>, until?: RegExp) {
  return new Promise<{ code: number | null; output: string; kill(): Promise<number | null> }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/cli.ts', command], {
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


describe('the topology', () => {
  it('takes a valid config and fills the defaults', () => {
    const raw = validTopology();
    delete raw.classes;
    raw.repos.telemetry.connectTimeoutMs = 750;
    delete raw.gateway;
    const topology = parseTopology(raw);
    expect(topology.classes.interactive).toMatchObject({ poolSize: 10, acquireTimeoutMs: 1000, statementTimeoutMs: 5000, introspection: true });
    expect(topology.classes.api).toMatchObject({ introspection: false, limits: { maxDepth: 12, maxAliases: 10 } });
    expect(topology.gateway).toMatchObject({ maxBodyBytes: 1_500_000, breaker: { failures: 5 } });
    expect(topology.classes.api.poolSize).toBe(4);
    expect(topology.classes.admin.poolSize).toBe(2);
    expect(repoConfig(topology, 'telemetry').connectTimeoutMs).toBe(750);
    expect((repoConfig(topology, 'main') as PgRepoConfig).replicas).toHaveLength(1);
  });

  it('names every bad field', () => {
    const bad = validTopology();
    bad.repos.main.url = 'mysql://x@127.0.0.1/acme';
    bad.classes.api.poolSize = 0;
    // Which repos a topology serves is its own choice; a repo entry that is not one is an error.
    (bad.repos as Record<string, unknown>).legacy = 'mysql://legacy';
    bad.auth = { hs256Secret: 'short' };
    let message = '';
    try {
      parseTopology(bad, 'test.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('invalid Repogate config (test.json)');
    expect(message).toMatch(/repos\.main\.url: must be a postgres:\/\/ URL/);
    expect(message).toMatch(/classes\.api\.poolSize:/);
    expect(message).toMatch(/repos\.legacy:/);
    expect(message).toMatch(/auth/);
  });

  describe('from the environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('is undefined without REPOGATE_CONFIG: the embedded stack is used', () => {
      delete process.env.REPOGATE_CONFIG;
      expect(topologyFromEnvironment()).toBeUndefined();
    });

    it('comes from the file REPOGATE_CONFIG names', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-config-'));
      const file = path.join(dir, 'repogate.json');
      writeFileSync(file, JSON.stringify(validTopology()));
      process.env.REPOGATE_CONFIG = file;
      expect(repoConfig(topologyFromEnvironment()!, 'main').url).toBe(stackInfo().topology.repos.main.url);
    });
  });
});

describe('start-up', () => {
  it('stops with the bad field named when REPOGATE_CONFIG is invalid', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-config-'));
    const file = path.join(dir, 'repogate.json');
    const bad = validTopology();
    bad.repos.legacy.driver = 'oracle';
    writeFileSync(file, JSON.stringify(bad));
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
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('api')}` },
        body: JSON.stringify({ query: '{ company(id: "1") { name openBalanceCents } }' }),
      });
      expect(await response.json()).toMatchObject({ data: { company: { name: 'Müller GmbH' } } });
    } finally {
      expect(await gateway.kill()).toBe(0); // SIGTERM closes the listener and the pools, exit 0
    }
  });
});
