import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';

const repoConfig = path.resolve(__dirname, '../../eslint.config.mjs');
const dirs: string[] = [];

/** Lints a few files, written to a fresh folder, with the repository's own ESLint config. */
async function lint(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'postroom-lint-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: repoConfig });
  const results = await eslint.lintFiles(Object.keys(files).map((name) => path.join(dir, name)));
  return results.flatMap((r) => r.messages.map((m) => ({ file: path.basename(r.filePath), rule: m.ruleId })));
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Lints one file's text as if it were at `file` in the repository (nothing is written). */
async function lintAt(file: string, text: string) {
  const eslint = new ESLint({ cwd: path.dirname(repoConfig) });
  const [result] = await eslint.lintText(text, { filePath: path.resolve(path.dirname(repoConfig), file) });
  return result!.messages.map((m) => m.ruleId);
}

describe('npm run lint and import cycles', () => {
  it('fails on two modules that import each other', async () => {
    const messages = await lint({
      'a.ts': "import { b } from './b';\nexport const a = () => b() + 1;\n",
      'b.ts': "import { a } from './a';\nexport const b = () => 1;\nexport const c = () => a();\n",
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        { file: 'a.ts', rule: 'import-x/no-cycle' },
        { file: 'b.ts', rule: 'import-x/no-cycle' },
      ]),
    );
  });

  it('fails on a longer cycle through three modules', async () => {
    const messages = await lint({
      'a.ts': "import { b } from './b';\nexport const a = () => b();\n",
      'b.ts': "import { c } from './c';\nexport const b = () => c();\n",
      'c.ts': "import { a } from './a';\nexport const c = (): number => (Math.random() > 2 ? a() : 1);\n",
    });
    expect(messages.filter((m) => m.rule === 'import-x/no-cycle')).toHaveLength(3);
  });

  it('passes the same modules once the shared part moves to a module both import', async () => {
    const messages = await lint({
      'shared.ts': 'export const one = () => 1;\n',
      'a.ts': "import { one } from './shared';\nexport const a = () => one() + 1;\n",
      'b.ts': "import { one } from './shared';\nexport const b = () => one();\n",
    });
    expect(messages).toEqual([]);
  });

  it('fails when one engine domain imports another, even for a type', async () => {
    const text = "import type { ManagedUser } from '../clients/clients';\nexport type Author = ManagedUser;\n";
    expect(await lintAt('src-main/engine/posts/author.ts', text)).toContain('import-x/no-restricted-paths');
    const fromQuery = "import { findClientRow } from '../queries/clients';\nexport const find = findClientRow;\n";
    expect(await lintAt('src-main/engine/posts/author.ts', fromQuery)).toEqual([]);
  });

  it('fails when a kernel or query module imports a domain', async () => {
    const text = "import { getClient } from '../clients/clients';\nexport const get = getClient;\n";
    expect(await lintAt('src-main/engine/queries/lookups.ts', text)).toContain('import-x/no-restricted-paths');
  });
});

describe('npm run lint and long lines', () => {
  const longString = `export const said = '${'a word '.repeat(17)}';\n`;

  it('fails on a line over 120 characters anywhere: code, tests, scripts', async () => {
    expect(longString.trimEnd().length).toBeGreaterThan(120);
    for (const file of ['src-main/engine/posts/said.ts', 'test/unit/said.test.ts', 'bench/said.ts'])
      expect(await lintAt(file, longString), file).toContain('max-len');
    const wrapped = `export const said =\n  '${'a word '.repeat(8)}' +\n  '${'a word '.repeat(9)}';\n`;
    expect(await lintAt('src-main/engine/posts/said.ts', wrapped)).toEqual([]);
  });

  it('lets a URL run on, and leaves a released migration as it was released', async () => {
    const url = `// https://example.test/${'path/'.repeat(25)}\nexport const one = 1;\n`;
    expect(await lintAt('src-main/engine/posts/said.ts', url)).toEqual([]);
    expect(await lintAt('src-main/engine/db/migrations/099-said.ts', longString)).toEqual([]);
  });
});
