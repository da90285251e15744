import { describe, expect, it } from 'vitest';
import { keychainHelp, keychainProblemOf, keychainProblems } from '../../src-main/engine/secrets/keychain-help';

/** What libsecret and D-Bus said (through keytar) on Debian 12 in each situation. */
const seenOnLinux = [
  ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'no_session_bus'],
  ['Could not connect: No such file or directory', 'no_session_bus'],
  ['The name org.freedesktop.secrets was not provided by any .service files', 'no_secret_service'],
  ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'no_default_keyring'],
  ['Cannot create an item in a locked collection', 'locked'],
  ['something nobody has seen yet', 'unknown'],
] as const;

describe('the keychain in plain words', () => {
  it.each(seenOnLinux)('on Linux, "%s" is recognised as %s', (reason, problem) => {
    expect(keychainProblemOf('linux', reason)).toBe(problem);
  });

  it.each(keychainProblems)(
    'on Linux, %s says what is wrong in one sentence and what to install or start',
    (problem) => {
      const reason = seenOnLinux.find(([, p]) => p === problem)?.[0] ?? 'keytar.node: cannot open shared object file';
      const help = keychainHelp('linux', reason, problem === 'library_missing');
      expect(help.problem).toBe(problem);
      expect(help.message).toMatch(/^Postroom keeps .* only in the system keychain, and .*\.$/);
      expect(help.message.split('. ')).toHaveLength(1);
      // The library's own words stay out of the sentence; they go to details.reason.
      expect(help.message).not.toContain(reason);
      expect(help.fix).toMatch(problem === 'library_missing' ? /libsecret/ : /gnome-keyring|seahorse|KeePassXC/);
    },
  );

  it('without a desktop, points at the keyring script and the by-hand commands (dbus-run-session, --unlock)', () => {
    const { fix } = keychainHelp('linux', 'Cannot autolaunch D-Bus without X11 $DISPLAY');
    expect(fix).toContain('sudo apt-get install gnome-keyring dbus-user-session');
    expect(fix).toContain('bash scripts/with-keyring.sh npm start');
    expect(fix).toContain('dbus-run-session -- sh -c');
    expect(fix).toContain('gnome-keyring-daemon --unlock');
  });

  it('a locked keyring is told to unlock it, not to install anything', () => {
    const { fix } = keychainHelp('linux', 'Cannot create an item in a locked collection');
    expect(fix).toMatch(/unlock "Login"/);
    expect(fix).not.toMatch(/apt-get install/);
  });

  it.each([
    ['darwin', /macOS Keychain/, /security unlock-keychain/],
    ['win32', /Windows Credential Manager/, /VaultSvc/],
  ] as const)('on %s, names its own keychain and how to reach it', (platform, keychain, fix) => {
    const help = keychainHelp(platform, 'The user name or passphrase you entered is not correct.');
    expect(help.message).toMatch(keychain);
    expect(help.fix).toMatch(fix);
    expect(help.fix).not.toMatch(/gnome-keyring/);
  });

  it('a keychain library that did not load says to install again, on every system', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const help = keychainHelp(platform, 'Cannot find module keytar', true);
      expect(help.problem).toBe('library_missing');
      expect(help.message).toMatch(/could not be loaded/);
      expect(help.fix).toMatch(/npm ci again/);
    }
  });
});
