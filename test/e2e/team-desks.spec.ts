import type { Page } from '@playwright/test';
import { startCuttableLink, type CuttableLink } from '../support/cuttable-link';
import { startMastodonServer, type MastodonServer } from '../support/mastodon-server';
import { startDeskProcess, type Desk } from '../support/desk-process';
import { startKeyringSession, type KeyringSession } from '../support/private-keyring';
import {
  DeskSocket,
  deskSignIn,
  freePort,
  makeTestCertificate,
  startHostProcess,
  type HostProcess,
} from '../support/team-host-process';
import { compose, composer } from './agency';
import {
  connectAsClient,
  connectionRow,
  expect,
  test,
  go,
  HOST_OWNER,
  hostStatus,
  joinTeamHost,
  registeredMastodonIntegration,
  newClientLinkOnHost,
} from './fixtures';

/*
 * Issue 12 item 8: a team host (the real `postroom host` command, on TLS with a certificate this
 * test makes) and two desks in team mode, each a browser host (`postroom serve`) with its own data
 * folder and its own keyring session (a D-Bus session and gnome-keyring of its own), trusting the
 * test CA the ordinary Node way (NODE_EXTRA_CA_CERTS). Two people, each in a
 * browser context of their own, do what they would: the owner joins from desk A, invites an
 * editor, who joins from desk B; a client connects their account through a link in a third
 * context that has nothing of the desks; the editor drafts and the owner sees it appear, then
 * schedules it and the host publishes it once; desk B loses the host (its network is cut: the host
 * sits behind a relay on its public port, ../support/cuttable-link.ts), drafts three posts and
 * edits one, and when it is back the owner sees each once; the owner forces the editor out and
 * desk B is signed out at once.
 */

const EDITOR = { name: 'Eddie Editor', password: 'editor password 42' };

const draftsList = (page: Page) => page.getByRole('list', { name: 'Drafts' });

test(
  'two desks on one team host: join, invite, connect through a link, a draft seen live and published once, ' +
    'drafts made offline arrive once, force logout, lists kept offline',
  async ({ page, browser, tempFolder }) => {
    // Three processes start here (the host and two desks), each loading the app through tsx.
    test.setTimeout(240_000);
    const tls = await makeTestCertificate(tempFolder('postroom-e2e-tls-'));
    let host: HostProcess | null = null;
    let mastodon: MastodonServer | null = null;
    let network: CuttableLink | null = null;
    const desks: Desk[] = [];
    const keyrings: KeyringSession[] = [];
    try {
      mastodon = await startMastodonServer();
      // The host listens on a port of its own; its public port is the relay's, whose link to desk B can be cut.
      const [publicPort, listenPort] = [await freePort(), await freePort()];
      host = await startHostProcess({ tls, dataDir: tempFolder('postroom-e2e-host-'), port: publicPort, listenPort });
      expect(host.ownerCode, host.output()).toBeTruthy();
      network = await startCuttableLink({ port: publicPort, targetPort: listenPort });
      const [keyringA, keyringB] = [startKeyringSession(), startKeyringSession()];
      keyrings.push(keyringA, keyringB);
      const deskADir = tempFolder('postroom-e2e-desk-a-');
      const deskBDir = tempFolder('postroom-e2e-desk-b-');
      const deskA = await startDeskProcess(deskADir, tls, keyringA);
      desks.push(deskA);
      const deskB = await startDeskProcess(deskBDir, tls, keyringB);
      desks.push(deskB);
      const hostName = new URL(host.url).host;

      // 1. The owner joins from desk A with the code the host printed at its first start.
      await page.goto(deskA.uiUrl);
      await joinTeamHost(page, { hostUrl: host.url, code: host.ownerCode!, ...HOST_OWNER });
      await expect(hostStatus(page)).toHaveText(`Connected to Acme Agency (${hostName}).`);

      // The agency's Mastodon app, registered for the host's public callback, added as a script would.
      const integration = await registeredMastodonIntegration({ apiUrl: host.url }, mastodon.url);
      const script = await deskSignIn(host.url, tls.ca, { email: HOST_OWNER.email, password: HOST_OWNER.password });
      expect(script.status, script.text).toBe(200);
      const socket = await DeskSocket.open(host.url, tls.ca, script.body.sessionToken);
      const added = await socket.change('integration.add', {
        workspaceId: script.body.workspace.id,
        integration,
      });
      expect(added.ok, JSON.stringify(added)).toBe(true);
      socket.close();

      // A client made on desk A, with a connection link on the host's public address.
      const link = await newClientLinkOnHost(page, host.url, { email: 'north@clients.example', name: 'Northwind' });

      // 2. The client opens it in a browser that has nothing of the desks, and connects Mastodon.
      await connectAsClient(browser, link, 'Mastodon', { agency: 'Acme Agency', ignoreHTTPSErrors: true });
      // Pushed from the host to desk A: the list refreshes without a reload.
      await expect(connectionRow(page, 'Mastodon')).toContainText('Active');

      // 3. The owner invites an editor for Northwind; the editor joins from desk B with the code.
      await go(page, 'Team');
      const invite = page.getByRole('form', { name: 'Invite a team member' });
      await invite.getByLabel('Email', { exact: true }).fill('eddie@agency.test');
      await invite.getByLabel('Role', { exact: true }).selectOption({ label: 'Editor' });
      await invite.getByRole('checkbox', { name: 'Northwind' }).check();
      await invite.getByRole('checkbox', { name: /Skip the invitation email/ }).check();
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      const codeField = page.getByLabel('Invitation code', { exact: true });
      await expect(codeField).not.toHaveValue('');
      const code = await codeField.inputValue();

      const editorContext = await browser.newContext();
      const pageB = await editorContext.newPage();
      await pageB.goto(deskB.uiUrl);
      await joinTeamHost(pageB, { hostUrl: host.url, code, ...EDITOR });
      await expect(hostStatus(pageB)).toHaveText(`Connected to Acme Agency (${hostName}).`);
      // Each desk's session is in its own keyring, and only there.
      expect(keyringA.accounts('Postroom').filter((a) => a.startsWith('desk-session:'))).toEqual([
        `desk-session:${deskADir}:${host.url}`,
      ]);
      expect(keyringB.accounts('Postroom').filter((a) => a.startsWith('desk-session:'))).toEqual([
        `desk-session:${deskBDir}:${host.url}`,
      ]);

      // 4. The editor drafts a post for Northwind; it appears on desk A without a reload.
      await go(page, 'Drafts');
      await pageB.getByRole('banner').getByRole('button', { name: 'New post' }).click();
      const draft = composer(pageB);
      await draft.getByLabel('Client', { exact: true }).selectOption({ label: 'Northwind' });
      await compose(draft, ['Mastodon @agency'], 'Drafted on desk B');
      await draft.getByRole('button', { name: 'Save draft' }).click();
      await expect(draft).toBeHidden();
      await expect(page.getByRole('list', { name: 'Drafts' })).toContainText('Drafted on desk B');

      // 5. The owner schedules it for now from desk A; the host publishes it, once, to Mastodon.
      await page
        .getByRole('list', { name: 'Drafts' })
        .getByRole('button', { name: /^Edit / })
        .click();
      const edit = composer(page, 'Edit post');
      await expect(edit.getByLabel('Text', { exact: true })).toHaveValue('Drafted on desk B');
      await edit.getByRole('button', { name: 'Now', exact: true }).click();
      await edit.getByRole('button', { name: 'Schedule', exact: true }).click();
      await expect(edit).toBeHidden();
      // The post page follows the host's scheduler (one poll of the queue) until the delivery is out.
      await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 30_000 });
      expect(mastodon.statusTexts()).toEqual([expect.objectContaining({ text: 'Drafted on desk B', deleted: false })]);

      // 8.4. Desk B loses the host (its network is cut), drafts three posts and edits one.
      await go(pageB, 'Drafts');
      await expect(pageB.getByText('No drafts.')).toBeVisible();
      await go(page, 'Drafts');
      await expect(page.getByText('No drafts.')).toBeVisible();
      network.cut(deskB.pid);
      await expect(hostStatus(pageB)).toContainText('Offline');
      await expect(hostStatus(page)).toHaveText(`Connected to Acme Agency (${hostName}).`);
      for (const text of ['Offline one', 'Offline two', 'Offline three']) {
        await pageB.getByRole('banner').getByRole('button', { name: 'New post' }).click();
        const offline = composer(pageB);
        await offline.getByLabel('Client', { exact: true }).selectOption({ label: 'Northwind' });
        await compose(offline, ['Mastodon @agency'], text);
        await offline.getByRole('button', { name: 'Save draft' }).click();
        // Kept on the desk at once: the post page opens, saying it is not sent yet.
        await expect(offline).toBeHidden();
        await expect(pageB.getByRole('status').filter({ hasText: 'Not sent yet' })).toBeVisible();
      }
      await go(pageB, 'Drafts');
      await expect(draftsList(pageB).getByText('Not sent yet')).toHaveCount(3);
      await draftsList(pageB).getByRole('button', { name: 'Edit Northwind: Offline two', exact: true }).click();
      const editOffline = composer(pageB, 'Edit post');
      await expect(editOffline.getByLabel('Text', { exact: true })).toHaveValue('Offline two');
      await editOffline.getByLabel('Text', { exact: true }).fill('Offline two, edited on the train');
      await editOffline.getByRole('button', { name: 'Save changes' }).click();
      await expect(editOffline).toBeHidden();
      await go(pageB, 'Drafts');
      await expect(draftsList(pageB)).toContainText('Offline two, edited on the train');
      await expect(draftsList(pageB).getByText('Not sent yet')).toHaveCount(3);
      // Nothing reached the host: desk A still has no drafts.
      await expect(page.getByText('No drafts.')).toBeVisible();

      // B is back: A sees the three, the edit in, each once, without a reload; B's marks go.
      network.mend();
      await expect(hostStatus(pageB)).toHaveText(`Connected to Acme Agency (${hostName}).`);
      for (const text of ['Offline one', 'Offline two, edited on the train', 'Offline three'])
        await expect(
          draftsList(page).getByRole('button', { name: `Edit Northwind: ${text}`, exact: true }),
        ).toHaveCount(1);
      await expect(page.getByText('3 drafts', { exact: true })).toBeVisible();
      await expect(draftsList(page).getByRole('button', { name: /^Edit Northwind: / })).toHaveCount(3);
      await expect(draftsList(pageB).getByText('Not sent yet')).toHaveCount(0);
      await expect(pageB.getByText('3 drafts', { exact: true })).toBeVisible();

      // 6. The owner forces the editor out: desk B is signed out at once and says why.
      await go(page, 'Team');
      const eddie = page.getByRole('table', { name: 'Members' }).getByRole('row', { name: /Eddie Editor/ });
      await eddie.getByRole('button', { name: 'Force logout Eddie Editor' }).click();
      await expect(pageB.getByRole('heading', { level: 1, name: 'Sign in to Acme Agency' })).toBeVisible();
      await expect(pageB.getByText('The host ended your session')).toBeVisible();
      await expect(hostStatus(pageB)).toHaveText(`Signed out of Acme Agency (${hostName}).`);
      // Signing in again works from the same page, with the address already filled in.
      const signIn = pageB.getByRole('form', { name: 'Sign in to a team host' });
      await expect(signIn.getByLabel('Team host address')).toHaveValue(host.url);
      await signIn.getByLabel('Email').fill('eddie@agency.test');
      await signIn.getByLabel('Password').fill(EDITOR.password);
      await signIn.getByRole('button', { name: 'Sign in' }).click();
      await expect(pageB.getByRole('banner')).toContainText(EDITOR.name);
      await editorContext.close();

      // 7. The host goes away: desk A, reloaded, says so and still shows the clients it last loaded (its read copy).
      await host.stop();
      await expect(hostStatus(page)).toContainText('Offline');
      await page.reload();
      await expect(hostStatus(page)).toContainText('Offline');
      await go(page, 'Clients');
      await expect(page.getByRole('list', { name: 'Clients' })).toContainText('Northwind');
    } finally {
      const codes = await Promise.all(desks.map((d) => d.stop()));
      await host?.stop();
      await mastodon?.close();
      await network?.close();
      for (const keyring of keyrings) keyring.close();
      expect(codes, desks.map((d) => d.output()).join('\n---\n')).toEqual(desks.map(() => 0));
    }
  },
);
