import { describe, expect, it } from 'vitest';
import { platforms } from '../../src-shared/contract-platforms';
import { PLATFORM_RULES } from '../../src-shared/platform-rules';
import { defaultAdapters, oauthPlatform, platformModule, PLATFORMS } from '../../src-main/engine/platforms/registry';

describe('the platform registry (one module per platform)', () => {
  it('has a module for every platform Postroom publishes to, named as its rules name it', () => {
    expect(Object.keys(PLATFORMS).sort()).toEqual([
      'bluesky',
      'facebook',
      'instagram',
      'linkedin',
      'mastodon',
      'threads',
      'x',
    ]);
    for (const [platform, module] of Object.entries(PLATFORMS)) {
      expect(module.name).toBe(PLATFORM_RULES[platform as keyof typeof PLATFORMS].name);
      expect(module.rules).toBe(PLATFORM_RULES[platform as keyof typeof PLATFORMS]);
      expect(defaultAdapters(platform as keyof typeof PLATFORMS)?.adapter).toBe(module.adapter);
    }
  });

  it('answers nothing for a platform of the contract that has no module yet', () => {
    for (const platform of platforms.filter((p) => !(p in PLATFORMS))) {
      expect(platformModule(platform)).toBeUndefined();
      expect(defaultAdapters(platform)).toBeUndefined();
      expect(oauthPlatform(platform)).toBeUndefined();
    }
  });

  it('connects Bluesky its own way and every other platform with an authorization-code flow', () => {
    expect(oauthPlatform('bluesky')).toBeUndefined();
    for (const platform of ['x', 'mastodon', 'linkedin', 'instagram', 'facebook', 'threads'] as const)
      expect(oauthPlatform(platform)?.redirect).toBe('fixed');
  });

  it('keeps the idempotency windows: Mastodon about an hour, Bluesky 30 days, X and LinkedIn none', () => {
    expect(PLATFORMS.mastodon.idempotencyWindowMs).toBe(55 * 60 * 1000);
    expect(PLATFORMS.bluesky.idempotencyWindowMs).toBe(30 * 24 * 60 * 60 * 1000);
    expect(PLATFORMS.x.idempotencyWindowMs).toBeNull();
    expect(PLATFORMS.linkedin.idempotencyWindowMs).toBeNull();
  });
});
