#!/usr/bin/env node
/*
 * `npm start` (SPEC §11): opens the desktop app where the Electron binary is installed;
 * elsewhere says so and runs the browser host (`postroom serve`) on the default data folder.
 * Extra arguments are passed on: `npm start -- --ui-port 5000`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const extraArgs = process.argv.slice(2);

/**
 * The Electron executable, or null. `require('electron')` downloads the binary when it is
 * missing, so look for electron's path.txt and the file it names first: no network, ever.
 */
function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    if (!process.env.ELECTRON_OVERRIDE_DIST_PATH) {
      const pathTxt = join(pkgDir, 'path.txt');
      if (!existsSync(pathTxt) || !existsSync(join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8')))) return null;
    }
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Same folder the desktop app uses on macOS and Windows; XDG data folder on Linux. */
function defaultDataDir() {
  if (process.env.POSTROOM_DATA_DIR) return resolve(process.env.POSTROOM_DATA_DIR);
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Postroom');
  if (process.platform === 'win32') return join(process.env.APPDATA || join(home, 'AppData', 'Roaming'), 'Postroom');
  return join(process.env.XDG_DATA_HOME || join(home, '.local', 'share'), 'Postroom');
}

/** Runs the child until it exits, passing on SIGINT/SIGTERM so it can stop gracefully. */
function runChild(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  const forward = (signal) => {
    // Ctrl+C in a terminal already reaches the child (same process group); sending it again
    // would look like a second Ctrl+C to the child and could cut its graceful stop short.
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  // Listening also keeps this process alive until the child has finished stopping.
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => {
    console.error(`could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    const signals = { SIGINT: 2, SIGTERM: 15 };
    process.exit(code ?? (signal ? 128 + (signals[signal] ?? 1) : 1));
  });
}

const electron = electronBinary();
if (electron) {
  const built = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'].every((f) =>
    existsSync(join(root, f)),
  );
  if (!built) {
    const vitePkg = require.resolve('electron-vite/package.json');
    const viteCli = join(dirname(vitePkg), JSON.parse(readFileSync(vitePkg, 'utf8')).bin['electron-vite']);
    const build = spawnSync(process.execPath, [viteCli, 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set by some editors' terminals; it would start plain Node
  const dataArgs = process.env.POSTROOM_DATA_DIR ? [`--user-data-dir=${defaultDataDir()}`] : [];
  runChild(electron, [root, ...dataArgs, ...extraArgs], env);
} else {
  console.log('Electron binary not installed on this machine; running the browser host instead');
  const dataDir = defaultDataDir();
  mkdirSync(dataDir, { recursive: true });
  console.log(`data folder: ${dataDir}`);
  // `npx tsx src-main/cli.ts serve`, minus npx: tsx's CLI run by this same Node.
  const tsxCli = require.resolve('tsx/cli');
  runChild(process.execPath, [tsxCli, join(root, 'src-main/cli.ts'), 'serve', '--data-dir', dataDir, ...extraArgs]);
}
