import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { tempDir } from '../support/temp';

const run = promisify(execFile);
const tsx = join('node_modules', '.bin', 'tsx');
const cli = (...args: string[]) => run(tsx, ['src-main/cli.ts', ...args], { cwd: process.cwd(), timeout: 60_000 });
const available = await keychainAvailable();

describe.skipIf(!available)(`postroom command line (real keychain) — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
  it('init --json prints exactly {workspaceId, apiKey}, and serve starts, prints its URLs and stops on SIGTERM', async () => {
    const dataDir = tempDir();
    const { stdout } = await cli(
      'init',
      '--data-dir',
      dataDir,
      '--workspace',
      'Acme Agency',
      '--owner-email',
      'owner@acme.test',
      '--plan',
      'team',
      '--json',
    );
    const printed = JSON.parse(stdout);
    expect(Object.keys(printed).sort()).toEqual(['apiKey', 'workspaceId']);
    expect(printed.workspaceId).toMatch(/^ws_/);

    const again = await cli(
      'init',
      '--data-dir',
      dataDir,
      '--workspace',
      'Twice',
      '--owner-email',
      'owner@acme.test',
      '--json',
    ).catch((e) => e);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatchObject({
      code: 'conflict',
      message: 'this data folder is already set up',
    });

    const adminKey = (await cli('admin-key', '--data-dir', dataDir)).stdout.trim();
    const serve = spawn(tsx, ['src-main/cli.ts', 'serve', '--data-dir', dataDir], { cwd: process.cwd() });
    let out = '';
    serve.stdout.on('data', (c) => (out += c));
    for (let i = 0; i < 300 && !/Postroom API: (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/Postroom UI: http:\/\/127\.0\.0\.1:\d+\/#token=\S{20,}/);
    const apiUrl = /Postroom API: (\S+)/.exec(out)![1]!;

    const form = new FormData();
    form.append('name', 'Added By Script');
    const res = await fetch(`${apiUrl}/api/workspaces/add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
      body: form,
    });
    expect(res.status).toBe(200);

    serve.kill('SIGTERM');
    const [code] = await once(serve, 'exit');
    expect(code).toBe(0);
    expect(out).toContain('Postroom stopped.');
  });

  it('backup and restore bring a data folder back to the backed-up state', async () => {
    const dataDir = tempDir();
    await cli('init', '--data-dir', dataDir, '--workspace', 'Before Backup', '--owner-email', 'o@b.test', '--json');
    const file = join(tempDir(), 'backup.sqlite');
    await cli('backup', '--data-dir', dataDir, '--to', file);
    const adminKey = (await cli('admin-key', '--data-dir', dataDir)).stdout.trim();
    const restoredInto = tempDir();
    await cli('restore', '--data-dir', restoredInto, '--from', file);
    expect((await cli('admin-key', '--data-dir', restoredInto)).stdout.trim()).toBe(adminKey);
    const bad = await cli('restore', '--data-dir', restoredInto, '--from', join(dataDir, 'nope.sqlite')).catch(
      (e) => e,
    );
    expect(JSON.parse(bad.stderr).error.code).toBe('not_found');
  });
});

describe('postroom command line arguments', () => {
  it('reports a missing option in the SPEC §7 shape with exit code 1', async () => {
    const failed = await cli('init', '--workspace', 'X').catch((e) => e);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stderr)).toEqual({
      error: {
        code: 'parameter_missing',
        message: '--data-dir is required',
        details: { fields: { 'data-dir': 'required' } },
      },
    });
    const unknown = await cli('frobnicate').catch((e) => e);
    expect(JSON.parse(unknown.stderr).error.code).toBe('not_found');
  });
});
