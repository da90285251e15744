/**
 * What a person reads when the OS keychain cannot be used (issue 10, item 1): one sentence saying
 * what is wrong, in the words of their operating system, and what to install, start or unlock.
 * Postroom keeps every token and key only in the keychain, so without one it stops (decisions:
 * "No keychain, no start"); this module only chooses the words.
 */

/** Why the keychain failed, as far as the keychain library's message tells. */
export const keychainProblems = [
  'library_missing',
  'no_session_bus',
  'no_secret_service',
  'no_default_keyring',
  'locked',
  'unknown',
] as const;
export type KeychainProblem = (typeof keychainProblems)[number];

/**
 * libsecret's and D-Bus's messages (through keytar) for each problem on Linux, first match wins.
 * Seen on Debian 12: no session bus → "Cannot autolaunch D-Bus without X11 $DISPLAY" (or "Could
 * not connect: …" for a bus address that leads nowhere); gnome-keyring not installed → "The name
 * org.freedesktop.secrets was not provided by any .service files"; no login keyring and no prompter
 * to create one → "Object does not exist at path …/collection/login"; a locked keyring → "Cannot
 * create an item in a locked collection". macOS and Windows say less, so they get `unknown`.
 */
const linuxMessages: readonly { problem: KeychainProblem; pattern: RegExp }[] = [
  {
    problem: 'no_session_bus',
    pattern: /autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|connect to socket/i,
  },
  { problem: 'no_secret_service', pattern: /not provided by any \.service files|ServiceUnknown/i },
  { problem: 'no_default_keyring', pattern: /collection\/login|Object does not exist/i },
  { problem: 'locked', pattern: /locked|prompt|dismissed/i },
];

export function keychainProblemOf(platform: NodeJS.Platform, reason: string): KeychainProblem {
  if (platform !== 'linux') return 'unknown';
  return linuxMessages.find((m) => m.pattern.test(reason))?.problem ?? 'unknown';
}

const KEEPS = 'Postroom keeps its passwords, tokens and keys only in the system keychain';

/** The one sentence, per problem (Linux words; other systems name their own keychain). */
const linuxProblem: Record<KeychainProblem, string> = {
  library_missing: `${KEEPS}, and the keychain library (keytar) could not be loaded.`,
  no_session_bus:
    `${KEEPS}, and this session has no D-Bus (as over SSH or on a server), ` + 'so no keychain can be reached.',
  no_secret_service:
    `${KEEPS}, and no keychain service (a Secret Service such as GNOME Keyring) ` + 'is installed or running.',
  no_default_keyring: `${KEEPS}, and the keychain service has no default keyring and no way to ask you to create one.`,
  locked: `${KEEPS}, and the keyring is locked.`,
  unknown: `${KEEPS}, and the keychain could not be used.`,
};

/** For a machine without a desktop: the script that starts D-Bus and unlocks the person's own keyring. */
const HEADLESS = [
  '- Without a desktop (SSH, a server): install GNOME Keyring and D-Bus',
  '  (sudo apt-get install gnome-keyring dbus-user-session), then start Postroom through its keyring script,',
  '  which starts D-Bus and unlocks your own keyring, asking for its password (the first run creates it):',
  '    bash scripts/with-keyring.sh npm start',
  '  By hand, the keyring password on standard input:',
  "    dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets && npm start'",
].join('\n');

const DESKTOP = [
  "- On a desktop: install GNOME Keyring (sudo apt-get install gnome-keyring), or turn on KeePassXC's",
  '  Secret Service integration (Tools › Settings › Secret Service Integration); sign in to the desktop,',
  '  unlock the keyring and start Postroom from there.',
].join('\n');

const linuxFix: Record<KeychainProblem, string> = {
  library_missing:
    'Install libsecret (sudo apt-get install libsecret-1-0, and libsecret-1-dev to build it), then run npm ci again.',
  no_session_bus: `${HEADLESS}\n${DESKTOP}`,
  no_secret_service: `${DESKTOP}\n${HEADLESS}`,
  no_default_keyring: `- On a desktop: open Passwords and Keys (seahorse) and create a "Login" keyring.\n${HEADLESS}`,
  locked: [
    '- On a desktop: open Passwords and Keys (seahorse) and unlock "Login" (or unlock KeePassXC\'s database).',
    '- Started through scripts/with-keyring.sh: run it again and type the password the keyring was created with.',
  ].join('\n'),
  unknown: `${DESKTOP}\n${HEADLESS}`,
};

/** macOS and Windows keep one keychain per signed-in user; the fix is the same whatever the message. */
const otherSystems: Partial<Record<NodeJS.Platform, { problem: string; fix: string }>> = {
  darwin: {
    problem: 'Postroom keeps its passwords, tokens and keys only in the macOS Keychain, and it could not be used.',
    fix:
      'Unlock your login keychain (Keychain Access, or in Terminal: security unlock-keychain login.keychain) and ' +
      'start Postroom from your own signed-in user, not over SSH as another user.',
  },
  win32: {
    problem:
      'Postroom keeps its passwords, tokens and keys only in the Windows Credential Manager, and it could not be used.',
    fix:
      'Start Postroom from your own signed-in Windows account (services and the SYSTEM account have no Credential ' +
      'Manager), and check that the Credential Manager service runs (in an administrator prompt: sc start VaultSvc).',
  },
};

/** keytar is a native module: where it did not load, installing again builds it again. */
const LIBRARY_AGAIN = 'Run npm ci again and look for an error while it builds keytar.';

export interface KeychainHelp {
  problem: KeychainProblem;
  /** One sentence: what is wrong. */
  message: string;
  /** What to install, start or unlock, per OS. */
  fix: string;
}

/** The plain words for a keychain that cannot be used on `platform`, given the library's `reason`. */
export function keychainHelp(platform: NodeJS.Platform, reason: string, libraryMissing = false): KeychainHelp {
  const problem = libraryMissing ? 'library_missing' : keychainProblemOf(platform, reason);
  const other = otherSystems[platform];
  if (!other) return { problem, message: linuxProblem[problem], fix: linuxFix[problem] };
  if (problem === 'library_missing') return { problem, message: linuxProblem[problem], fix: LIBRARY_AGAIN };
  return { problem, message: other.problem, fix: other.fix };
}
