import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AppState } from '../../src-shared/contract';
import { FILE_MODE } from '../engine/db/data-folder';
import type { SecretStore } from '../engine/secrets/secret-store';

/*
 * A desk's own settings (issue 12 item 2; docs/decisions.md D105): whether this data folder works
 * on this computer (no file: the default, single-desk mode) or against a team host, which host,
 * and the app state it last loaded from the host, so a desk started while the host is away opens
 * on what the person last saw instead of a blank page. Nothing secret is here: the session token
 * lives only in the OS keychain, under an account named after the data folder and the host.
 */

export const DESK_SETTINGS_FILE = 'desk.json';

export const DeskSettings = z.object({
  mode: z.literal('team'),
  /** The host's origin, https://postroom.agency.example. */
  hostUrl: z.string(),
  workspaceName: z.string().nullable(),
  /** What the host last answered to `app.getState` (names and ids only, no secret). */
  lastState: AppState.omit({ host: true, recovery: true }).nullable(),
});
export type DeskSettings = z.infer<typeof DeskSettings>;

/**
 * The settings of a data folder in team mode; null for a single-desk folder.
 * A damaged file is reported, not guessed.
 */
export function readDeskSettings(dataDir: string): DeskSettings | null {
  const file = join(dataDir, DESK_SETTINGS_FILE);
  if (!existsSync(file)) return null;
  return DeskSettings.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Written whole (a temporary file renamed over it), readable by its owner only. */
export function writeDeskSettings(dataDir: string, settings: DeskSettings): void {
  const file = join(dataDir, DESK_SETTINGS_FILE);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(DeskSettings.parse(settings), null, 2)}\n`, { mode: FILE_MODE });
  renameSync(temporary, file);
}

/**
 * The keychain account of this desk's session on `hostUrl`: one per data folder and host, so two
 * desks on one computer (two data folders) never take each other's session.
 */
export const sessionAccount = (dataDir: string, hostUrl: string) => `desk-session:${resolve(dataDir)}:${hostUrl}`;

/** The session token kept in the keychain, or null when this desk is signed out. */
export const readSessionToken = (secrets: SecretStore, dataDir: string, hostUrl: string) =>
  secrets.get(sessionAccount(dataDir, hostUrl));
