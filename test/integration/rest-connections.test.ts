import { describe, expect, it } from 'vitest';
import { rest, startTestApp } from '../support/app';
import { startLinkedInServer } from '../support/linkedin-server';
import { addConnection } from '../support/posting';

/*
 * A connection's "post as" over the REST API (SPEC §6, seed 003): the client's own key lists the
 * LinkedIn pages the account administers and chooses one; the workspace key, which acts for no
 * person, may not change whose page a client's account posts as. Every answer is checked against
 * the OpenAPI document by the test app.
 */

const BAKERY = 'urn:li:organization:1001';
const PAGE_SCOPE = 'email,openid,profile,w_member_social,w_organization_social,r_organization_admin';

describe('REST: a connection\'s "post as"', () => {
  it("lets the client's key list its pages and post as one, and refuses the workspace key", async () => {
    const li = await startLinkedInServer({
      administeredOrganizations: [BAKERY],
      organizationNames: { [BAKERY]: 'Northwind Bakery' },
      scope: PAGE_SCOPE,
    });
    try {
      const t = await startTestApp();
      const engine = t.app.engine;
      await engine.call('integration.add', {
        workspaceId: t.workspaceId,
        integration: {
          platform: 'linkedin',
          clientId: li.clientId,
          clientSecret: li.clientSecret,
          instanceUrl: li.url,
          organizationPages: true,
        },
      });
      const client = await engine.call('client.create', {
        workspaceId: t.workspaceId,
        client: { email: 'casey@client.test', displayName: 'Casey Client Co' },
      });
      const platformId = await addConnection(engine.ctx, t.workspaceId, client.id, 'linkedin', li.sub, {
        accessToken: li.accessToken,
        refreshToken: li.refreshToken,
        scope: PAGE_SCOPE,
      });

      const call = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
        rest(t, method, path, body, { 'x-publora-key': key, ...headers }) as Promise<{
          status: number;
          body: Record<string, unknown> & { error?: { code: string; message: string } };
        }>;
      const issued = await call(t.workspaceApiKey, 'POST', `/api/v1/workspace/users/${client.id}/api-key`);
      expect(issued.status).toBe(200);
      const clientKey = issued.body.apiKey as string;
      const asWorkspace = { 'x-publora-user-id': client.id };

      // The workspace key may see the connection but not choose who it posts as.
      const refusedList = await call(
        t.workspaceApiKey,
        'GET',
        `/api/v1/connections/${platformId}/pages`,
        undefined,
        asWorkspace,
      );
      expect(refusedList.status).toBe(403);
      expect(refusedList.body.error?.code).toBe('forbidden');
      const refusedChange = await call(
        t.workspaceApiKey,
        'PATCH',
        `/api/v1/connections/${platformId}`,
        { postAs: BAKERY },
        asWorkspace,
      );
      expect(refusedChange.status).toBe(403);

      // The client's own key may.
      const pages = await call(clientKey, 'GET', `/api/v1/connections/${platformId}/pages`);
      expect(pages).toEqual({ status: 200, body: [{ urn: BAKERY, name: 'Northwind Bakery' }] });
      const changed = await call(clientKey, 'PATCH', `/api/v1/connections/${platformId}`, { postAs: BAKERY });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ platformId, postAs: BAKERY, canChangePostAs: true });
      expect(
        (await engine.call('connection.credentials', { workspaceId: t.workspaceId, userId: client.id, platformId }))
          .postAs,
      ).toBe(BAKERY);

      // Bad input is refused in the SPEC §7 shape and changes nothing.
      const bad = await call(clientKey, 'PATCH', `/api/v1/connections/${platformId}`, {
        postAs: 'urn:li:person:someone',
        extra: 1,
      });
      expect(bad.status).toBe(400);
      const malformed = await call(clientKey, 'PATCH', `/api/v1/connections/${platformId}`, { postAs: 'not a urn' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error?.code).toBe('validation_failed');
      expect(
        (await engine.call('connection.credentials', { workspaceId: t.workspaceId, userId: client.id, platformId }))
          .postAs,
      ).toBe(BAKERY);

      const back = await call(clientKey, 'PATCH', `/api/v1/connections/${platformId}`, { postAs: null });
      expect(back.body).toMatchObject({ postAs: null });
      expect((await call(clientKey, 'GET', '/api/v1/connections/linkedin-nobody/pages')).status).toBe(404);
    } finally {
      await li.close();
    }
  });
});
