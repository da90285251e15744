import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';

/**
 * Whether the real Secret Service is reachable. In CI (and under .ci/with-keyring) it must be:
 * the keychain tests are then never skipped, and a missing keychain fails them instead.
 */
export async function keychainAvailable(): Promise<boolean> {
  if (process.env.CI === 'true' || process.env.POSTROOM_KEYCHAIN_EXPECTED === '1') return true;
  try {
    await KeychainSecretStore.open('Postroom-test-probe');
    return true;
  } catch {
    return false;
  }
}

export const NO_KEYCHAIN_REASON =
  'no Secret Service on this machine outside CI: run under `dbus-run-session -- bash .ci/with-keyring …` to include it';
