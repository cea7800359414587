#!/usr/bin/env node
// First step of `npm start` and `npm test`: Node built-ins only, because node_modules may not
// exist yet. Installs what is missing (node modules; mariadb-server, postgresql and, for tests,
// chromium and pgbouncer from Debian's packages), then hands over to the real command.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [task = 'start', ...rest] = process.argv.slice(2);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`bootstrap: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('bootstrap: installing node modules (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

const hasPostgres = () =>
  existsSync('/usr/lib/postgresql') &&
  readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));
const hasMariadb = () => ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].some(existsSync);
const hasChromium = () => existsSync('/usr/bin/chromium');
const hasPgbouncer = () => existsSync('/usr/sbin/pgbouncer');
// The stack's switch (dev/stack/pgbouncer.ts): PgBouncer in front of its PostgreSQL servers.
const pgbouncerRequested = ['1', 'true'].includes(process.env.REPOGATE_PGBOUNCER ?? '');

let aptUpdated = false;
function ensureDebianPackage(name, present) {
  if (present()) return;
  if (process.getuid?.() !== 0) {
    console.error(`bootstrap: ${name} is missing; install it (Debian: sudo apt-get install -y ${name}) and rerun`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    console.log('bootstrap: apt-get update');
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  console.log(`bootstrap: installing ${name} from Debian's packages`);
  run('apt-get', ['install', '-y', '-qq', name], { env });
}

// The TypeScript runs in this very node process (tsx as a loader), not under tsx's CLI: that CLI
// is a parent process that SIGKILLs a child slow to acknowledge a signal, which under load cuts
// the gateway's graceful drain short.
const tsNode = (args, flags = []) => [process.execPath, [...flags, '--import', 'tsx', ...args]];
// A larger young generation for the gateway: a request allocates many short-lived objects, and
// with the default 16 MB semi-space the scavenger took a sixth of the CPU (BENCHMARKS.md).
const gatewayNodeFlags = JSON.parse(readFileSync(path.join(root, 'scripts', 'gateway-node-flags.json'), 'utf8'));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a long-lived command (the gateway) as our child and stays its parent, so process
 * managers that signal the process they started (`docker stop`, systemd, `kill -TERM` on npm)
 * reach it: INT, TERM and HUP are passed on, and its exit code (or signal) becomes ours.
 */
function serve(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
  const passed = new Set();
  const pass = (signal) => {
    // Once per kind: a Ctrl-C reaches the child from the terminal too, and it drains only once.
    if (passed.has(signal) || child.exitCode !== null) return;
    passed.add(signal);
    child.kill(signal);
  };
  for (const signal of forwardedSignals) process.on(signal, () => pass(signal));
  // npm passes INT and TERM on to us but not HUP: a HUP ends npm alone and leaves us to init.
  // A parent gone is a hang-up, whatever ended it.
  const parent = process.ppid;
  const watch = setInterval(() => process.ppid !== parent && pass('SIGHUP'), 250);
  child.on('exit', (code, signal) => {
    clearInterval(watch);
    if (signal) {
      for (const each of forwardedSignals) process.removeAllListeners(each);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}

ensureNodeModules();
ensureDebianPackage('postgresql', hasPostgres);
ensureDebianPackage('mariadb-server', hasMariadb);
// test/pgbouncer.test.ts starts its own PgBouncers; `npm start` needs it only when asked for.
if (task === 'test' || pgbouncerRequested) ensureDebianPackage('pgbouncer', hasPgbouncer);

switch (task) {
  case 'start':
    // NODE_ENV=production: graphql-js otherwise checks every instanceof the slow way (BENCHMARKS.md).
    serve(...tsNode(['dev/cli.ts', 'start', ...rest], gatewayNodeFlags), { env: { REPOGATE_DEBUG: '1', NODE_ENV: 'production', ...process.env } });
    break;
  case 'test':
    ensureDebianPackage('chromium', hasChromium);
    console.log('bootstrap: type-check (tsc --noEmit)');
    run(bin('tsc'), ['--noEmit', '-p', '.']);
    console.log('bootstrap: lint (eslint, graphql-eslint)');
    run(bin('eslint'), ['.']);
    // Pure logic first, in seconds and without the stack: a broken function fails here, before
    // the integration project's globalSetup starts (or seeds) the stack. The full run below
    // repeats these milliseconds so that its report counts every test.
    console.log('bootstrap: unit tests (vitest --project unit)');
    run(bin('vitest'), ['run', '--project', 'unit']);
    serve(bin('vitest'), ['run', ...rest]);
    break;
  default:
    run(...tsNode(['dev/cli.ts', task, ...rest]));
}
