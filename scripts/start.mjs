#!/usr/bin/env node
/*
 * `npm start` (SPEC §11, issue 10): the second of the README's two commands on a fresh clone.
 * Builds what is missing or older than its sources, then opens the desktop app where the Electron
 * binary is installed; elsewhere says so and runs the browser host (`postroom serve`) on the
 * default data folder, prints its URL and opens it in the system browser where there is one.
 * Extra arguments go to `serve`: `npm start -- --ui-port 5000`; `--no-open` (or BROWSER=none)
 * only prints the URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const noOpen = process.argv.includes('--no-open') || process.env.BROWSER === 'none';
const extraArgs = process.argv.slice(2).filter((arg) => arg !== '--no-open');

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

/**
 * The per-OS folder desktop apps keep their data in, and the one Electron gives the desktop app
 * (`app.getPath('userData')` after `app.setName('Postroom')`), so both hosts share one data folder:
 * ~/Library/Application Support/Postroom, %APPDATA%\Postroom, $XDG_CONFIG_HOME/Postroom (~/.config).
 */
function defaultDataDir() {
  if (process.env.POSTROOM_DATA_DIR) return resolve(process.env.POSTROOM_DATA_DIR);
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Postroom');
  if (process.platform === 'win32') return join(process.env.APPDATA || join(home, 'AppData', 'Roaming'), 'Postroom');
  return join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'Postroom');
}

/** What each host runs from `out/`, and the sources it is built from. */
const builds = {
  electron: {
    outputs: ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'],
    inputs: ['src-main', 'src-preload', 'src-renderer', 'src-shared', 'electron.vite.config.ts', 'package-lock.json'],
  },
  // The browser host runs src-main from source (tsx): only the renderer is served from out/.
  browser: {
    outputs: ['out/renderer/index.html'],
    inputs: ['src-renderer', 'src-shared', 'electron.vite.config.ts', 'package-lock.json', 'tsconfig.web.json'],
  },
};

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Builds with electron-vite when an output is missing or older than a source (a fresh clone, a pull). */
function buildIfNeeded({ outputs, inputs }) {
  const oldestOutput = Math.min(
    ...outputs.map((f) => statSync(join(root, f), { throwIfNoEntry: false })?.mtimeMs ?? 0),
  );
  const newestInput = Math.max(...inputs.map((f) => newestMtime(join(root, f))));
  if (oldestOutput > newestInput) return;
  console.log(
    oldestOutput === 0 ? 'Building the app (first start; about a minute)…' : 'Building the app (its sources changed)…',
  );
  const vitePkg = require.resolve('electron-vite/package.json');
  const viteCli = join(dirname(vitePkg), JSON.parse(readFileSync(vitePkg, 'utf8')).bin['electron-vite']);
  const build = spawnSync(process.execPath, [viteCli, 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status === 0) return;
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  console.error('The app could not be built (the build output is above).');
  console.error('What to do: run npm ci again, then npm start; if it fails again, report it with the output above.');
  process.exit(1);
}

/** A desktop to show a browser on: macOS and Windows always; Linux with a display (or WSL's Windows side). */
function hasBrowser() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.env.WSL_DISTRO_NAME);
}

async function openInBrowser(url) {
  if (noOpen || process.env.CI || !hasBrowser()) {
    console.log('Open the Postroom UI address above in your browser.');
    return;
  }
  try {
    const { default: open } = await import('open');
    await open(url);
    console.log('Opened Postroom in your browser (if it did not appear, open the address above).');
  } catch {
    console.log('Open the Postroom UI address above in your browser.');
  }
}

/**
 * Runs the child until it exits, passing on SIGINT/SIGTERM so it can stop gracefully. With
 * `onLine`, the child's standard output is read line by line (and still shown as it comes).
 */
function runChild(command, args, { env = process.env, onLine } = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ['inherit', onLine ? 'pipe' : 'inherit', 'inherit'], env });
  if (onLine) {
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      lines.forEach(onLine);
    });
  }
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
    console.error(`Could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    const signals = { SIGINT: 2, SIGTERM: 15 };
    process.exit(code ?? (signal ? 128 + (signals[signal] ?? 1) : 1));
  });
}

const electron = electronBinary();
if (electron) {
  buildIfNeeded(builds.electron);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // set by some editors' terminals; it would start plain Node
  const dataArgs = process.env.POSTROOM_DATA_DIR ? [`--user-data-dir=${defaultDataDir()}`] : [];
  runChild(electron, [root, ...dataArgs, ...extraArgs], { env });
} else {
  console.log('The Electron binary is not installed here (npx install-electron downloads it for the desktop app);');
  console.log('running Postroom in your browser instead.');
  buildIfNeeded(builds.browser);
  const dataDir = defaultDataDir();
  mkdirSync(dataDir, { recursive: true });
  console.log(`Data folder: ${dataDir}`);
  // `npx tsx src-main/cli.ts serve`, minus npx: tsx's CLI run by this same Node.
  const tsxCli = require.resolve('tsx/cli');
  runChild(process.execPath, [tsxCli, join(root, 'src-main/cli.ts'), 'serve', '--data-dir', dataDir, ...extraArgs], {
    onLine: (line) => {
      const url = /^Postroom UI: (\S+)/.exec(line)?.[1];
      if (url) void openInBrowser(url);
    },
  });
}
