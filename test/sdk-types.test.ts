/**
 * The SDK's types are real: the usage file compiles, and the same file without its
 * @ts-expect-error lines fails to, naming the missing field.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';

const tsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc');
const flags = ['--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2023', '--types', 'node'];

async function typeCheck(file: string): Promise<string> {
  try {
    await promisify(execFile)(tsc, [...flags, file], { cwd: projectRoot });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

describe('SDK types', () => {
  const usage = path.join(projectRoot, 'test', 'types', 'sdk-usage.ts');

  it('compile where the usage is right', async () => {
    expect(await typeCheck(usage)).toBe('');
  });

  it('refuse a field the schema does not have, missing variables and a bad enum', async () => {
    const unguarded = path.join(projectRoot, 'test', 'types', 'sdk-usage.unguarded.ts');
    writeFileSync(unguarded, readFileSync(usage, 'utf8').replace(/^\s*\/\/ @ts-expect-error.*$/gm, ''));
    try {
      const output = await typeCheck(unguarded);
      expect(output).toMatch(/Property 'revenue' does not exist/);
      expect(output).toMatch(/Property 'id' is missing/);
      expect(output).toMatch(/"LATE"/);
    } finally {
      rmSync(unguarded, { force: true });
    }
  });
});
