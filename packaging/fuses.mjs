// Electron fuses for the packaged app (issue 9 item 9), flipped in the Electron binary at
// packaging time with @electron/fuses. Wired as electron-builder's `afterPack` hook in
// packaging/electron-builder.yml, and runnable by hand: `node packaging/fuses.mjs <electron binary>`.
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every fuse set explicitly (strictlyRequireAllFuses: a future Electron's new fuse fails the
 * build until it is decided here):
 * - RunAsNode off: `ELECTRON_RUN_AS_NODE=1 Postroom …` would run any script with the app's
 *   identity (and its keychain access on macOS);
 * - NODE_OPTIONS and --inspect off: no code injected through the environment or a debugger port;
 * - cookie encryption on: Chromium's cookie store is encrypted with a key from the OS keychain;
 * - ASAR integrity on and only the ASAR loaded: the app's code is the code that was packaged;
 * - file:// gets no extra privileges: the renderer is served from `app://postroom/`;
 * - the browser-process V8 snapshot is not used; Wasm trap handlers stay on (Electron's default).
 */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.WasmTrapHandlers]: true,
};

export function flipPostroomFuses(electronBinary) {
  return flipFuses(electronBinary, FUSES);
}

/** electron-builder's afterPack hook: the packaged app's Electron binary for each platform. */
export default async function afterPack(context) {
  const name = context.packager.appInfo.productFilename;
  const binary = {
    darwin: join(context.appOutDir, `${name}.app`),
    mas: join(context.appOutDir, `${name}.app`),
    win32: join(context.appOutDir, `${name}.exe`),
    linux: join(context.appOutDir, context.packager.executableName ?? name),
  }[context.electronPlatformName];
  await flipPostroomFuses(binary);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const binary = process.argv[2];
  if (!binary) {
    console.error('usage: node packaging/fuses.mjs <path to the Electron binary or .app>');
    process.exit(2);
  }
  await flipPostroomFuses(binary);
  console.log(`fuses flipped in ${binary}`);
}
