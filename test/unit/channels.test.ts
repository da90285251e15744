import { describe, expect, it } from 'vitest';
import { channels, type Channel } from '../../src-shared/contract';
import { changesOf, channelTable, domainChannels, pageOperations } from '../../src-main/engine/channels';
import type { Change } from '../../src-main/engine/kernel/channels';

const allChannels = Object.keys(channels) as Channel[];
const announcing = (change: Change) => allChannels.filter((c) => changesOf(c).includes(change)).sort();

describe('the channel table', () => {
  it('has every channel of the contract, each declared by exactly one domain', () => {
    const declared = Object.values(domainChannels).flatMap((defs) => Object.keys(defs));
    expect(declared.sort()).toEqual([...allChannels].sort());
    expect(new Set(declared).size).toBe(declared.length);
    for (const channel of allChannels) expect(typeof channelTable[channel].handle).toBe('function');
  });

  it('says which channels change posts: they refresh the queue and calendar and wake the scheduler', () => {
    expect(announcing('posts')).toEqual([
      'approval.setPolicy',
      'client.delete',
      'client.setActive',
      'client.update',
      'post.addComment',
      'post.cancel',
      'post.create',
      'post.decide',
      'post.retry',
      'post.submit',
      'post.update',
    ]);
  });

  it('says which channels change clients and connections', () => {
    expect(announcing('clients')).toEqual([
      'approval.setPolicy',
      'client.create',
      'client.delete',
      'client.issueApiKey',
      'client.setActive',
      'client.update',
    ]);
    expect(announcing('connections')).toEqual([
      'connection.addWithAppPassword',
      'connection.createLink',
      'connection.remove',
      'connection.revokeLink',
      'connection.setPostAs',
    ]);
    expect(Object.keys(pageOperations).map((op) => [op, changesOf(op as keyof typeof pageOperations)])).toEqual([
      ['connectPage.signedIn', ['connections']],
      ['connectPage.appPassword', ['connections']],
      ['approvalPage.decided', ['posts']],
    ]);
  });

  it('says which channels change the app state (workspaces, plans, integrations, who is signed in)', () => {
    expect(announcing('state')).toEqual([
      'app.setup',
      'integration.add',
      'integration.remove',
      'plan.change',
      'session.acceptInvitation',
      'session.signIn',
      'session.signOut',
      'workspace.create',
      'workspace.select',
    ]);
    expect(announcing('sessions')).toEqual(['team.forceLogout', 'team.setMemberActive']);
  });

  it('makes reads announce nothing', () => {
    const reads = allChannels.filter((c) => /\.(list|get|getState|credentials|pages|dailyUsage|getSlots)/.test(c));
    expect(reads.length).toBeGreaterThan(8);
    for (const channel of reads) expect(changesOf(channel), channel).toEqual([]);
  });
});
