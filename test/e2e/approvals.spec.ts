import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { CLIENT, compose, composer, connectThroughLink, go, setUpAgency } from './agency';

const PASSWORD = 'correct horse battery';

/** A teammate invited by the agency's script (workspace key), who then joins in the app. */
async function inviteByApi(apiUrl: string, key: string, body: object): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/workspace/invitations`, {
    method: 'POST',
    headers: { 'x-publora-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, skipInvitationEmail: true }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

async function joinAs(page: Page, code: string, name: string) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  const form = page.getByRole('form', { name: 'Join with an invitation' });
  await form.getByLabel('Invitation code or link').fill(code);
  await form.getByLabel('Your name').fill(name);
  await form.getByLabel('Choose a password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('banner')).toContainText(name);
}

/** The client decides on the one post waiting for them, in a browser of their own (phone-sized). */
async function clientDecides(page: Page, link: string, expectText: string) {
  const context = await page
    .context()
    .browser()!
    .newContext({ viewport: { width: 390, height: 844 } });
  try {
    const client = await context.newPage();
    await client.goto(link);
    const post = client.getByRole('region', { name: 'Post' });
    await expect(post).toContainText(expectText);
    await post.getByRole('button', { name: 'Approve' }).click();
    await expect(client.getByRole('status')).toHaveText('Approved. Thank you!');
  } finally {
    await context.close();
  }
}

/*
 * Issue 13 item 9: client approvals end to end, as people do it. Staff write and submit a post for
 * a client whose posts need the client's approval; the client opens the approval link in their
 * own browser (no account), asks for a change with a comment; staff see the comment, edit and
 * submit again; the client approves; the post goes out once to the local Mastodon server.
 */

test('the client approves through their link: changes requested, fixed, approved, published once', async ({
  page,
  browser,
  host,
  dataDir,
}) => {
  const agency = await setUpAgency(page, host, dataDir);
  try {
    await connectThroughLink(page, ['Mastodon']);

    // The policy on the client's page.
    const approval = page.getByRole('region', { name: 'Approval' });
    await approval.getByLabel('Who approves posts').selectOption({ label: 'The client approves' });
    await approval.getByRole('button', { name: 'Save approval policy' }).click();
    await expect(approval.getByRole('status')).toHaveText('Saved: the client approves.');

    // A post for now: it waits, since nobody approved it.
    await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
    const dialog = composer(page);
    await compose(dialog, ['Mastodon @agency'], 'Spring sale starts Monday');
    await dialog.getByRole('button', { name: 'Now', exact: true }).click();
    await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: `Post for ${CLIENT}` })).toBeVisible();
    const state = page.getByTestId('approval-state');
    await expect(state).toContainText('Not submitted yet');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(state).toContainText('In review: waiting for the client.');
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

    // The board lists it under In review; the staff cannot approve for the client.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Reviews/ })
      .click();
    const inReview = page.getByRole('list', { name: 'In review' });
    await expect(inReview.getByRole('listitem')).toHaveCount(1);
    await expect(inReview).toContainText('Spring sale starts Monday');
    await expect(inReview.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

    // An approval link, made on the client's page.
    await go(page, 'Clients');
    await page
      .getByRole('list', { name: 'Clients' })
      .getByRole('button', { name: new RegExp(CLIENT) })
      .click();
    await approval.getByLabel('Works for (days)').fill('3');
    await approval.getByRole('button', { name: 'New approval link' }).click();
    const field = approval.getByLabel('Approval link', { exact: true });
    await expect(field).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/approve\/[\w-]{43}$/);
    const link = await field.inputValue();
    await expect(approval.getByRole('table', { name: 'Approval links' })).toContainText('Active');

    // The client, in a browser of their own, asks for a change.
    const clientContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const client = await clientContext.newPage();
      await client.goto(link);
      await expect(client.getByRole('heading', { level: 1, name: `Posts for ${CLIENT}` })).toBeVisible();
      const post = client.getByRole('region', { name: 'Post' });
      await expect(post).toContainText('Spring sale starts Monday');
      await post.getByLabel('What should change?').fill('Please say "this Monday".');
      await post.getByRole('button', { name: 'Request changes' }).click();
      await expect(client.getByRole('status')).toHaveText('Sent: your agency will make the changes.');
      await expect(client.getByText('Nothing is waiting for your approval right now.')).toBeVisible();

      // Staff are told at once (a toast, pushed); it leads to the post with the comment.
      const toasts = page.getByRole('region', { name: 'Notifications' });
      await expect(toasts).toContainText(`${CLIENT} asked for changes to a post.`);
      await toasts.getByRole('button', { name: 'Open post' }).click();
      await expect(state).toContainText('Changes were requested');
      const comments = page.getByRole('list', { name: 'Comments' });
      await expect(comments).toContainText('Please say "this Monday".');
      await expect(comments).toContainText('client, through the approval link');
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      const edit = composer(page, 'Edit post');
      await edit.getByLabel('Text', { exact: true }).fill('Spring sale starts this Monday');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect(edit).toBeHidden();
      await page.getByRole('button', { name: 'Submit again for review' }).click();
      await expect(state).toContainText('In review: waiting for the client.');
      expect(agency.mastodon.statusTexts()).toEqual([]);

      // The same link (opened again) shows the new text; the client approves.
      await client.goto(link);
      await expect(post).toContainText('Spring sale starts this Monday');
      await post.getByRole('button', { name: 'Approve' }).click();
      await expect(client.getByRole('status')).toHaveText('Approved. Thank you!');
    } finally {
      await clientContext.close();
    }

    // Its time has passed while it waited: it goes out at once, once.
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText(
      `${CLIENT} approved a post: it goes out at its time.`,
    );
    await expect(state).toContainText('Approved: it goes out at its time.');
    await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
    expect(agency.mastodon.statusTexts()).toEqual([
      expect.objectContaining({ text: 'Spring sale starts this Monday', deleted: false }),
    ]);
  } finally {
    await agency.close();
  }
});

test('internal_then_client: an editor submits but cannot approve, a manager approves, then the client', async ({
  page,
  host,
  dataDir,
}) => {
  const agency = await setUpAgency(page, host, dataDir);
  try {
    await connectThroughLink(page, ['Mastodon']);
    const approval = page.getByRole('region', { name: 'Approval' });
    await approval.getByLabel('Who approves posts').selectOption({ label: 'A manager approves, then the client' });
    await approval.getByRole('button', { name: 'Save approval policy' }).click();
    await expect(approval.getByRole('status')).toHaveText('Saved: a manager approves, then the client.');

    const editorCode = await inviteByApi(host.apiUrl, agency.workspaceKey, {
      email: 'eddie@agency.example',
      role: 'editor',
      managedUserIds: [agency.userId],
    });
    const managerCode = await inviteByApi(host.apiUrl, agency.workspaceKey, {
      email: 'mona@agency.example',
      role: 'manager',
    });

    // The editor writes and submits; approving is not theirs.
    await joinAs(page, editorCode, 'Eddie Editor');
    await page.getByRole('banner').getByRole('button', { name: 'New post' }).click();
    const dialog = composer(page);
    await dialog.getByLabel('Client', { exact: true }).selectOption({ label: CLIENT });
    await compose(dialog, ['Mastodon @agency'], 'Autumn menu is here');
    await dialog.getByRole('button', { name: 'Now', exact: true }).click();
    await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
    await expect(dialog).toBeHidden();
    const state = page.getByTestId('approval-state');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(state).toContainText('In review: waiting for a manager.');
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Request changes' })).toHaveCount(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByTestId('review-count')).toHaveCount(0);
    await nav.getByRole('button', { name: /^Reviews/ }).click();
    await expect(page.getByRole('list', { name: 'In review' })).toContainText('Autumn menu is here');
    await expect(page.getByRole('list', { name: 'In review' }).getByRole('button', { name: /^Approve/ })).toHaveCount(
      0,
    );

    // The manager sees it waiting for them, and approves it from the board.
    await joinAs(page, managerCode, 'Mona Manager');
    await expect(nav.getByTestId('review-count')).toHaveText(/^1/);
    await nav.getByRole('button', { name: /^Reviews/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Reviews' })).toBeVisible();
    await page
      .getByRole('list', { name: 'In review' })
      .getByRole('button', { name: /^Approve / })
      .click();
    const decide = page.getByRole('dialog', { name: 'Approve this post' });
    await decide.getByLabel('Comment (optional)').fill('Good to go, @eddie.');
    await decide.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(decide).toBeHidden();
    await expect(nav.getByTestId('review-count')).toHaveCount(0);
    expect(agency.mastodon.statusTexts()).toEqual([]);

    // The client's stage: the manager cannot decide it; the client does, through a link.
    await page
      .getByRole('list', { name: 'In review' })
      .getByRole('button', { name: /Autumn menu is here/ })
      .click();
    await expect(state).toContainText('In review: waiting for the client.');
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    const comments = page.getByRole('list', { name: 'Comments' });
    await expect(comments.locator('mark.mention')).toHaveText('@Eddie Editor');
    const made = await fetch(`${host.apiUrl}/api/v1/workspace/users/${agency.userId}/approval-links`, {
      method: 'POST',
      headers: { 'x-publora-key': agency.workspaceKey, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(made.status).toBe(201);
    await clientDecides(page, ((await made.json()) as { approvalUrl: string }).approvalUrl, 'Autumn menu is here');

    await expect(state).toContainText('Approved: it goes out at its time.');
    await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
    expect(agency.mastodon.statusTexts()).toEqual([
      expect.objectContaining({ text: 'Autumn menu is here', deleted: false }),
    ]);
  } finally {
    await agency.close();
  }
});
