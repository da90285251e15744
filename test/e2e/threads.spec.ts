import type { Page } from '@playwright/test';
import { composer as composerOf, connectThroughLink, setUpAgency } from './agency';
import { startLinkedInServer } from '../support/linkedin-server';
import { pdsAvailable, startPds, type Pds } from '../support/pds';
import {
  SCRIPTED_CLIENT,
  connectOnLinkPage,
  expect,
  localLinkedInIntegration,
  openConnectionLink,
  openScriptedClient,
  scriptedAgency,
  test,
  localXIntegration,
  connectWithNewLink,
} from './fixtures';

/*
 * Threads and first comments end to end (issue 14 item 4): a person writes a three-part thread in
 * the composer for X and Bluesky (a real PDS) and it goes out once, in order, each part a reply to
 * the one before; a LinkedIn post gets its first comment. The scheduler is the one inside the host.
 */

const peer = pdsAvailable();
const runAgainstPds = peer.available || process.env.CI === 'true';
const skipped = runAgainstPds ? '' : ` (skipped: ${peer.reason})`;

test.describe.configure({ mode: 'default' });
let pds: Pds | undefined;
test.afterAll(async () => {
  await pds?.close();
});

const CLIENT = SCRIPTED_CLIENT;
const connectionsOf = (page: Page) => page.getByRole('region', { name: 'Connections' });

test(`a person writes a three-part thread for X and Bluesky, and it goes out once, in order${skipped}`, async ({
  page,
  host,
  dataDir,
  images,
  localX,
}) => {
  test.skip(!runAgainstPds, peer.reason);
  test.setTimeout(180_000);
  pds ??= await startPds();
  const sky = pds;
  const { x, front } = localX;
  await page.context().route(
    (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
    (route) => route.abort(),
  );
  await scriptedAgency(page, host, dataDir, [
    localXIntegration(front),
    { platform: 'bluesky', instanceUrl: sky.url, issuerUrl: sky.plcUrl },
  ]);
  await openScriptedClient(page);

  // The client connects X, then Bluesky with an app password, from one connection link.
  const { tab, url } = await openConnectionLink(page);
  await connectOnLinkPage(tab, 'X');
  await tab.goto(url);
  await tab.getByRole('link', { name: 'Connect Bluesky' }).click();
  const appPassword = tab
    .locator('form')
    .filter({ has: tab.getByRole('button', { name: 'Connect Bluesky', exact: true }) });
  await appPassword.getByLabel('Handle').fill(sky.handle);
  await appPassword.getByLabel('App password').fill(sky.appPassword);
  await appPassword.getByRole('button', { name: 'Connect Bluesky' }).click();
  await expect(tab.getByRole('heading', { level: 1, name: 'Connected' })).toBeVisible();
  await tab.close();
  const table = connectionsOf(page).getByRole('table', { name: 'Connections' });
  await expect(table.getByRole('row', { name: /^X / })).toContainText('Active');
  await expect(table.getByRole('row', { name: /^Bluesky / })).toContainText('Active');

  // The thread, written in the composer: the post, then two parts, reordered once.
  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const composer = page.getByRole('dialog', { name: 'New post' });
  await composer.getByRole('checkbox', { name: 'X @clientonx', exact: true }).check();
  await composer.getByRole('checkbox', { name: `Bluesky @${sky.handle}`, exact: true }).check();
  // Only the platforms that take one get a first comment: neither does here.
  await expect(composer.getByLabel('First comment', { exact: true })).toHaveCount(0);
  const stamp = Date.now().toString(36);
  const parts = [`What we learned this year 🧵 ${stamp}`, `One: ship small. ${stamp}`, `Two: test honestly. ${stamp}`];
  await composer.getByLabel('Text', { exact: true }).fill(parts[0]!);
  await composer.getByRole('button', { name: 'Make it a thread' }).click();
  await composer.getByLabel('Part 2', { exact: true }).fill(parts[2]!);
  await composer.getByRole('button', { name: 'Add a part' }).click();
  await composer.getByLabel('Part 3', { exact: true }).fill(parts[1]!);
  await composer.getByRole('button', { name: 'Move part 3 up' }).click();
  await expect(composer.getByLabel('Part 2', { exact: true })).toHaveValue(parts[1]!);
  await expect(composer.getByLabel('Part 3', { exact: true })).toHaveValue(parts[2]!);
  // Each account's preview shows the whole thread under the post, in the new order, counted its way.
  const previews = composer.getByRole('complementary', { name: 'Previews' });
  for (const [where, max] of [
    ['X', 280],
    ['Bluesky', 300],
  ] as const) {
    const shown = previews.getByRole('list', { name: `Thread on ${where}` });
    await expect(shown.getByRole('listitem')).toHaveText([
      `${parts[1]}${parts[1]!.length} / ${max}`,
      `${parts[2]}${parts[2]!.length} / ${max}`,
    ]);
  }
  // The last part gets its own picture, uploaded into the client's library from the part itself.
  await composer.getByLabel('Upload images or video for part 3').setInputFiles(images.jpeg);
  await expect(composer.getByRole('list', { name: 'Chosen media for part 3' }).getByRole('listitem')).toHaveText(
    /banner\.jpg/,
  );
  await expect(composer.getByRole('list', { name: 'Chosen media', exact: true })).toHaveCount(0);
  for (const where of ['X', 'Bluesky'])
    await expect(
      previews.getByRole('list', { name: `Thread on ${where}` }).getByRole('listitem', { name: 'Part 3 of 3' }),
    ).toHaveCount(1);

  // Each part has its counter per platform; a part too long for Bluesky is named, and blocks scheduling.
  const counts = composer.getByRole('list', { name: 'Character counts for part 3' });
  await expect(counts.getByRole('listitem', { name: /^X:/ })).toHaveText(`X ${parts[2]!.length} / 280`);
  await expect(counts.getByRole('listitem', { name: /^Bluesky:/ })).toHaveText(`Bluesky ${parts[2]!.length} / 300`);
  await composer.getByLabel('Part 3', { exact: true }).fill('b'.repeat(301));
  await expect(composer.getByTestId('thread-part').nth(1)).toContainText(
    'Bluesky, part 3: the text is 301 characters; the limit is 300',
  );
  await expect(composer.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
  await composer.getByLabel('Part 3', { exact: true }).fill(parts[2]!);
  await expect(composer.getByRole('button', { name: 'Schedule', exact: true })).toBeEnabled();

  // Saved as a draft, then opened again: each part keeps its text and its picture, and it is scheduled from there.
  await composer.getByRole('button', { name: 'Save draft' }).click();
  await expect(composer).toBeHidden();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit post' });
  await expect(edit.getByLabel('Part 3', { exact: true })).toHaveValue(parts[2]!);
  await expect(edit.getByRole('list', { name: 'Chosen media for part 3' })).toContainText('banner.jpg');
  await edit.getByRole('button', { name: 'Now', exact: true }).click();
  await edit.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(edit).toBeHidden();

  // The post page follows the scheduler until both threads are out, and links every part.
  await expect(page.getByRole('heading', { level: 1, name: `Post for ${CLIENT}` })).toBeVisible();
  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 60_000 });
  const thread = page.getByRole('region', { name: 'Thread' });
  await expect(thread.getByRole('list', { name: 'Parts of the thread' }).getByRole('listitem')).toHaveText(parts);

  const tweets = x.tweets();
  expect(tweets.map((t) => [t.text, t.inReplyTo, t.mediaIds.length])).toEqual([
    [parts[0], undefined, 0],
    [parts[1], tweets[0]!.id, 0],
    [parts[2], tweets[1]!.id, 1],
  ]);
  const onX = thread.getByText(/^On X @clientonx:/);
  for (const [i, t] of tweets.entries())
    await expect(onX.getByRole('link', { name: `Part ${i + 1}` })).toHaveAttribute(
      'href',
      `https://x.com/i/web/status/${t.id}`,
    );

  // On the PDS: three posts, the second replying to the first, the third to the second.
  const query = new URLSearchParams({ repo: sky.did, collection: 'app.bsky.feed.post', limit: '100' });
  const listed = (await (await fetch(`${sky.url}/xrpc/com.atproto.repo.listRecords?${query}`)).json()) as {
    records: {
      uri: string;
      value: { text: string; reply?: { parent: { uri: string } }; embed?: { $type: string } };
    }[];
  };
  const mine = listed.records.filter((r) => r.value.text.endsWith(stamp));
  const byText = new Map(mine.map((r) => [r.value.text, r]));
  expect(mine).toHaveLength(3);
  expect(byText.get(parts[0]!)!.value.reply).toBeUndefined();
  expect(byText.get(parts[1]!)!.value.reply?.parent.uri).toBe(byText.get(parts[0]!)!.uri);
  expect(byText.get(parts[2]!)!.value.reply?.parent.uri).toBe(byText.get(parts[1]!)!.uri);
  expect(mine.map((r) => [r.value.text, r.value.embed?.$type ?? null])).toEqual(
    expect.arrayContaining([
      [parts[0], null],
      [parts[1], null],
      [parts[2], 'app.bsky.embed.images'],
    ]),
  );
  await expect(thread.getByText(/^On Bluesky /).getByRole('link')).toHaveCount(3);
});

test('a LinkedIn post gets its first comment, shown and linked on the post page', async ({ page, host, dataDir }) => {
  const li = await startLinkedInServer();
  try {
    await scriptedAgency(page, host, dataDir, [localLinkedInIntegration(li)]);
    await openScriptedClient(page);
    await connectWithNewLink(page, 'LinkedIn');

    await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
    const composer = page.getByRole('dialog', { name: 'New post' });
    await composer.getByRole('checkbox', { name: /^LinkedIn/ }).check();
    // LinkedIn takes no thread, and does take a first comment.
    await expect(composer.getByRole('button', { name: 'Make it a thread' })).toHaveCount(0);
    await composer.getByLabel('Text', { exact: true }).fill('Our spring menu is out.');
    const comment = 'Book a table: https://bakery.example/book';
    await composer.getByLabel('First comment', { exact: true }).fill(comment);
    await expect(
      composer.getByRole('list', { name: 'First comment counts' }).getByRole('listitem', { name: /^LinkedIn:/ }),
    ).toHaveText(`LinkedIn ${comment.length} / 1250`);
    await expect(
      composer.getByRole('complementary', { name: 'Previews' }).getByLabel('First comment on LinkedIn'),
    ).toContainText(`${comment}${comment.length} / 1250`);
    await composer.getByRole('button', { name: 'Now', exact: true }).click();
    await composer.getByRole('button', { name: 'Schedule', exact: true }).click();
    await expect(composer).toBeHidden();

    await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 60_000 });
    const section = page.getByRole('region', { name: 'First comment' });
    await expect(section.getByTestId('first-comment')).toHaveText(comment);
    const [post] = li.posts();
    expect(post!.text).toBe('Our spring menu is out.');
    expect(post!.comments.map((c) => c.text)).toEqual([comment]);
    await expect(section.getByRole('link', { name: 'First comment' })).toHaveAttribute(
      'href',
      `https://www.linkedin.com/feed/update/${post!.urn}/?commentUrn=${encodeURIComponent(post!.comments[0]!.urn)}`,
    );
  } finally {
    await li.close();
  }
});

test('a person adds a poll to an X post, and it goes out with its options and duration', async ({
  page,
  host,
  dataDir,
  localX,
}) => {
  const { x, front } = localX;
  await scriptedAgency(page, host, dataDir, [localXIntegration(front)]);
  await openScriptedClient(page);
  await connectWithNewLink(page, 'X');

  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const composer = page.getByRole('dialog', { name: 'New post' });
  await composer.getByRole('checkbox', { name: 'X @clientonx', exact: true }).check();
  await composer.getByLabel('Text', { exact: true }).fill('Which bread tomorrow?');
  await composer.getByRole('button', { name: 'Add a poll' }).click();
  const poll = composer.getByRole('group', { name: 'Poll' });
  await poll.getByLabel('Option 1', { exact: true }).fill('Sourdough');
  await poll.getByLabel('Option 2', { exact: true }).fill('A rye loaf with caraway seeds');
  // Over X's 25 characters: said under the poll, and the post cannot be scheduled.
  await expect(poll.getByRole('list', { name: 'Poll problems' })).toContainText(
    'X: poll option 2 must have 1 to 25 characters',
  );
  await expect(composer.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
  await poll.getByLabel('Option 2', { exact: true }).fill('Rye');
  await poll.getByRole('button', { name: 'Add an option' }).click();
  await poll.getByLabel('Option 3', { exact: true }).fill('Brioche');
  await poll.getByLabel('Runs for').selectOption({ label: '3 days' });
  await expect(poll.getByRole('list', { name: 'Poll problems' })).toBeHidden();
  const shownPoll = composer.getByRole('complementary', { name: 'Previews' });
  await expect(shownPoll.getByRole('list', { name: 'Poll on X' }).getByRole('listitem')).toHaveText([
    'Sourdough',
    'Rye',
    'Brioche',
  ]);
  await expect(shownPoll).toContainText('Poll · runs for 3 days');
  await composer.getByRole('button', { name: 'Now', exact: true }).click();
  await composer.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(composer).toBeHidden();

  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 60_000 });
  await expect(
    page.getByRole('region', { name: 'Poll' }).getByRole('list', { name: 'Poll options' }).getByRole('listitem'),
  ).toHaveText(['Sourdough', 'Rye', 'Brioche']);
  expect(x.tweets().map((t) => [t.text, t.poll])).toEqual([
    ['Which bread tomorrow?', { options: ['Sourdough', 'Rye', 'Brioche'], durationMinutes: 3 * 24 * 60 }],
  ]);
});

test("a Mastodon instance's own poll bounds: six options there, four once X is chosen too", async ({
  page,
  host,
  dataDir,
}) => {
  const agency = await setUpAgency(page, host, dataDir, {
    instance: {
      polls: { max_options: 6, max_characters_per_option: 80, min_expiration: 300, max_expiration: 604_800 },
    },
  });
  try {
    await connectThroughLink(page, ['Mastodon', 'X']);
    await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
    const composer = composerOf(page);
    await composer.getByRole('checkbox', { name: /^Mastodon/ }).check();
    await composer.getByLabel('Text', { exact: true }).fill('Which cake for the party?');
    await composer.getByRole('button', { name: 'Add a poll' }).click();
    const poll = composer.getByRole('group', { name: 'Poll' });
    const cakes = ['Lemon drizzle', 'Carrot', 'Black forest', 'Victoria sponge', 'Cheesecake', 'Tiramisu'];
    await poll.getByLabel('Option 1', { exact: true }).fill(cakes[0]!);
    await poll.getByLabel('Option 2', { exact: true }).fill(cakes[1]!);
    for (const [i, cake] of cakes.slice(2).entries()) {
      await poll.getByRole('button', { name: 'Add an option' }).click();
      await poll.getByLabel(`Option ${i + 3}`, { exact: true }).fill(cake);
    }
    // Six is this instance's most; Mastodon's own default would stop at four.
    await expect(poll.getByRole('button', { name: 'Add an option' })).toBeDisabled();
    await expect(poll.getByRole('list', { name: 'Poll problems' })).toBeHidden();

    // X takes four: the poll is now too long for it, said under the poll, and it cannot be scheduled.
    await composer.getByRole('checkbox', { name: /^X / }).check();
    await expect(poll.getByRole('list', { name: 'Poll problems' })).toContainText('X: a poll has 2 to 4 options');
    await expect(composer.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
    await composer.getByRole('checkbox', { name: /^X / }).uncheck();

    await composer.getByRole('button', { name: 'Now', exact: true }).click();
    await composer.getByRole('button', { name: 'Schedule', exact: true }).click();
    await expect(composer).toBeHidden();
    await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 60_000 });
    expect(agency.mastodon.statusTexts().map((s) => [s.text, s.poll])).toEqual([
      ['Which cake for the party?', { options: cakes, expiresIn: 86_400 }],
    ]);
  } finally {
    await agency.close();
  }
});
