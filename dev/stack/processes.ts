/**
 * Small process helpers for the embedded stack: running a server binary as its service user,
 * telling whether a port or a pid is taken, and hanging a server's process tree (the fault tests
 * and the soak).
 */
import { execFile, execFileSync, spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/** Whether `pid` has exited (gone, or a zombie its parent has not reaped yet). */
export function hasExited(pid: number): boolean {
  if (!isPidAlive(pid)) return true;
  try {
    return processState(pid) === 'Z';
  } catch {
    return true; // gone meanwhile
  }
}

/** The fields of /proc/<pid>/stat after the parenthesised command name: state, then the parent pid. */
function statFields(pid: number | string): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
}

function processState(pid: number): string {
  return statFields(pid)[0]!;
}

/** A server process and every process it started (PostgreSQL's backends are the postmaster's children). */
export function processTree(root: number): number[] {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return Number(statFields(pid)[1]) === root;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [root, ...children.flatMap(processTree)];
}

/**
 * A hung server (a frozen VM, a stuck disk, a partition: no error, no answer): SIGSTOP to `root`
 * first, so it forks nothing more, then to every process it started. `resume` sends SIGCONT to
 * the same processes and may be called more than once; processes gone meanwhile are skipped.
 */
export function hangProcessTree(root: number): { pids: number[]; resume(): void } {
  process.kill(root, 'SIGSTOP');
  const pids = processTree(root);
  for (const pid of pids.slice(1)) signalIfAlive(pid, 'SIGSTOP');
  return { pids, resume: () => pids.forEach((pid) => signalIfAlive(pid, 'SIGCONT')) };
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
