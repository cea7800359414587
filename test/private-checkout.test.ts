/**
 * A checkout the service users cannot enter (as root in a folder of mode 0700: root's home,
 * `mktemp -d`): the servers keep their files outside it, and real PostgreSQL and MariaDB servers
 * initialise and start there. Before, initdb failed reading the checkout's superuser.pw.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MariadbServer } from '../dev/stack/mariadb-server.js';
import { findPgBinDir, PostgresCluster } from '../dev/stack/postgres-cluster.js';
import { isRoot, userCanEnter } from '../dev/stack/processes.js';
import { outsideRoot, removeOutsideDir, serverDataDir } from '../dev/stack/server-dirs.js';
import { freePort, pgRows } from './support.js';

const privateFolder = mkdtempSync(path.join(os.tmpdir(), 'repogate-private-'));
const dataDir = path.join(privateFolder, 'checkout', '.data');
mkdirSync(dataDir, { recursive: true });
afterAll(() => {
  removeOutsideDir(dataDir);
  rmSync(privateFolder, { recursive: true, force: true });
});

describe.runIf(isRoot)('a checkout in a private folder', () => {
  it('is one the service users cannot enter', () => {
    expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
    expect(userCanEnter('postgres', dataDir)).toBe(false);
    expect(userCanEnter('mysql', dataDir)).toBe(false);
  });

  it('keeps its servers outside, linked from the data dir; an open checkout keeps them inside', () => {
    const outside = serverDataDir(dataDir);
    expect(outside.startsWith(`${outsideRoot}/checkout-`)).toBe(true);
    expect(readlinkSync(path.join(dataDir, 'servers'))).toBe(outside);
    expect(serverDataDir(dataDir)).toBe(outside); // stable across starts
    // A checkout the service users can enter (this one may itself be private, as a clone in root's home is).
    const open = mkdtempSync(path.join(os.tmpdir(), 'repogate-open-'));
    chmodSync(open, 0o755);
    try {
      expect(serverDataDir(path.join(open, '.data'))).toBe(path.join(open, '.data'));
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('initialises and serves real PostgreSQL there', async () => {
    const port = await freePort();
    const cluster = new PostgresCluster({
      name: 'probe-pg', dataDir: serverDataDir(dataDir), port, binDir: findPgBinDir(undefined), superuserPassword: 'probe', processUser: 'postgres',
    });
    await cluster.init();
    await cluster.start();
    try {
      expect(await pgRows(`postgres://postgres:probe@127.0.0.1:${port}/postgres`, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('initialises and serves real MariaDB there', async () => {
    const server = new MariadbServer({ name: 'probe-mariadb', dataDir: serverDataDir(dataDir), port: await freePort(), processUser: 'mysql' });
    await server.init();
    await server.start();
    try {
      const connection = await server.adminConnection();
      expect((await connection.query('SELECT 1 AS one'))[0]).toEqual([{ one: 1 }]);
      await connection.end();
    } finally {
      await server.stop();
    }
    expect(existsSync(path.join(serverDataDir(dataDir), 'probe-mariadb', 'db', 'mysql'))).toBe(true);
  }, 120_000);
});
