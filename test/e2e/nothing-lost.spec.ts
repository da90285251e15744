import { expect } from './fixtures';
import { DateTime } from 'luxon';
import { CLIENT, compose, composer, connectThroughLink, test } from './agency';

/*
 * Issue 10 item 2, "nothing typed is lost", as a person meets it: Escape no longer throws the text
 * away, a reload keeps it, a draft over a platform's limit can be saved, and a date in the past
 * asks "publish now?" instead of going out at once.
 */

const MASTODON = 'Mastodon @agency';

test('the composer keeps what is typed: Escape asks, a reload restores, discarding empties', async ({
  page,
  agency,
}) => {
  await connectThroughLink(page, ['Mastodon']);
  const newPost = page.getByRole('main').getByRole('button', { name: 'New post' });
  await newPost.click();
  const dialog = composer(page);
  const text = 'Our autumn menu is here: pumpkin soup, apple pie and a new chai.';
  await compose(dialog, [MASTODON], text);

  // Escape with changes asks; Escape on the question goes back to the text.
  await page.keyboard.press('Escape');
  const ask = page.getByRole('alertdialog', { name: 'Close the composer?' });
  await expect(ask).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(ask).toBeHidden();
  await expect(dialog.getByLabel('Text', { exact: true })).toHaveValue(text);

  // Closed and kept: a reload of the app brings it back.
  await page.keyboard.press('Escape');
  await ask.getByRole('button', { name: 'Close, keep them for later' }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  const anywhere = page.getByRole('banner').getByRole('button', { name: 'New post' });
  await anywhere.click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Restored what you typed' })).toBeVisible();
  await expect(dialog.getByLabel('Client', { exact: true })).toHaveValue(agency.userId);
  await expect(dialog.getByLabel('Text', { exact: true })).toHaveValue(text);
  await expect(dialog.getByRole('checkbox', { name: MASTODON, exact: true })).toBeChecked();

  // Cancel asks too; "Discard changes" empties it for good.
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await ask.getByRole('button', { name: 'Discard changes' }).click();
  await expect(dialog).toBeHidden();
  await anywhere.click();
  await expect(dialog.getByLabel('Text', { exact: true })).toHaveValue('');
  await expect(dialog.getByRole('status').filter({ hasText: 'Restored' })).toHaveCount(0);

  // Nothing typed: Escape closes at once.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(ask).toBeHidden();
});

test('a draft over the limit is saved and scheduled once it fits; a past time asks "publish now?"', async ({
  page,
  agency,
}) => {
  await connectThroughLink(page, ['Mastodon']);
  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const dialog = composer(page);

  // 600 characters for Mastodon's 500: Save draft works, scheduling waits.
  const long = `A long thought. ${'o'.repeat(584)}`;
  await compose(dialog, [MASTODON], long);
  await expect(dialog.getByRole('list', { name: 'Problems' })).toContainText(
    'Mastodon: the text is 600 characters; the limit is 500',
  );
  await expect(dialog.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Save draft', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: `Post for ${CLIENT}` })).toBeVisible();
  await expect(page.getByTestId('post-status')).toHaveText('Draft');

  // Editing it: the limit applies when scheduling.
  await page.getByRole('main').getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = composer(page, 'Edit post');
  await expect(edit.getByLabel('Text', { exact: true })).toHaveValue(long);
  await expect(edit.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
  await edit.getByLabel('Text', { exact: true }).fill('A short thought.');

  // A date in the past asks first; "Choose another time" leaves everything as it was.
  await edit.getByLabel('Date and time').fill('2020-01-01T09:00');
  await edit.getByRole('button', { name: 'Schedule', exact: true }).click();
  const past = page.getByRole('alertdialog', { name: 'That time has passed' });
  await expect(past).toContainText('is in the past. Publish the post now instead?');
  await past.getByRole('button', { name: 'Choose another time' }).click();
  await expect(past).toBeHidden();
  await expect(edit).toBeVisible();
  expect(agency.mastodon.statusTexts()).toEqual([]);

  await edit.getByRole('button', { name: 'Schedule', exact: true }).click();
  await past.getByRole('button', { name: 'Publish now' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
  expect(agency.mastodon.statusTexts()).toEqual([expect.objectContaining({ text: 'A short thought.' })]);
});

test("a client's new time zone asks whether queued posts keep their local times", async ({ page, agency, host }) => {
  await connectThroughLink(page, ['Mastodon']);
  // A post queued by the agency's script for 09:00 in Tokyo, three days from now.
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${host.apiUrl}${path}`, {
      ...init,
      headers: {
        'x-publora-key': agency.workspaceKey,
        'x-publora-user-id': agency.userId,
        'content-type': 'application/json',
      },
    });
  const accounts = (await (await api(`/api/v1/connections`)).json()) as { platformId: string }[];
  const day = DateTime.now().setZone('Asia/Tokyo').plus({ days: 3 }).toISODate()!;
  const created = await api('/api/v1/post-groups', {
    method: 'POST',
    body: JSON.stringify({
      text: 'Good morning, Tokyo',
      platformIds: [accounts[0]!.platformId],
      scheduledTime: `${day}T09:00:00+09:00`,
    }),
  });
  expect(created.status).toBe(201);
  const postId = ((await created.json()) as { id: string }).id;

  // The bad input of the issue: the zone changed, and nothing said what happens to the queue.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Timezone').fill('Europe/Paris');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const ask = page.getByRole('alertdialog', { name: `Move ${CLIENT}'s queued posts?` });
  await expect(ask).toContainText('1 post is queued');
  await ask.getByRole('button', { name: 'Keep local times' }).click();
  await expect(ask).toBeHidden();
  await expect(
    page.getByRole('term').filter({ hasText: 'Timezone' }).locator('xpath=following-sibling::dd[1]'),
  ).toHaveText('Europe/Paris');

  const post = (await (await api(`/api/v1/post-groups/${postId}`)).json()) as { scheduledTime: string };
  expect(DateTime.fromISO(post.scheduledTime, { zone: 'Europe/Paris' }).toFormat("yyyy-LL-dd'T'HH:mm")).toBe(
    `${day}T09:00`,
  );
});
