import { closeAfterTest } from './closers';
import { openTestEngine, type TestEngine } from './engine';
import { startMastodonServer, type MastodonServer } from './mastodon-server';
import { setUpPosting, type PostingSetup } from './posting';
import { startXServer, type XServer } from './x-server';

/** What setUpPosting needs to post to a local Mastodon (with a fresh token of its account) and a local X. */
export const localPlatforms = (mastodon: MastodonServer, x: XServer) => ({
  mastodonUrl: mastodon.url,
  mastodonToken: mastodon.issueToken().accessToken,
  mastodonAccountId: mastodon.account.id,
  xUrl: x.url,
  xToken: x.token,
});

export interface PostingWorld extends TestEngine, PostingSetup {
  mastodon: MastodonServer;
  x: XServer;
}

/**
 * A local Mastodon and a local X, closed after the test, and a test engine set up to post to both
 * (setUpPosting: a client with both accounts connected).
 */
export async function openPostingWorld(options: Parameters<typeof setUpPosting>[2] = {}): Promise<PostingWorld> {
  const mastodon = await startMastodonServer();
  const x = await startXServer();
  closeAfterTest(
    () => mastodon.close(),
    () => x.close(),
  );
  const t = await openTestEngine();
  const setup = await setUpPosting(t.engine, localPlatforms(mastodon, x), options);
  return { ...t, ...setup, mastodon, x };
}
