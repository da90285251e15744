import { describe, expect, it } from 'vitest';
import { channels, type Channel } from '../../src-shared/contract';
import { channelKinds, deskLocalChannels, readChannels } from '../../src-shared/team-protocol';

describe('the host ⇄ desk protocol classifies every channel (issue 12)', () => {
  it('every channel is desk-local, a read or a change, and the lists name only channels', () => {
    const all = Object.keys(channels) as Channel[];
    expect(Object.keys(channelKinds).sort()).toEqual([...all].sort());
    for (const c of [...deskLocalChannels, ...readChannels]) expect(all).toContain(c);
    expect(new Set([...deskLocalChannels, ...readChannels]).size).toBe(deskLocalChannels.length + readChannels.length);
  });

  it.each<[Channel, string]>([
    ['session.signIn', 'desk-local'],
    ['app.setup', 'desk-local'],
    ['app.getState', 'read'],
    ['post.list', 'read'],
    ['post.create', 'change'],
    ['post.update', 'change'],
    ['workspace.select', 'change'],
    ['team.forceLogout', 'change'],
    ['connection.reauthenticate', 'change'],
  ])('%s is %s', (channel, kind) => {
    expect(channelKinds[channel]).toBe(kind);
  });
});
