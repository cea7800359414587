/** The generated SDK is never stale: regenerating from the checked-in contract changes nothing. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';
import { projectRoot } from '../src/config.js';

describe('generated SDK', () => {
  it('matches what `npm run codegen` would write now', async () => {
    const outputs = await generate({ ...config, cwd: projectRoot, silent: true }, false);
    expect(outputs.length).toBeGreaterThanOrEqual(5);
    for (const { filename, content } of outputs) {
      const file = path.resolve(projectRoot, filename);
      expect(readFileSync(file, 'utf8'), `${path.relative(projectRoot, file)} is stale: run npm run codegen`).toBe(content);
    }
  });
});
