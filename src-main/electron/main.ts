/*
 * The Electron shell (SPEC §10): window, IPC transport, hardening, single instance and graceful
 * quit. Everything else (engine, servers, scheduler) lives behind `startApp`, which the browser
 * host runs under plain Node too, so this file stays thin.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  net,
  Notification,
  powerMonitor,
  protocol,
  session,
  shell,
} from 'electron';
import type { IpcMainInvokeEvent, Session, WebContents } from 'electron';
import type { RunningApp } from '../app-types';
import { IPC_EVENT, IPC_INVOKE } from '../../src-shared/contract';
import {
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  DEV_CONTENT_SECURITY_POLICY,
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  RENDERER_URL,
  rendererFileFor,
} from './security';

export { EXTERNAL_LINK_ORIGINS } from './security';

// electron-vite layout: out/main/index.js, out/preload/index.js, out/renderer/index.html.
const preloadPath = join(__dirname, '../preload/index.js');
const rendererDir = join(__dirname, '../renderer');
// electron-vite sets this in `dev` only. A packaged app ignores it, so an environment variable
// can never point the privileged window (and its IPC access) at another page.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] || undefined : undefined;

let mainWindow: BrowserWindow | null = null;
/** Origins openable in the system browser besides the static allow-list (our loopback server). */
let extraExternalOrigins: string[] = [];
/** Authorization URLs the engine made for a re-authentication: openable exactly, for the flow's lifetime. */
const authorizationUrls = new Set<string>();
const AUTHORIZATION_URL_LIFETIME_MS = 10 * 60_000;

function openExternalIfAllowed(url: string): void {
  if (!isAllowedExternalUrl(url, extraExternalOrigins, authorizationUrls)) return;
  // The URL passed the exact-origin allow-list above, so only known http(s) sites are opened.
  shell
    .openExternal(url)
    .catch((error: unknown) => console.error('openExternal failed:', error)); /* eng-disable OPEN_EXTERNAL_JS_CHECK */
}

/** Applied to every WebContents ever created, so no later window or frame escapes the rules. */
function hardenWebContents(contents: WebContents): void {
  // The app is a single page: any full navigation would leave our code (and could land a
  // remote page next to the IPC bridge). Allowed links go to the system browser instead.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternalIfAllowed(url);
  });
  // No second window is ever opened by the app itself.
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
  // <webview> is off by default (webviewTag: false); refuse it again in case a window enables it.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function hardenSession(ses: Session): void {
  const policy = devServerUrl ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
  // The header covers the dev server (http) and, on current Electron, file:// responses too;
  // index.html should still carry the same policy in a <meta> tag as a second line.
  // (electronegativity only parses literal policies here; scripts/electronegativity.mjs
  // evaluates CONTENT_SECURITY_POLICY itself, hence the eng-disable.)
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
    }); /* eng-disable CSP_GLOBAL_CHECK */
  });
  // The UI needs no camera, microphone, notifications, geolocation, etc.: deny every request.
  // Checks are denied too, except the sanitized clipboard write that "copy" buttons use
  // (Chromium consults the check handler for navigator.clipboard.writeText).
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(false);
    console.warn(`denied permission request: ${permission}`);
  });
  ses.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
}

/** Only the main frame of our own window, showing our own renderer, may call the engine. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || !mainWindow || mainWindow.isDestroyed()) return false;
  // A frame without a parent is the top frame; comparing fields avoids relying on the
  // identity of WebFrameMain wrappers.
  if (event.sender !== mainWindow.webContents || frame.parent !== null) return false;
  return isTrustedRendererUrl(frame.url, devServerUrl);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Postroom',
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false, // shown on ready-to-show, so no blank white frame flashes first
    webPreferences: {
      // Reviewed: the preload exposes only the contract's two functions, never ipcRenderer.
      preload: preloadPath /* eng-disable PRELOAD_JS_CHECK */,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // Middle-click would otherwise open links as new windows outside will-navigate.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  const loaded = win.loadURL(devServerUrl ?? RENDERER_URL);
  loaded.catch((error: unknown) => console.error('failed to load the renderer:', error));
  return win;
}

function focusOrCreateWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** The error's sentence, then what to do where it says (e.g. how to start a keychain). */
function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fix = (error as { details?: { fix?: unknown } }).details?.fix;
  return typeof fix === 'string' ? `${error.message}\n\n${fix}` : error.message;
}

async function run(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);
  // app://postroom/… serves the built renderer and nothing else (see rendererFileFor).
  protocol.handle(APP_SCHEME, (request) => {
    const file = rendererFileFor(request.url, rendererDir);
    return file ? net.fetch(pathToFileURL(file).href) : new Response('not found', { status: 404 });
  });

  let running: RunningApp;
  try {
    // Loaded lazily: a second instance exits before loading the engine, and a native module
    // that fails to load (e.g. not rebuilt for Electron's ABI) lands in the dialog below.
    // A damaged database starts the recovery screen instead (issue 9 item 11); a desk in team
    // mode carries the contract to its team host instead of running the engine (issue 12).
    const { startDesk } = await import('../desk/desk-app');
    running = await startDesk({ dataDir: app.getPath('userData'), instance: 'the Postroom desktop app' });
  } catch (error) {
    // E.g. no OS keychain: nothing useful can run, so say why and leave (non-zero for scripts).
    dialog.showErrorBox('Postroom could not start', errorMessage(error));
    app.exit(1);
    return;
  }
  extraExternalOrigins = [running.apiUrl];

  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown) => {
    if (!isTrustedSender(event)) throw new Error('IPC from an untrusted sender');
    // dispatch validates channel and request against the contract and never rejects.
    const result = await running.dispatch(channel, request);
    // The sign-in page of a re-authentication may be on any instance the workspace uses: the exact
    // URL the engine made may be opened in the system browser (issue 9 item 9).
    if (channel === 'connection.reauthenticate' && result.ok) {
      const url = new URL((result.data as { authorizationUrl: string }).authorizationUrl).href;
      authorizationUrls.add(url);
      setTimeout(() => authorizationUrls.delete(url), AUTHORIZATION_URL_LIFETIME_MS).unref();
    }
    return result;
  });
  const unsubscribe = running.subscribe((name, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT, name, payload);
    // A delivery that failed or needs a person gets a desktop notification, window open or not.
    if (name === 'delivery.problem' && Notification.isSupported()) {
      const problem = payload as { platformId: string; state: string; error: string };
      new Notification({
        title:
          problem.state === 'failed'
            ? `A post to ${problem.platformId} failed`
            : `A post to ${problem.platformId} needs you`,
        body: problem.error,
      }).show();
    }
    // A client decided through their approval link (issue 13 item 5).
    if (name === 'approval.decided' && Notification.isSupported()) {
      const d = payload as { by: string; decision: string; byClient: boolean };
      if (d.byClient)
        new Notification({
          title: d.decision === 'approve' ? `${d.by} approved a post` : `${d.by} asked for changes`,
          body: d.decision === 'approve' ? 'It goes out at its time.' : 'Open Postroom to read their comment.',
        }).show();
    }
  });
  // After sleep the wall clock has jumped: the scheduler looks again at once (SPEC §4).
  powerMonitor.on('resume', () => running.resume());

  // Graceful quit (SPEC §10): hold the quit once, let in-flight publishing finish in stop(),
  // then exit. app.exit() does not emit before-quit again.
  let stopping = false;
  app.on('before-quit', (event) => {
    event.preventDefault(); // also swallows a second Quit while we are stopping
    if (stopping) return;
    stopping = true;
    unsubscribe();
    running
      .stop()
      .catch((error: unknown) => console.error('graceful stop failed:', error))
      .finally(() => app.exit(0));
  });

  // Closing the last window quits on Windows/Linux; macOS apps stay in the dock (the scheduler
  // keeps publishing) and reopen a window on activate.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', focusOrCreateWindow);
  app.on('second-instance', focusOrCreateWindow);

  mainWindow = createWindow();
}

// --- before ready -----------------------------------------------------------------------------

// Same folder name as the browser host's default (macOS/Windows); package.json's name is lower case.
app.setName('Postroom');
// Chromium's --user-data-dir is honoured for the engine's data folder too (tests use a temp dir).
const userDataOverride = app.commandLine.getSwitchValue('user-data-dir');
if (userDataOverride) app.setPath('userData', resolve(userDataOverride));
// Every renderer sandboxed, whatever a future window's webPreferences say.
app.enableSandbox();
// The renderer's own origin (a standard, secure scheme: 'self' in the CSP, fetch of its assets).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// The lock lives in the userData folder: one app per data folder, since SQLite and the
// scheduler must not run twice over the same data.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  // Ctrl+C in a terminal or a service manager's SIGTERM goes through the graceful quit too.
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());
  run().catch((error: unknown) => {
    dialog.showErrorBox('Postroom could not start', errorMessage(error));
    app.exit(1);
  });
}
