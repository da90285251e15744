import type { Page } from '@playwright/test';
import { startDeskProcess, type Desk } from '../support/desk-process';
import { startKeyringSession, type KeyringSession } from '../support/private-keyring';
import { makeTestCertificate, startHostProcess, type HostProcess } from '../support/team-host-process';
import { expect, test, go, HOST_OWNER, hostStatus, joinTeamHost, newClient } from './fixtures';

/*
 * Issue 12 item 4 on a desk, as a person meets it: the team host goes away (SIGKILL), the owner
 * adds a client anyway (with an email the host already has), quits and restarts the desk while the
 * host is still down — the desk opens offline and still lists the clients it last loaded (its
 * read copy) — then the host comes back, refuses the change the desk's outbox sends again, and
 * the desk says so with the host's reason; the owner edits the email and sends it again, and the
 * client is made, once.
 */

const clientsList = (page: Page) => page.getByRole('list', { name: 'Clients' });

test('an offline change the host refuses is kept on the desk with the reason, edited and sent again once', async ({
  page,
  tempFolder,
}) => {
  // The host starts twice and the desk twice, each loading the app through tsx.
  test.setTimeout(240_000);
  const tls = await makeTestCertificate(tempFolder('postroom-e2e-tls-'));
  const keyring: KeyringSession = startKeyringSession();
  let host: HostProcess | null = null;
  const desks: Desk[] = [];
  try {
    host = await startHostProcess({ tls, dataDir: tempFolder('postroom-e2e-host-') });
    const hostName = new URL(host.url).host;
    const deskDir = tempFolder('postroom-e2e-desk-');
    const first = await startDeskProcess(deskDir, tls, keyring);
    desks.push(first);

    // The owner joins with the host's first sign-in code and adds a client.
    await page.goto(first.uiUrl);
    await joinTeamHost(page, { hostUrl: host.url, code: host.ownerCode!, ...HOST_OWNER });
    await expect(hostStatus(page)).toHaveText(`Connected to Acme Agency (${hostName}).`);
    await go(page, 'Clients');
    await expect(await newClient(page, 'north@clients.example', 'Northwind')).toBeHidden();
    await expect(clientsList(page)).toContainText('Northwind');

    // The host goes away. A client added now waits in the desk's outbox (its email is Northwind's).
    await host.kill();
    await expect(hostStatus(page)).toContainText('Offline');
    const waiting = await newClient(page, 'north@clients.example', 'Northwind Retail');
    await expect(waiting.getByRole('button', { name: /Creat/ })).toBeDisabled();

    // The desk is quit and started again while the host is still down: offline, the clients still listed.
    await first.stop();
    const again = await startDeskProcess(deskDir, tls, keyring);
    desks.push(again);
    await page.goto(again.uiUrl);
    await expect(hostStatus(page)).toContainText('Offline');
    await go(page, 'Clients');
    await expect(clientsList(page)).toContainText('Northwind');

    // The host is back: the outbox sends the change again, the host refuses it, the desk says why.
    host = await host.restart();
    await expect(hostStatus(page)).toHaveText(`Connected to Acme Agency (${hostName}).`);
    const refused = page.getByRole('region', { name: 'Changes the team host refused' });
    await expect(refused).toContainText('New client Northwind Retail (north@clients.example)');
    await expect(refused).toContainText('a user with email north@clients.example already exists');

    // Edit again with another email: made once, and the notice goes.
    await refused.getByRole('button', { name: 'Edit again' }).click();
    const edit = refused.getByRole('form', { name: /^Edit again: New client Northwind Retail/ });
    await expect(edit.getByLabel('Email')).toHaveValue('north@clients.example');
    await edit.getByLabel('Email').fill('retail@clients.example');
    await edit.getByRole('button', { name: 'Send again' }).click();
    await expect(refused).toBeHidden();
    await expect(clientsList(page)).toContainText('Northwind Retail');
    await expect(clientsList(page).getByRole('button', { name: /Northwind Retail/ })).toHaveCount(1);
  } finally {
    const codes = await Promise.all(desks.map((d) => d.stop()));
    await host?.stop();
    keyring.close();
    expect(codes, desks.map((d) => d.output()).join('\n---\n')).toEqual(desks.map(() => 0));
  }
});
