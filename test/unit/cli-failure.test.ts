import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src-main/cli-args';
import { cliFailureOf, formatCliFailure } from '../../src-main/cli-failure';
import { AppError } from '../../src-main/engine/kernel/errors';

const systemError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code}: raw words from the OS with /secret/path`), { code, ...extra });

describe('how a command-line failure reads', () => {
  /** [error code, extra fields, SPEC §7 code, sentence, what to do] */
  const systemCells: [string, Record<string, unknown>, string, RegExp, RegExp][] = [
    ['EADDRINUSE', { port: 4000, syscall: 'listen' }, 'conflict', /^Port 4000 is already in use/, /--ui-port 4001/],
    ['EACCES', { port: 80, syscall: 'listen' }, 'forbidden', /may not listen on port 80/, /from 1024 to 65535/],
    [
      'EACCES',
      { path: '/data/postroom.sqlite', syscall: 'open' },
      'forbidden',
      /may not write to \/data/,
      /belongs to you/,
    ],
    ['EPERM', { path: '/data/x' }, 'forbidden', /did not allow Postroom to change \/data\/x/, /not read-only/],
    ['EROFS', { path: '/media/cd' }, 'forbidden', /read-only disk/, /writable disk/],
    ['ENOSPC', {}, 'disk_full', /disk is full/, /df -h/],
    ['ENOTDIR', { path: '/a/file/b' }, 'not_found', /a file where a folder was expected/, /--data-dir/],
    ['ENOENT', { path: '/gone' }, 'not_found', /^There is no \/gone\.$/, /Check the path/],
    ['SQLITE_BUSY', {}, 'data_folder_in_use', /another Postroom is using it/, /Stop the other Postroom/],
    ['SQLITE_CORRUPT', {}, 'database_damaged', /is damaged/, /postroom restore/],
    ['SQLITE_NOTADB', {}, 'database_damaged', /is not a database/, /restore a backup/],
    ['SQLITE_FULL', {}, 'disk_full', /disk is full/, /df -h/],
    ['SQLITE_READONLY', {}, 'forbidden', /is read-only/, /writable/],
    ['SQLITE_CANTOPEN', {}, 'not_found', /could not be opened/, /folder exists/],
  ];

  it.each(systemCells)(
    '%s %o: one sentence and what to do, under its own code',
    (code, extra, specCode, sentence, fix) => {
      const failure = cliFailureOf(systemError(code, extra), { dataDir: '/data', ports: { 'ui-port': 4000 } });
      expect(failure.exitCode).toBe(1);
      expect(failure.error.code).toBe(specCode);
      expect(failure.error.message).toMatch(sentence);
      expect(failure.error.details.fix).toMatch(fix);
      // The OS's own words are not repeated: the sentence is Postroom's.
      expect(failure.error.message).not.toContain('raw words');
    },
  );

  it('a busy port names the option that chose it', () => {
    const ctx = { ports: { 'ui-port': 5000, 'api-port': 5001 } };
    expect(cliFailureOf(systemError('EADDRINUSE', { port: 5001 }), ctx).error.details.fix).toMatch(/--api-port 5002/);
    expect(cliFailureOf(systemError('EADDRINUSE', { port: 6000 }), ctx).error.details.fix).toMatch(
      /--ui-port and --api-port/,
    );
  });

  it('an unknown failure keeps its message to itself (it may carry a query or a value) and says how to see it', () => {
    const failure = cliFailureOf(new TypeError('cannot read x of undefined at SELECT secret_value'));
    expect(failure).toEqual({
      error: {
        code: 'internal',
        message: 'Something went wrong inside Postroom; nothing was changed.',
        details: { fix: expect.stringMatching(/POSTROOM_DEBUG=1/) },
      },
      exitCode: 1,
    });
  });

  it('an engine error keeps its words; its own fix wins, else one for its code', () => {
    const withFix = cliFailureOf(new AppError('conflict', 'It is set up.', { fix: 'Use serve.' }));
    expect(withFix.error).toEqual({ code: 'conflict', message: 'It is set up.', details: { fix: 'Use serve.' } });
    const inUse = cliFailureOf(new AppError('data_folder_in_use', 'Another Postroom is using it.'));
    expect(inUse.error.details.fix).toMatch(/Stop the other Postroom/);
    expect(inUse.exitCode).toBe(1);
  });

  it('a mistyped command line exits 2, as getopt tools do; everything else 1', () => {
    expect(cliFailureOf(new UsageError('validation_failed', 'No such option.', 'Usage: …')).exitCode).toBe(2);
    expect(cliFailureOf(new AppError('not_found', 'No folder.')).exitCode).toBe(1);
  });

  it('prints the sentence, then "What to do:", a longer fix indented under it; --json prints the SPEC §7 shape', () => {
    const short = cliFailureOf(new AppError('not_found', 'There is no folder /x.', { fix: 'Check the path.' }));
    expect(formatCliFailure(short, false)).toBe('There is no folder /x.\nWhat to do: Check the path.\n');
    const long = cliFailureOf(new AppError('keychain_unavailable', 'No keychain.', { fix: '- one\n- two' }));
    expect(formatCliFailure(long, false)).toBe('No keychain.\nWhat to do:\n  - one\n  - two\n');
    expect(JSON.parse(formatCliFailure(short, true))).toEqual({
      error: { code: 'not_found', message: 'There is no folder /x.', details: { fix: 'Check the path.' } },
    });
  });
});
