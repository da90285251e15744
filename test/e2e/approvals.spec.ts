import type { Page } from '@playwright/test';
import { startSmtpServer } from '../support/smtp-server';
import { expect, signInAs, type Host, joinWithInvitation } from './fixtures';
import { CLIENT, composer, connectThroughLink, go, test, postNowFromBanner, type Agency } from './agency';

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

/** Eddie, an editor of the agency's client, and Mona, a manager, invited by the agency's script. */
async function inviteEditorAndManager(host: Host, agency: Agency) {
  const editorCode = await inviteByApi(host.apiUrl, agency.workspaceKey, {
    email: 'eddie@agency.example',
    role: 'editor',
    managedUserIds: [agency.userId],
  });
  const managerCode = await inviteByApi(host.apiUrl, agency.workspaceKey, {
    email: 'mona@agency.example',
    role: 'manager',
  });
  return { editorCode, managerCode };
}

async function joinAs(page: Page, code: string, name: string) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await joinWithInvitation(page, { code, name, password: PASSWORD });
}

/** Reviews in the main navigation, then the post whose text matches `post` in the board's `column`. */
async function openFromReviews(page: Page, column: 'Scheduled' | 'Changes requested', post: RegExp) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: /^Reviews/ })
    .click();
  await page.getByRole('list', { name: column }).getByRole('button', { name: post }).click();
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
 * Issue 13 item 9: client approvals end to end, as people do it. An editor writes a post for a
 * client whose posts need the client's approval; a manager submits it and emails the client an
 * approval link (item 5); the client opens the link from the email in their own browser (no
 * account, a phone), asks for a change with a comment; the editor fixes it and submits it again;
 * the client approves; the post goes out once to the local Mastodon server.
 */

test('the client approves through their link: changes requested, fixed, approved, published once', async ({
  page,
  agency,
  browser,
  host,
}) => {
  const smtp = await startSmtpServer({ auth: false });
  try {
    await connectThroughLink(page, ['Mastodon']);

    // The policy on the client's page.
    const approval = page.getByRole('region', { name: 'Approval' });
    await approval.getByLabel('Who approves posts').selectOption({ label: 'The client approves' });
    await approval.getByRole('button', { name: 'Save approval policy' }).click();
    await expect(approval.getByRole('status')).toHaveText('Saved: the client approves.');
    // No email yet: the page says so beside the link's form (links are then copied by hand).
    await expect(approval.getByRole('form', { name: 'New approval link' })).toContainText(
      'Email is not set up for this workspace',
    );
    await expect(approval.getByLabel(/^Email it to/)).toHaveCount(0);

    // The owner sets up the workspace's email (SMTP) in Settings.
    await go(page, 'Settings');
    const email = page.getByRole('region', { name: 'Email', exact: true });
    await email.getByLabel('SMTP server').fill('127.0.0.1');
    await email.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await email.getByLabel('From address').fill('team@agency.example');
    await email.getByRole('button', { name: 'Save email settings' }).click();
    await expect(email.getByRole('status')).toHaveText('Saved: invitations and approval links can be emailed.');
    await expect(email).toContainText(`127.0.0.1:${smtp.port}`);

    const { editorCode, managerCode } = await inviteEditorAndManager(host, agency);

    // The editor writes a post for now: it waits, since nobody approved it.
    await joinAs(page, editorCode, 'Eddie Editor');
    await postNowFromBanner(page, ['Mastodon @agency'], 'Spring sale starts Monday');
    await expect(page.getByRole('heading', { level: 1, name: `Post for ${CLIENT}` })).toBeVisible();
    const state = page.getByTestId('approval-state');
    await expect(state).toContainText('Not submitted yet');

    // The manager finds it on the board and submits it; the staff cannot approve for the client.
    await joinAs(page, managerCode, 'Mona Manager');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await openFromReviews(page, 'Scheduled', /Spring sale starts Monday/);
    await expect(state).toContainText('Not submitted yet');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await expect(state).toContainText('In review: waiting for the client.');
    await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await nav.getByRole('button', { name: /^Reviews/ }).click();
    const inReview = page.getByRole('list', { name: 'In review' });
    await expect(inReview.getByRole('listitem')).toHaveCount(1);
    await expect(inReview).toContainText('Spring sale starts Monday');
    await expect(inReview.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

    // An approval link, made on the client's page and emailed to the client.
    await go(page, 'Clients');
    await page
      .getByRole('list', { name: 'Clients' })
      .getByRole('button', { name: new RegExp(CLIENT) })
      .click();
    await approval.getByLabel('Works for (days)').fill('3');
    await expect(approval.getByLabel('Email it to casey@client.test')).toBeChecked();
    await approval.getByRole('button', { name: 'New approval link' }).click();
    const field = approval.getByLabel('Approval link', { exact: true });
    await expect(field).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/approve\/[\w-]{43}$/);
    await expect(approval).toContainText('Emailed to casey@client.test at');
    await expect(approval.getByRole('table', { name: 'Approval links' })).toContainText('Active');
    const link = await field.inputValue();
    expect(smtp.received).toHaveLength(1);
    const { mail, rcptTo } = smtp.received[0]!;
    expect(rcptTo).toEqual(['casey@client.test']);
    expect(mail.subject).toBe(`Northwind Social: 1 post for ${CLIENT} to approve`);
    expect(mail.text).toContain('1 post is waiting for your approval.');
    expect(mail.text).toMatch(/The link works until \d{1,2} \w+ \d{4} at \d\d:\d\d \(Asia\/Tokyo\)/);
    const emailed = /^(http:\/\/\S+\/approve\/\S+)$/m.exec(mail.text ?? '')?.[1];
    expect(emailed).toBe(link);

    // The client, in a browser of their own, opens the link from the email and asks for a change.
    const clientContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const client = await clientContext.newPage();
      await client.goto(emailed!);
      await expect(client.getByRole('heading', { level: 1, name: `Posts for ${CLIENT}` })).toBeVisible();
      const post = client.getByRole('region', { name: 'Post' });
      await expect(post).toContainText('Spring sale starts Monday');
      await post.getByLabel('What should change?').fill('Please say "this Monday".');
      await post.getByRole('button', { name: 'Request changes' }).click();
      await expect(client.getByRole('status')).toHaveText('Sent: your agency will make the changes.');
      await expect(client.getByText('Nothing is waiting for your approval right now.')).toBeVisible();

      // Staff are told at once (a toast, pushed).
      const toasts = page.getByRole('region', { name: 'Notifications' });
      await expect(toasts).toContainText(`${CLIENT} asked for changes to a post.`);

      // The editor fixes it, from the board's Changes requested column, and submits it again.
      await signInAs(page, 'Eddie Editor', PASSWORD);
      await openFromReviews(page, 'Changes requested', /Spring sale starts Monday/);
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
      await client.goto(emailed!);
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
    await smtp.close();
  }
});

test('internal_then_client: an editor submits but cannot approve, a manager approves, then the client', async ({
  page,
  agency,
  host,
}) => {
  await connectThroughLink(page, ['Mastodon']);
  const approval = page.getByRole('region', { name: 'Approval' });
  await approval.getByLabel('Who approves posts').selectOption({ label: 'A manager approves, then the client' });
  await approval.getByRole('button', { name: 'Save approval policy' }).click();
  await expect(approval.getByRole('status')).toHaveText('Saved: a manager approves, then the client.');

  // The owner lets typo fixes keep an approval (Settings → Approvals; off by default).
  await go(page, 'Settings');
  const approvals = page.getByRole('region', { name: 'Approvals', exact: true });
  const waiver = approvals.getByRole('checkbox', { name: 'Typo fixes keep an approval' });
  await expect(waiver).not.toBeChecked();
  await waiver.check();
  await expect(approvals.getByRole('status')).toHaveText('Saved: typo fixes keep an approval.');

  const { editorCode, managerCode } = await inviteEditorAndManager(host, agency);

  // The editor writes and submits; approving is not theirs.
  await joinAs(page, editorCode, 'Eddie Editor');
  await postNowFromBanner(page, ['Mastodon @agency'], 'Autumn menu is here');
  const state = page.getByTestId('approval-state');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(state).toContainText('In review: waiting for a manager.');
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Request changes' })).toHaveCount(0);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByTestId('review-count')).toHaveCount(0);
  await nav.getByRole('button', { name: /^Reviews/ }).click();
  await expect(page.getByRole('list', { name: 'In review' })).toContainText('Autumn menu is here');
  await expect(page.getByRole('list', { name: 'In review' }).getByRole('button', { name: /^Approve/ })).toHaveCount(0);

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

  // A typo fix keeps the manager's approval (the waiver is on): still waiting for the client.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = composer(page, 'Edit post');
  await edit.getByLabel('Text', { exact: true }).fill('Autumn menu is here!');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(state).toContainText('In review: waiting for the client.');
  const made = await fetch(`${host.apiUrl}/api/v1/workspace/users/${agency.userId}/approval-links`, {
    method: 'POST',
    headers: { 'x-publora-key': agency.workspaceKey, 'content-type': 'application/json' },
    body: JSON.stringify({}),
  });
  expect(made.status).toBe(201);
  await clientDecides(page, ((await made.json()) as { approvalUrl: string }).approvalUrl, 'Autumn menu is here!');

  await expect(state).toContainText('Approved: it goes out at its time.');
  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
  expect(agency.mastodon.statusTexts()).toEqual([
    expect.objectContaining({ text: 'Autumn menu is here!', deleted: false }),
  ]);
});
