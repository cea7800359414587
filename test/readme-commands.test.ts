/**
 * Every shell command the README shows works as written on the dev stack. Each ```sh block runs
 * as one bash script (so `TOKEN=$(…)` reaches the curl below it) against a gateway this test
 * serves; `http://127.0.0.1:4000` is the only thing rewritten, to that gateway's port. Commands
 * that serve forever, or are the suite itself, are covered by the test named for them; a command
 * the README gains that is neither run nor listed here fails this test.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { listen, openGateway, testTopology } from './support.js';

/** Commands not run here, and where they are tested instead. */
const coveredElsewhere: Record<string, string> = {
  'npm start': 'test/npm-start-signals.test.ts (serves until signalled)',
  'npm test': 'the suite itself',
  'REPOGATE_CONFIG=./repogate.json npm start': 'test/npm-start-signals.test.ts; the configured path: test/production-build.test.ts',
  'npm run build': 'test/production-build.test.ts',
  'npm ci --omit=dev': 'test/production-build.test.ts',
  'NODE_ENV=production REPOGATE_CONFIG=/etc/repogate.json node': 'test/production-build.test.ts (serves until signalled)',
  'npm run soak': 'a 10-minute soak, not part of npm test (RELIABILITY.md)',
  'npm run bench': 'benchmarks, not part of npm test (BENCHMARKS.md)',
  'npm run bench:move': 'moves the stack\'s history: a benchmark, not part of npm test (BENCHMARKS.md)',
  'npm run seed:telemetry': 'minutes per 10M rows; test/seed-history.test.ts runs it small',
  'npm run stack:down': 'would stop the stack under the suite',
  'npm run stack:reset': 'would delete the stack under the suite',
  'curl -N': 'a subscription streams until stopped; test/subscriptions.test.ts subscribes the same way',
  'LIVE_TOKEN=$(npm run': 'the token of that subscription (its block streams until stopped)',
  'npx tsx examples/live-map.ts': 'test/sdk-live.test.ts (prints fixes until Ctrl-C)',
  'npm run subgraph --': 'test/federation-subgraph.test.ts and test/remote-subgraphs.test.ts start it (it serves until signalled)',
  'hive-gateway supergraph': 'test/hive-gateway.test.ts serves that supergraph with the Hive Gateway runtime (its CLI is not a dependency)',
  // The dry run stays: it reads and changes nothing.
  'npm run move -- --before': 'would move the suite\'s demo months out of the stack; test/move.test.ts moves scratch databases',
};

interface Block {
  line: number;
  /** The block as written, less the lines that are commands covered elsewhere. */
  script: string;
  commands: string[];
}

const commandOf = (line: string) => line.replace(/(^|\s)#.*$/, '').trim();

const isCoveredElsewhere = (command: string) => Object.keys(coveredElsewhere).some((prefix) => command === prefix || command.startsWith(`${prefix} `));

function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(sh|bash|shell)\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    const written = match[2]!;
    const commands = written.replace(/\\\n/g, ' ').split('\n').map(commandOf).filter(Boolean);
    const script = written
      .split('\n')
      .filter((line) => !isCoveredElsewhere(commandOf(line)))
      .join('\n');
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length, script, commands });
  }
  return blocks;
}

/** The environment of a newcomer's shell: no token or config of ours set. */
function withoutRepogateSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REPOGATE_TOKEN;
  delete env.REPOGATE_CONFIG;
  return env;
}

const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
const blocks = shellBlocks(readme);
const runnable = blocks.filter((block) => !block.commands.every(isCoveredElsewhere));

const gateway = openGateway();
let url = '';
let close = async () => {};
// `REPOGATE_CONFIG=./repogate.json …` commands read the topology from the checkout's root.
const configFile = path.join(projectRoot, 'repogate.json');
beforeAll(async () => {
  ({ url, close } = await listen(gateway.gateway));
  writeFileSync(configFile, JSON.stringify(testTopology()));
});
afterAll(async () => {
  rmSync(configFile, { force: true });
  await close();
  await gateway.close();
});

describe("the README's shell commands", () => {
  it('are each either run below or covered by a named test', () => {
    // Each dropped line is a covered command; what is left runs.
    expect(blocks.length).toBeGreaterThan(3);
    expect(runnable.length).toBeGreaterThan(3);
    for (const block of runnable) {
      expect(block.script.trim(), `README.md:${block.line}`).not.toBe('');
    }
  });

  it.each(runnable.map((block) => [block.line, block] as const))('README.md:%i runs as written', async (_line, block) => {
    const script = `set -euo pipefail\n${block.script.replaceAll('http://127.0.0.1:4000', url)}`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], {
      cwd: projectRoot,
      env: { ...withoutRepogateSettings(), REPOGATE_URL: `${url}/graphql` },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout + stderr).not.toMatch(/UNAUTHENTICATED|"errors"|Error:|failed/);
    expect(stdout.trim().length).toBeGreaterThan(0);
  }, 150_000);

  it('includes the SDK example, which answers with the demo companies', async () => {
    const example = runnable.find((block) => block.commands.includes('npx tsx examples/service.ts'));
    expect(example).toBeDefined();
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'examples/service.ts'], {
      cwd: projectRoot,
      env: { ...withoutRepogateSettings(), REPOGATE_URL: `${url}/graphql` },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^.+: \d+\/\d+ users on the road, open balance (€[\d,.]+|unknown \(billing unavailable\))$/);
  }, 60_000);
});
