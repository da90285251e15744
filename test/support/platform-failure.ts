import { expect } from 'vitest';
import { PlatformError } from '../../src-main/engine/platforms/types';

/**
 * The PlatformError an adapter call rejects with. The test fails when the call succeeds or
 * rejects with anything else: every adapter speaks to the engine in PlatformErrors only.
 */
export async function platformFailure(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PlatformError);
    return err as PlatformError;
  }
  throw new Error('expected a PlatformError');
}
