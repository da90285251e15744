import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { FUSES, flipPostroomFuses } from '../../packaging/fuses.mjs';
import {
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  RENDERER_URL,
  rendererFileFor,
} from '../../src-main/electron/security';
import { tempDir } from '../support/temp';

/*
 * Issue 9 item 9, the Electron shell, tested where it runs under Node (the Electron binary is not
 * installed here; test/electron/smoke.spec.ts drives the real app wherever it is).
 */

describe('issue 9 item 9: fuses flipped at packaging', () => {
  it('RunAsNode, NODE_OPTIONS and --inspect off, cookie encryption and ASAR integrity on, every fuse decided', () => {
    expect(FUSES).toMatchObject({
      strictlyRequireAllFuses: true,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    const decided = Object.keys(FUSES).filter((k) => /^\d+$/.test(k)).length;
    expect(decided).toBe(Object.keys(FuseV1Options).filter((k) => /^\d+$/.test(k)).length);
  });

  it('flips them in a binary carrying the fuse wire as Electron lays it out', async () => {
    // Electron's fuse wire: the sentinel, the wire's version and length, one byte per fuse ('0'/'1').
    const binary = join(tempDir(), 'electron');
    const wire = Buffer.from('101100111', 'ascii'); // Electron's defaults for these nine fuses
    writeFileSync(
      binary,
      Buffer.concat([
        Buffer.alloc(4096, 0x90),
        Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
        Buffer.from([1, wire.length]),
        wire,
        Buffer.alloc(4096, 0x90),
      ]),
    );
    expect(await flipPostroomFuses(binary)).toBe(1);
    const flipped = await getCurrentFuseWire(binary);
    expect(flipped[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(flipped[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(flipped[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(flipped[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(readFileSync(binary).length).toBe(4096 * 2 + 32 + 2 + 9);
  });

  it('is the afterPack hook of the packaging config', () => {
    expect(readFileSync(join(process.cwd(), 'packaging/electron-builder.yml'), 'utf8')).toMatch(
      /^afterPack: packaging\/fuses\.mjs$/m,
    );
  });
});

describe('issue 9 item 9: the renderer on app://postroom, its URL checked by scheme, host and path', () => {
  it('trusts only app://postroom/index.html, or the dev server by scheme and host', () => {
    expect(RENDERER_URL).toBe('app://postroom/index.html');
    expect(isTrustedRendererUrl('app://postroom/index.html#/queue', undefined)).toBe(true);
    expect(isTrustedRendererUrl('app://evil/index.html', undefined)).toBe(false);
    expect(isTrustedRendererUrl('app://postroom/other.html', undefined)).toBe(false);
    // file:// shares one origin with every file (and other hosts' shares): never trusted.
    expect(isTrustedRendererUrl('file:///opt/Postroom/resources/app.asar/out/renderer/index.html', undefined)).toBe(
      false,
    );
    expect(isTrustedRendererUrl('file://attacker-share/out/renderer/index.html', undefined)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isTrustedRendererUrl('http://evil.localhost:5173/', 'http://localhost:5173')).toBe(false);
  });

  it('serves files of the renderer folder only', () => {
    const root = '/opt/postroom/out/renderer';
    expect(rendererFileFor('app://postroom/index.html', root)).toBe(`${root}/index.html`);
    expect(rendererFileFor('app://postroom/', root)).toBe(`${root}/index.html`);
    expect(rendererFileFor('app://postroom/assets/index-abc.js?v=1', root)).toBe(`${root}/assets/index-abc.js`);
    expect(rendererFileFor('app://postroom/../../etc/passwd', root)).toBe(`${root}/etc/passwd`);
    expect(rendererFileFor('app://postroom/assets/..%2f..%2f..%2fetc%2fpasswd', root)).toBeNull();
    expect(rendererFileFor('app://postroom/a%5c..%5c..%5csecret', root)).toBeNull();
    expect(rendererFileFor('app://other/index.html', root)).toBeNull();
    expect(rendererFileFor('file:///etc/passwd', root)).toBeNull();
  });
});

describe('issue 9 item 9: the external-link allow-list', () => {
  const mastodon = 'https://social.example.org/oauth/authorize?client_id=a&state=s&code_challenge=c';
  const bluesky =
    'https://pds.example.net/oauth/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Areq-1';

  it('opens the exact authorization URLs the app made for a re-authentication, on any instance', () => {
    const made = new Set([new URL(mastodon).href, new URL(bluesky).href]);
    expect(isAllowedExternalUrl(mastodon, [], made)).toBe(true);
    expect(isAllowedExternalUrl(bluesky, [], made)).toBe(true);
    // Not another page of that host, and not without having been made.
    expect(isAllowedExternalUrl('https://social.example.org/@someone', [], made)).toBe(false);
    expect(isAllowedExternalUrl(mastodon)).toBe(false);
    expect(isAllowedExternalUrl('https://bsky.app/profile/x')).toBe(true);
  });
});
