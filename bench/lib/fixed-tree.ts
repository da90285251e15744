import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/*
 * The bench runs from a fixed copy of the tree. Its benchmarks start child processes (each queue
 * figure, every cold start, the idle scheduler, the platform server) over many minutes, and each
 * loads the engine's sources when it starts: run from the checkout, a rebase or an edit during the
 * run mixes two versions of the code (it once sent a newer migration into half of a full run).
 *
 * The copy holds the files git knows here (tracked, and new files not ignored) as they are in the
 * working tree, so uncommitted changes are measured too, with their times kept (the UI benchmark
 * compares them with the built renderer's); node_modules is linked, not copied. `out/` (the built
 * renderer) is copied for `--no-build`. The copy is removed when the run ends, however it ends.
 */

/** Set in the copy's process: the run is already in a fixed tree. */
export const FIXED_TREE_ENV = 'POSTROOM_BENCH_FIXED_TREE';

function filesOf(root: string): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\0')
      .filter((f) => f !== '' && !f.startsWith('node_modules/') && !f.includes('/node_modules/'));
  } catch {
    // Not a git checkout (a tarball): the folders the bench loads code from.
    return [
      'bench',
      'src-main',
      'src-shared',
      'src-renderer',
      'src-preload',
      // bench/host.ts starts `postroom host` the way the tests do.
      'test/support',
      'package.json',
      'tsconfig.json',
      'tsconfig.base.json',
      'tsconfig.node.json',
      'tsconfig.web.json',
      'electron.vite.config.ts',
    ];
  }
}

/** Copies the tree, runs `bench/run.ts` with `args` in the copy, removes it; resolves to its exit code. */
export async function runFromFixedCopy(root: string, args: string[]): Promise<number> {
  const copy = mkdtempSync(join(tmpdir(), 'postroom-bench-tree-'));
  const remove = () => rmSync(copy, { recursive: true, force: true });
  try {
    for (const file of filesOf(root)) {
      const from = join(root, file);
      if (!existsSync(from)) continue; // deleted in the working tree
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(from, join(copy, file), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    }
    if (existsSync(join(root, 'out')))
      cpSync(join(root, 'out'), join(copy, 'out'), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  } catch (err) {
    remove();
    throw err;
  }
  console.log(`(running from a fixed copy of the tree in ${copy})`);
  const child = spawn(process.execPath, ['--import', 'tsx', join('bench', 'run.ts'), ...args], {
    cwd: copy,
    env: { ...process.env, [FIXED_TREE_ENV]: copy },
    stdio: 'inherit',
  });
  const relay = (signal: NodeJS.Signals) => () => child.kill(signal);
  const relays = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, relay(signal)] as const);
  for (const [signal, handler] of relays) process.on(signal, handler);
  try {
    return await new Promise<number>((done, fail) => {
      child.once('error', fail);
      child.once('exit', (code, signal) => done(code ?? (signal ? 130 : 1)));
    });
  } finally {
    for (const [signal, handler] of relays) process.off(signal, handler);
    remove();
  }
}
