import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DESK_SETTINGS_FILE,
  readDeskSettings,
  sessionAccount,
  writeDeskSettings,
} from '../../src-main/desk/desk-settings';
import { hostOrigin } from '../../src-main/desk/host-client';
import { AppError } from '../../src-main/engine/kernel/errors';
import { tempDir } from '../support/temp';

describe("a desk's settings and its host's address (issue 12, D105)", () => {
  it.each([
    ['https://postroom.agency.example', 'https://postroom.agency.example'],
    ['https://postroom.agency.example/some/page?x=1#y', 'https://postroom.agency.example'],
    ['https://postroom.agency.example:8443/', 'https://postroom.agency.example:8443'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:8080/desk', 'http://localhost:8080'],
  ])('keeps %s as its origin %s', (typed, origin) => {
    expect(hostOrigin(typed)).toBe(origin);
  });

  it('refuses plain http beyond this computer, beside the address field', () => {
    let thrown: unknown;
    try {
      hostOrigin('http://postroom.agency.example');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).toObject()).toMatchObject({
      code: 'validation_failed',
      details: { fields: { hostUrl: expect.stringContaining('Enter https://postroom.agency.example.') } },
    });
  });

  it('a folder without settings is a single desk; written settings read back, readable by their owner only', () => {
    const dir = tempDir('postroom-desk-settings-');
    expect(readDeskSettings(dir)).toBeNull();
    const settings = {
      mode: 'team' as const,
      hostUrl: 'https://postroom.agency.example',
      workspaceName: 'Acme Agency',
      lastState: null,
    };
    writeDeskSettings(dir, settings);
    expect(readDeskSettings(dir)).toEqual(settings);
    expect(statSync(join(dir, DESK_SETTINGS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('names the keychain account by data folder and host, so two desks on one computer keep their own sessions', () => {
    const host = 'https://postroom.agency.example';
    expect(sessionAccount('/a', host)).not.toBe(sessionAccount('/b', host));
    expect(sessionAccount('/a', host)).not.toBe(sessionAccount('/a', 'https://other.example'));
    expect(sessionAccount('/a/../a', host)).toBe(sessionAccount('/a', host));
  });
});
