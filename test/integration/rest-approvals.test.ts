import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../src-shared/errors';
import { clientWithMastodon, rest, startTestApp, type TestApp } from '../support/app';
import { startSmtp } from '../support/smtp';

/**
 * Approvals over REST (issue 13 item 7). Every answer is checked against the OpenAPI document
 * (test/support/app.ts); the permission matrix decides who acts at which stage.
 */

const inHours = (t: TestApp, hours: number) => new Date(t.clock.now().getTime() + hours * 3600_000).toISOString();

async function setUp(policy: 'client' | 'internal_then_client') {
  const t = await startTestApp();
  const { client, platformId } = await clientWithMastodon(t);
  const policySet = await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}/approval-policy`, { policy });
  expect(policySet).toEqual({ status: 200, body: { policy } });
  const clientKey = (await rest(t, 'POST', `/api/v1/workspace/users/${client.id}/api-key`)).body.apiKey as string;
  const asClient = (method: string, path: string, body?: unknown) =>
    rest(t, method, path, body, { 'x-publora-key': clientKey });
  const created = await rest(
    t,
    'POST',
    '/api/v1/post-groups',
    { text: 'Spring sale starts Monday', platformIds: [platformId], scheduledTime: inHours(t, 48) },
    { 'x-publora-user-id': client.id },
  );
  expect(created.status).toBe(201);
  return { t, client, asClient, postId: created.body.id as string };
}

const listed = async (t: TestApp, state: string) => {
  const res = await fetch(`${t.url}/api/v1/post-groups?state=${state}`, {
    headers: { 'x-publora-key': t.workspaceApiKey },
  });
  expect(res.status).toBe(200);
  return {
    total: res.headers.get('x-total-count'),
    ids: ((await res.json()) as { id: string }[]).map((g) => g.id),
  };
};

const errorOf = (answer: { body: unknown }) => ErrorBody.parse(answer.body).error;

describe('approvals over REST', () => {
  it(
    'internal_then_client: the workspace key submits and approves internally, ' +
      'only the client key decides at the client stage',
    async () => {
      const { t, client, asClient, postId } = await setUp('internal_then_client');
      expect(await rest(t, 'GET', `/api/v1/workspace/users/${client.id}/approval-policy`)).toEqual({
        status: 200,
        body: { policy: 'internal_then_client' },
      });
      expect(await listed(t, 'in_review')).toEqual({ total: '0', ids: [] });

      const submitted = await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`, { comment: 'Ready for you' });
      expect(submitted.status).toBe(200);
      expect(submitted.body.approval).toEqual({
        policy: 'internal_then_client',
        state: 'in_review',
        stage: 'internal',
        cleared: false,
      });
      const again = await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`);
      expect(again.status).toBe(409);
      expect(errorOf(again)).toMatchObject({ code: 'conflict', message: 'this post is already in review' });
      expect(await listed(t, 'in_review')).toEqual({ total: '1', ids: [postId] });
      expect(await listed(t, 'approved')).toEqual({ total: '0', ids: [] });

      // The client cannot skip the manager's stage; the workspace key may decide there.
      const early = await asClient('POST', `/api/v1/post-groups/${postId}/approve`);
      expect(early.status).toBe(403);
      expect(errorOf(early).code).toBe('forbidden');
      const internal = await rest(t, 'POST', `/api/v1/post-groups/${postId}/approve`);
      expect(internal.body.approval).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
      // …and no one on the staff approves in the client's name.
      const staffForClient = await rest(t, 'POST', `/api/v1/post-groups/${postId}/approve`);
      expect([staffForClient.status, errorOf(staffForClient).code]).toEqual([403, 'forbidden']);

      // Changes need a comment saying what to change.
      const noComment = await asClient('POST', `/api/v1/post-groups/${postId}/request-changes`, {});
      expect(noComment.status).toBe(400);
      expect(errorOf(noComment)).toMatchObject({
        code: 'validation_failed',
        details: { fields: { comment: expect.any(String) } },
      });
      const changes = await asClient('POST', `/api/v1/post-groups/${postId}/request-changes`, {
        comment: 'Say "this Monday" please',
      });
      expect(changes.body.approval).toMatchObject({ state: 'changes_requested', stage: null });
      expect(await listed(t, 'changes_requested')).toEqual({ total: '1', ids: [postId] });
      expect(await listed(t, 'in_review')).toEqual({ total: '0', ids: [] });

      // Back through both stages after the edit.
      await rest(t, 'PATCH', `/api/v1/post-groups/${postId}`, { text: 'Spring sale starts this Monday' });
      expect((await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`)).body.approval).toMatchObject({
        stage: 'internal',
      });
      await rest(t, 'POST', `/api/v1/post-groups/${postId}/approve`);
      const approved = await asClient('POST', `/api/v1/post-groups/${postId}/approve`, { comment: 'Perfect' });
      expect(approved.body.approval).toEqual({
        policy: 'internal_then_client',
        state: 'approved',
        stage: null,
        cleared: true,
      });
      expect(await listed(t, 'approved')).toEqual({ total: '1', ids: [postId] });
      const late = await asClient('POST', `/api/v1/post-groups/${postId}/request-changes`, { comment: 'Wait' });
      expect([late.status, errorOf(late).code]).toEqual([409, 'conflict']);

      const unknown = await rest(t, 'POST', '/api/v1/post-groups/pg_nothing/approve');
      expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'not_found']);
    },
  );

  it('keeps internal notes from the client key, and names @mentioned members', async () => {
    const { t, asClient, postId } = await setUp('client');
    const note = await rest(t, 'POST', `/api/v1/post-groups/${postId}/comments`, {
      body: 'Check the price first, @olivia.',
      visibility: 'internal',
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ visibility: 'internal', authorName: 'API', mentions: ['Olivia Owner'] });
    const visible = await rest(t, 'POST', `/api/v1/post-groups/${postId}/comments`, { body: 'Draft for next week' });
    expect(visible.body).toMatchObject({ visibility: 'client' });
    const fromClient = await asClient('POST', `/api/v1/post-groups/${postId}/comments`, { body: 'Looks good' });
    expect(fromClient.status).toBe(201);

    const staffSees = await rest(t, 'GET', `/api/v1/post-groups/${postId}/comments`);
    expect((staffSees.body as unknown as { body: string }[]).map((c) => c.body)).toEqual([
      'Check the price first, @olivia.',
      'Draft for next week',
      'Looks good',
    ]);
    const clientSees = await asClient('GET', `/api/v1/post-groups/${postId}/comments`);
    expect((clientSees.body as unknown as { body: string }[]).map((c) => c.body)).toEqual([
      'Draft for next week',
      'Looks good',
    ]);
    const clientNote = await asClient('POST', `/api/v1/post-groups/${postId}/comments`, {
      body: 'secret',
      visibility: 'internal',
    });
    expect([clientNote.status, errorOf(clientNote).code]).toEqual([403, 'forbidden']);
    const empty = await rest(t, 'POST', `/api/v1/post-groups/${postId}/comments`, { body: '   ' });
    expect([empty.status, errorOf(empty).code]).toEqual([400, 'validation_failed']);
  });

  it('makes, lists and revokes approval links; the page answers until revoked', async () => {
    const { t, client, asClient, postId } = await setUp('client');
    await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`);
    const made = await rest(t, 'POST', `/api/v1/workspace/users/${client.id}/approval-links`, {
      postGroupIds: [postId],
      validDays: 3,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ status: 'active', postGroupIds: [postId] });
    expect(made.body.approvalUrl).toMatch(new RegExp(`^${t.url}/approve/[A-Za-z0-9_-]{43}$`));
    expect(new Date(made.body.expiresAt as string).getTime() - t.clock.now().getTime()).toBe(3 * 86_400_000);
    const page = await fetch(made.body.approvalUrl as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Spring sale starts Monday');

    const list = await rest(t, 'GET', `/api/v1/workspace/users/${client.id}/approval-links`);
    expect(list.body).toEqual([expect.objectContaining({ id: made.body.id, status: 'active' })]);
    expect(JSON.stringify(list.body)).not.toContain('approve/');

    // The client's own key does not hand out links.
    const byClient = await asClient('POST', `/api/v1/workspace/users/${client.id}/approval-links`, {});
    expect([byClient.status, errorOf(byClient).code]).toEqual([403, 'forbidden']);
    const tooLong = await rest(t, 'POST', `/api/v1/workspace/users/${client.id}/approval-links`, { validDays: 90 });
    expect([tooLong.status, errorOf(tooLong).code]).toEqual([400, 'validation_failed']);

    const revoked = await rest(t, 'DELETE', `/api/v1/workspace/users/${client.id}/approval-links/${made.body.id}`);
    expect(revoked).toEqual({ status: 200, body: { id: made.body.id, revoked: true } });
    expect((await fetch(made.body.approvalUrl as string)).status).toBe(410);
    const after = await rest(t, 'GET', `/api/v1/workspace/users/${client.id}/approval-links`);
    expect(after.body).toEqual([expect.objectContaining({ status: 'revoked' })]);
    const unknown = await rest(t, 'DELETE', `/api/v1/workspace/users/${client.id}/approval-links/alink_nothing`);
    expect([unknown.status, errorOf(unknown).code]).toEqual([404, 'not_found']);

    // No approval policy: no link to make.
    await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}/approval-policy`, { policy: 'none' });
    const none = await rest(t, 'POST', `/api/v1/workspace/users/${client.id}/approval-links`, {});
    expect([none.status, errorOf(none).code]).toEqual([409, 'conflict']);
    const badPolicy = await rest(t, 'PATCH', `/api/v1/workspace/users/${client.id}/approval-policy`, {
      policy: 'sometimes',
    });
    expect([badPolicy.status, errorOf(badPolicy).code]).toEqual([400, 'validation_failed']);
  });
  it('emails a new link with sendEmail (201: to whom and when, or the send error beside a working link)', async () => {
    const { t, client, postId } = await setUp('client');
    await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`);
    const links = `/api/v1/workspace/users/${client.id}/approval-links`;

    // No SMTP settings: refused, and no link made.
    const noSmtp = await rest(t, 'POST', links, { sendEmail: true });
    expect([noSmtp.status, errorOf(noSmtp)]).toEqual([
      409,
      expect.objectContaining({ code: 'conflict', details: { fields: { sendEmail: 'email is not set up (SMTP)' } } }),
    ]);
    expect((await rest(t, 'GET', links)).body).toEqual([]);

    const smtp = await startSmtp({ auth: false });
    const setSmtp = (port: number) =>
      t.app.engine.call('team.setSmtp', {
        workspaceId: t.workspaceId,
        smtp: { host: '127.0.0.1', port, from: 'team@acme-agency.test' },
      });
    await setSmtp(smtp.port);
    const sent = await rest(t, 'POST', links, { validDays: 2, sendEmail: true });
    expect(sent.status).toBe(201);
    expect(sent.body.email).toEqual({ to: 'casey@client.test', sentAt: t.clock.now().toISOString(), error: null });
    expect(smtp.received.map((m) => [m.rcptTo, m.mail.subject])).toEqual([
      [['casey@client.test'], 'Acme Agency: 1 post for Casey Client Co to approve'],
    ]);
    expect(smtp.received[0]!.mail.text).toContain(sent.body.approvalUrl as string);
    const quiet = await rest(t, 'POST', links, {});
    expect([quiet.status, quiet.body.email]).toEqual([201, null]);
    expect(smtp.received).toHaveLength(1);

    // The server cannot be reached: the link is made and answered, with the SPEC §7 error beside it.
    await setSmtp(9);
    const failed = await rest(t, 'POST', links, { sendEmail: true });
    expect(failed.status).toBe(201);
    expect(failed.body.email).toEqual({
      to: 'casey@client.test',
      sentAt: null,
      error: expect.objectContaining({ code: 'validation_failed', details: { reason: 'ESOCKET' } }),
    });
    expect((await fetch(failed.body.approvalUrl as string)).status).toBe(200);
  });
  it('reads and sets the typo-fix waiver; a typo fix then keeps the approval', async () => {
    const { t, client, asClient, postId } = await setUp('client');
    expect(await rest(t, 'GET', '/api/v1/workspace/approval-settings')).toEqual({
      status: 200,
      body: { typoFixKeepsApproval: false },
    });
    const byClient = await asClient('PATCH', '/api/v1/workspace/approval-settings', { typoFixKeepsApproval: true });
    expect([byClient.status, errorOf(byClient).code]).toEqual([403, 'forbidden']);
    const bad = await rest(t, 'PATCH', '/api/v1/workspace/approval-settings', { typoFixKeepsApproval: 'yes' });
    expect([bad.status, errorOf(bad).code]).toEqual([400, 'validation_failed']);
    expect(await rest(t, 'PATCH', '/api/v1/workspace/approval-settings', { typoFixKeepsApproval: true })).toEqual({
      status: 200,
      body: { typoFixKeepsApproval: true },
    });

    await rest(t, 'POST', `/api/v1/post-groups/${postId}/submit`);
    await asClient('POST', `/api/v1/post-groups/${postId}/approve`);
    const fixed = await rest(t, 'PATCH', `/api/v1/post-groups/${postId}`, { text: 'Spring sale starts Monday.' });
    expect(fixed.body.approval).toMatchObject({ state: 'approved', cleared: true });
    const rewritten = await rest(t, 'PATCH', `/api/v1/post-groups/${postId}`, { text: 'Autumn sale starts Friday.' });
    expect(rewritten.body.approval).toMatchObject({ state: 'in_review', stage: 'client', cleared: false });
    void client;
  });
});
