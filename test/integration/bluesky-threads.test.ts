import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueskyAdapter, parseAtUri, signInWithAppPassword } from '../../src-main/engine/platforms/bluesky/adapter';
import type { PlatformClient, TokenSet } from '../../src-main/engine/platforms/types';
import { pdsAvailable, startPds, type Pds } from '../support/pds';

/*
 * A Bluesky thread on a real PDS (issue 14 item 4): each part after the first is an
 * app.bsky.feed.post whose `reply` names the thread's first post as `root` and the part before as
 * `parent`, both by URI and CID (https://docs.bsky.app/docs/advanced-guides/posts#replies).
 */
const peer = pdsAvailable();
const runAgainstPds = peer.available || process.env.CI === 'true';

describe.skipIf(!runAgainstPds)(
  `a Bluesky thread against a real PDS${runAgainstPds ? '' : ` (skipped: ${peer.reason})`}`,
  () => {
    let pds: Pds;
    let client: PlatformClient;
    let tokens: TokenSet;

    beforeAll(async () => {
      pds = await startPds();
      client = { clientId: '', clientSecret: null, apiBaseUrl: pds.url };
      tokens = (await signInWithAppPassword(pds.url, pds.handle, pds.appPassword)).tokens;
    }, 120_000);
    afterAll(async () => {
      await pds?.close();
    });

    const record = async (uri: string) => {
      const { repo, collection, rkey } = parseAtUri(uri)!;
      const res = await fetch(
        `${pds.url}/xrpc/com.atproto.repo.getRecord?${new URLSearchParams({ repo, collection, rkey })}`,
      );
      return (await res.json()) as { uri: string; cid: string; value: { text: string; reply?: unknown } };
    };

    it('publishes each part as a reply to the part before, rooted at the first, and a repeated part once', async () => {
      const key = randomUUID();
      const first = await blueskyAdapter.publish(client, tokens, {
        text: 'Thread, part 1',
        media: [],
        idempotencyKey: key,
      });
      const second = await blueskyAdapter.publish(client, tokens, {
        text: 'Thread, part 2',
        media: [],
        idempotencyKey: `${key}:part1`,
        replyTo: { parentId: first.postId, rootId: first.postId },
      });
      const third = await blueskyAdapter.publish(client, tokens, {
        text: 'Thread, part 3',
        media: [],
        idempotencyKey: `${key}:part2`,
        replyTo: { parentId: second.postId, rootId: first.postId },
      });
      const [r1, r2, r3] = await Promise.all([first, second, third].map((p) => record(p.postId)));
      expect(r1!.value.reply).toBeUndefined();
      expect(r2!.value.reply).toEqual({ root: { uri: r1!.uri, cid: r1!.cid }, parent: { uri: r1!.uri, cid: r1!.cid } });
      expect(r3!.value.reply).toEqual({ root: { uri: r1!.uri, cid: r1!.cid }, parent: { uri: r2!.uri, cid: r2!.cid } });

      // The same part again (a retry after a lost answer): its record key is taken, the answer is the same post.
      const again = await blueskyAdapter.publish(client, tokens, {
        text: 'Thread, part 3',
        media: [],
        idempotencyKey: `${key}:part2`,
        replyTo: { parentId: second.postId, rootId: first.postId },
      });
      expect(again.postId).toBe(third.postId);
    });

    it('refuses a reply to a post that is not there, naming what it tried', async () => {
      const missing = `at://${pds.did}/app.bsky.feed.post/3jzfcijpj2z2a`;
      await expect(
        blueskyAdapter.publish(client, tokens, {
          text: 'Orphan',
          media: [],
          idempotencyKey: randomUUID(),
          replyTo: { parentId: missing, rootId: missing },
        }),
      ).rejects.toMatchObject({ message: expect.stringContaining('find the post this part replies to') });
    });
  },
);
