/**
 * The layers of ARCHITECTURE.md (rules 5 and 8) are lint rules, not hopes: each import a layer
 * must not make fails `npm run lint` with the rule's message, and the allowed ones pass.
 */
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const eslint = new ESLint();
// Loading the config and the TypeScript parser takes a few seconds once; each check after is milliseconds.
beforeAll(() => eslint.calculateConfigForFile('subgraphs/main/loaders.ts').then(() => eslint.lintText('', { filePath: 'src/x.ts' })), 30_000);

async function importErrors(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport { x };\n`, { filePath: file });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('a subgraph', () => {
  it.each([
    ['../../src/subgraph-kit/loaders.js'],
    ['../../src/repo/repo.js'],
    ['./sql.js'],
    ['graphql'],
  ])('may import %s', async (specifier) => {
    expect(await importErrors('subgraphs/main/loaders.ts', specifier)).toEqual([]);
  });

  it.each([
    ['../legacy/sql.js', /never imports another subgraph/],
    ['../../subgraphs/legacy/sql.js', /never imports another subgraph/],
    ['../../src/gateway/context.js', /only the subgraph kit/],
    ['../../src/repo/registry.js', /only the subgraph kit/],
    ['../../dev/stack/demo.js', /never imports dev-only code/],
  ])('may not import %s', async (specifier, message) => {
    expect(await importErrors('subgraphs/main/loaders.ts', specifier)).toEqual([expect.stringMatching(message)]);
  });
});

describe('the gateway', () => {
  it('imports a subgraph through its descriptor only', async () => {
    expect(await importErrors('src/subgraphs.ts', '../subgraphs/main/index.js')).toEqual([]);
    expect(await importErrors('src/gateway/stitch.ts', '../../subgraphs/main/loaders.js')).toEqual([expect.stringMatching(/only through its descriptor/)]);
  });

  it.each([['../../dev/stack/stack.js'], ['../../bench/compare/setup.js'], ['../../test/support.js']])('never imports %s', async (specifier) => {
    expect(await importErrors('src/gateway/yoga.ts', specifier)).toEqual([expect.stringMatching(/never imports dev-only code/)]);
  });
});

describe('dev-only code', () => {
  it('may import anything', async () => {
    expect(await importErrors('dev/stack/stack.ts', '../../subgraphs/main/sql.js')).toEqual([]);
  });
});
