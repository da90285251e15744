import { describe, expect, it } from 'vitest';
import { describeRefused, editedRequest, EDITABLE_CHANGES } from '../../src-main/desk/refused-changes';
import type { RefusedItem } from '../../src-main/desk/outbox';
import { AppError } from '../../src-main/engine/kernel/errors';
import { channels } from '../../src-shared/contract';
import { channelKind } from '../../src-shared/team-protocol';

/* A refused change as a person sees it on a desk (issue 12 item 4, D119). */

const conflict = { code: 'conflict' as const, message: 'a user with email c1@client.test already exists' };
const item = (channel: string, request: unknown): RefusedItem => ({ key: 'k1', channel, request, error: conflict });

describe('refused changes in words', () => {
  it('names a new client, a client’s changes, a new post and a post’s edit by what they were, with fields', () => {
    expect(
      describeRefused(
        item('client.create', { workspaceId: 'w', client: { email: 'c1@client.test', displayName: 'North' } }),
      ),
    ).toEqual({
      key: 'k1',
      what: 'New client North (c1@client.test)',
      error: conflict,
      fields: [
        { name: 'client.displayName', label: 'Display name', value: 'North' },
        { name: 'client.email', label: 'Email', value: 'c1@client.test' },
      ],
    });
    expect(
      describeRefused(item('client.update', { workspaceId: 'w', userId: 'u', patch: { displayName: 'South' } })),
    ).toMatchObject({
      what: 'Changes to the client South',
      fields: [{ name: 'patch.displayName', label: 'Display name', value: 'South' }],
    });
    const long = `${'Spring offers '.repeat(10)}end`;
    const post = describeRefused(
      item('post.create', { workspaceId: 'w', userId: 'u', post: { text: long, platformIds: [] } }),
    );
    expect(post.what).toMatch(/^New post “Spring offers Spring offers .*…”$/);
    expect(post.fields).toEqual([{ name: 'post.text', label: 'Text', value: long }]);
    expect(
      describeRefused(item('post.update', { workspaceId: 'w', id: 'p', patch: { scheduledTime: null } })),
    ).toMatchObject({
      what: 'A change to a post',
      fields: [],
    });
  });

  it('names any other change by its kind, with nothing to edit: it can only be discarded', () => {
    expect(describeRefused(item('connection.remove', { workspaceId: 'w' }))).toMatchObject({
      what: 'A change to a connection',
      fields: [],
    });
    expect(describeRefused(item('approvalLink.create', {}))).toMatchObject({
      what: 'A change made offline',
      fields: [],
    });
  });

  it('every editable change is a channel that changes something on the host', () => {
    for (const channel of Object.keys(EDITABLE_CHANGES)) {
      expect(channel in channels, channel).toBe(true);
      expect(channelKind(channel as keyof typeof channels), channel).toBe('change');
    }
  });
});

describe('editing a refused change', () => {
  const refused = item('client.create', {
    workspaceId: 'w',
    client: { email: 'c1@client.test', displayName: 'North' },
  });

  it('sets the edited fields in a copy of the request and leaves the rest as it was', () => {
    expect(editedRequest(refused, { 'client.email': 'c4@client.test' })).toEqual({
      workspaceId: 'w',
      client: { email: 'c4@client.test', displayName: 'North' },
    });
    expect(refused.request).toEqual({ workspaceId: 'w', client: { email: 'c1@client.test', displayName: 'North' } });
  });

  it('refuses to edit anything the change does not offer, naming the field', () => {
    expect(() => editedRequest(refused, { workspaceId: 'other' })).toThrow(AppError);
    try {
      editedRequest(refused, { workspaceId: 'other', 'client.email': 'x@y.z' });
    } catch (err) {
      expect(err).toMatchObject({
        code: 'validation_failed',
        details: { fields: { workspaceId: expect.any(String) } },
      });
    }
  });
});
