// Run in a child process by the keychain tests: tries to open the keychain and prints the outcome.
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';

KeychainSecretStore.open('Postroom-test').then(
  () => console.log(JSON.stringify({ opened: true })),
  (e: { code?: string; message?: string; details?: unknown }) =>
    console.log(JSON.stringify({ code: e.code, message: e.message, details: e.details })),
);
