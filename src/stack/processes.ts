/**
 * Small process helpers for the embedded stack: running a server binary as its service user,
 * and telling whether a port or a pid is taken.
 */
import { execFile, execFileSync, spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, MariaDB should not: as root we switch to their users. */
function asUser(user: string, command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
}

export async function runAs(user: string, command: string, args: string[]): Promise<string> {
  const [cmd, argv] = asUser(user, command, args);
  try {
    const { stdout } = await execFileAsync(cmd, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stderr || stdout || (error as Error).message}`);
  }
}

/** The uid and gid of `user`, for spawn's own switch (as root). */
export function idsOf(user: string): { uid: number; gid: number } {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim()));
  return { uid: uid!, gid: gid! };
}

/**
 * A long-running server, detached. As root it switches user through spawn's own uid/gid, not
 * `runuser`: runuser stops itself when its child is stopped (SIGSTOP, the tests' hung server)
 * and stays stopped after the child's SIGCONT, so the child would later linger as a zombie.
 */
export function spawnDetachedAs(user: string, command: string, args: string[], options: SpawnOptions = {}) {
  const child = spawn(command, args, { detached: true, stdio: 'ignore', ...(isRoot && idsOf(user)), ...options });
  child.unref();
  return child;
}

/** Gives a directory tree to the service user (no-op unless we are root). */
export function chownTree(dir: string, user: string): Promise<string> | undefined {
  if (!isRoot) return undefined;
  return execFileAsync('chown', ['-R', `${user}:`, dir]).then(({ stdout }) => stdout);
}

/** Whether `user` may enter `dir` (search permission on it and every folder above it). */
export function userCanEnter(user: string, dir: string): boolean {
  if (!isRoot) return true; // the servers run as we do
  return spawnSync('test', ['-x', dir], { ...idsOf(user), stdio: 'ignore' }).status === 0;
}

export function userExists(user: string): boolean {
  try {
    execFileSync('getent', ['passwd', user], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when something already listens on 127.0.0.1:port. */
export function isPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
