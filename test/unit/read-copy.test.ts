import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChannels } from '../../src-shared/team-protocol';
import { DeskReadCopy, KEPT_READS, READ_COPY_FILE, READ_COPY_LIMIT, isKeptRead } from '../../src-main/desk/read-copy';
import { tempDir } from '../support/temp';

/* A desk's read copy (issue 12 item 4, D118): the host's last answers to the reads a person looks at. */

const WS = { workspaceId: 'ws_1' };

describe('a desk’s read copy', () => {
  it(
    'keeps the host’s last answer to a read, whatever order the request’s keys came in, ' +
      'and replaces it with the next',
    () => {
      const copy = DeskReadCopy.open(tempDir('postroom-read-copy-'));
      expect(copy.lookup('client.list', WS)).toBeUndefined();
      copy.keep('client.list', { workspaceId: 'ws_1', filter: { q: 'a', active: true } }, { users: [{ id: 'u1' }] });
      expect(copy.lookup('client.list', { filter: { active: true, q: 'a' }, workspaceId: 'ws_1' })).toEqual({
        answer: { users: [{ id: 'u1' }] },
      });
      copy.keep('client.list', { workspaceId: 'ws_1', filter: { q: 'a', active: true } }, { users: [] });
      expect(copy.lookup('client.list', { workspaceId: 'ws_1', filter: { q: 'a', active: true } })).toEqual({
        answer: { users: [] },
      });
      // Another request is another answer.
      expect(copy.lookup('client.list', { workspaceId: 'ws_2' })).toBeUndefined();
      copy.close();
    },
  );

  it('never keeps an answer that carries a secret or a one-off, and keeps only reads', () => {
    for (const channel of [
      'workspace.revealApiKey',
      'client.revealApiKey',
      'connection.credentials',
      'activity.exportCsv',
      'integration.test',
      'app.apiInfo',
      'post.create',
      'client.create',
    ])
      expect(isKeptRead(channel), channel).toBe(false);
    // Every kept channel is a read of the protocol.
    for (const channel of KEPT_READS) expect(readChannels as readonly string[]).toContain(channel);
    const dir = tempDir('postroom-read-copy-');
    const copy = DeskReadCopy.open(dir);
    copy.keep('workspace.revealApiKey', WS, { apiKey: 'pk_secret_never_kept' });
    expect(copy.lookup('workspace.revealApiKey', WS)).toBeUndefined();
    copy.close();
    expect(readFileSync(join(dir, READ_COPY_FILE)).includes('pk_secret_never_kept')).toBe(false);
    expect(statSync(join(dir, READ_COPY_FILE)).mode & 0o777).toBe(0o600);
  });

  it(`holds at most ${READ_COPY_LIMIT} answers, the oldest going first, and forgets everything when cleared`, () => {
    const dir = tempDir('postroom-read-copy-');
    const copy = DeskReadCopy.open(dir);
    for (let i = 0; i <= READ_COPY_LIMIT; i++) copy.keep('post.get', { ...WS, id: `p${i}` }, { id: `p${i}` });
    expect(copy.lookup('post.get', { ...WS, id: `p${READ_COPY_LIMIT}` })).toEqual({
      answer: { id: `p${READ_COPY_LIMIT}` },
    });
    expect(copy.lookup('post.get', { ...WS, id: 'p1' })).toEqual({ answer: { id: 'p1' } });
    expect(copy.lookup('post.get', { ...WS, id: 'p0' })).toBeUndefined();
    copy.close();
    // Kept across a restart of the desk.
    const again = DeskReadCopy.open(dir);
    expect(again.lookup('post.get', { ...WS, id: 'p1' })).toEqual({ answer: { id: 'p1' } });
    again.clear();
    expect(again.lookup('post.get', { ...WS, id: 'p1' })).toBeUndefined();
    again.close();
  });
});
