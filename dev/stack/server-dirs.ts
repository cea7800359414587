/**
 * Where the database servers keep their files. They run as their own service users (postgres,
 * mysql), which must be able to enter the folder. A checkout in a private folder (root's home,
 * `mktemp -d`: mode 0700 somewhere above it) shuts them out, and initdb failed there with
 * "could not open file …/superuser.pw for reading". Such a checkout keeps its servers' files in
 * /var/lib/repogate/<checkout>-<hash> instead, linked from the data dir as `servers`; everything
 * else (stack.json, the dev secret, the lock) stays in the data dir, which only we read.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { userCanEnter, userExists } from './processes.js';

export const outsideRoot = '/var/lib/repogate';

/** The folder outside the checkout for `dataDir`: stable per checkout, readable by the service users. */
export function outsideDirFor(dataDir: string): string {
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10);
  return path.join(outsideRoot, `${path.basename(path.dirname(path.resolve(dataDir)))}-${hash}`);
}

/** The servers' folder for `dataDir`: the data dir itself when every service user can enter it. */
export function serverDataDir(dataDir: string, serviceUsers: readonly string[] = ['postgres', 'mysql']): string {
  mkdirSync(dataDir, { recursive: true });
  const users = serviceUsers.filter(userExists);
  if (users.every((user) => userCanEnter(user, dataDir))) return dataDir;
  const outside = outsideDirFor(dataDir);
  mkdirSync(outside, { recursive: true, mode: 0o755 });
  const link = path.join(dataDir, 'servers');
  if (!existsSync(link) || !lstatSync(link).isSymbolicLink() || readlinkSync(link) !== outside) {
    rmSync(link, { force: true });
    symlinkSync(outside, link);
  }
  return outside;
}

/** Removes the servers' folder outside the checkout, if `dataDir` has one (stack:reset). */
export function removeOutsideDir(dataDir: string): void {
  const link = path.join(dataDir, 'servers');
  if (existsSync(link) && lstatSync(link).isSymbolicLink()) rmSync(readlinkSync(link), { recursive: true, force: true });
}
