import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { startInstagramServer, type InstagramServer } from '../support/instagram-server';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { probeImage } from '../support/meta-graph';
import { startDeskProcess, type Desk } from '../support/desk-process';
import { DeskSocket, startHostProcess, type HostProcess } from '../support/team-host-process';
import { composer } from './agency';
import {
  connectAsClient,
  connectionRow,
  connectWithNewLink,
  expect,
  joinTeamHost,
  openClientPage,
  openScriptedClient,
  scriptedAgency,
  test,
  newClientLinkOnHost,
} from './fixtures';

/*
 * Issue 14 items 5 and 8 in Chromium: Instagram through a team host. The real `postroom host` (on
 * plain http on loopback, D89's trial on one machine, so that the local Instagram server, which
 * really GETs each media URL as Meta's crawler does, can reach it with Node's fetch) and a desk in
 * team mode. The owner joins from the desk, a client connects Instagram through a link, the owner
 * uploads three pictures and a short MP4 to the client's library, then publishes a carousel of the
 * three and a Reel of the video. Instagram fetches every file from the host's unguessable links,
 * and each post is published once.
 */

const OWNER = { name: 'Olivia Owner', email: 'olivia@agency.test', password: 'owner password 42' };
const instagramIntegration = (ig: InstagramServer) => ({
  platform: 'instagram',
  clientId: ig.clientId,
  clientSecret: ig.clientSecret,
  instanceUrl: ig.url,
});

async function publishNow(page: Page, text: string, files: string[], fix?: (dialog: Locator) => Promise<void>) {
  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const dialog = composer(page);
  await dialog.getByRole('checkbox', { name: 'Instagram @client.studio', exact: true }).check();
  await dialog.getByLabel('Text', { exact: true }).fill(text);
  await dialog.getByText(/^Choose from the library/).click();
  for (const file of files) await dialog.getByRole('button', { name: `Add ${file}` }).click();
  await expect(dialog.getByRole('list', { name: 'Chosen media' }).getByRole('listitem')).toHaveCount(files.length);
  // On a team host, nothing says the post needs one.
  await expect(dialog.getByRole('note', { name: 'Needs a team host' })).toHaveCount(0);
  await fix?.(dialog);
  await expect(dialog.getByRole('list', { name: 'Problems' })).toBeHidden();
  const preview = dialog.getByRole('article', { name: 'Preview on Instagram' });
  await expect(preview).toContainText('@client.studio');
  await expect(preview).toContainText(text);
  if (files.length > 1) {
    const carousel = preview.getByRole('group', { name: 'Carousel on Instagram' });
    await expect(carousel).toContainText(`1 / ${files.length}`);
    await carousel.getByRole('button', { name: 'Next' }).click();
    await expect(carousel).toContainText(`2 / ${files.length}`);
  }
  await dialog.getByRole('button', { name: 'Now', exact: true }).click();
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('post-status')).toHaveText('Published', { timeout: 60_000 });
}

test(
  'Instagram through a team host: a carousel of three pictures and a Reel, ' +
    'fetched from the host, each published once',
  async ({ page, browser, tempFolder }) => {
    // Two processes start here (the host and a desk), each loading the app through tsx.
    test.setTimeout(240_000);
    let host: HostProcess | null = null;
    let ig: InstagramServer | null = null;
    let desk: Desk | null = null;
    try {
      ig = await startInstagramServer();
      host = await startHostProcess({ plainHttp: true, makeDir: tempFolder });
      expect(host.ownerCode, host.output()).toBeTruthy();
      desk = await startDeskProcess(tempFolder('postroom-e2e-desk-'));

      // The owner joins from the desk with the code the host printed.
      await page.goto(desk.uiUrl);
      await joinTeamHost(page, { hostUrl: host.url, code: host.ownerCode!, ...OWNER });

      // The agency's Instagram app, added as a script would (the desk protocol, with the owner's session).
      const signedIn = await fetch(`${host.url}/desk/v1/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: OWNER.email, password: OWNER.password, deviceName: 'Script' }),
      });
      expect(signedIn.status).toBe(200);
      const session = (await signedIn.json()) as { sessionToken: string; workspace: { id: string } };
      const socket = await DeskSocket.open(host.url, '', session.sessionToken);
      const added = await socket.change('integration.add', {
        workspaceId: session.workspace.id,
        integration: instagramIntegration(ig),
      });
      expect(added.ok, JSON.stringify(added)).toBe(true);
      socket.close();

      // A client, who connects Instagram through a link in a browser that has nothing of the desk.
      const link = await newClientLinkOnHost(page, host.url, {
        email: 'studio@clients.example',
        name: 'Client Studio',
      });
      await connectAsClient(browser, link, 'Instagram');
      await expect(connectionRow(page, 'Instagram')).toContainText('Active');

      // Three pictures in Instagram's shapes and a 5-second vertical MP4, into the client's library.
      const files = test.info().outputPath('media');
      mkdirSync(files, { recursive: true });
      const pictures = {
        'look-1.jpg': jpegOf(1080, 1350),
        'look-2.jpg': jpegOf(1080, 1920),
        'look-3.jpg': jpegOf(1080, 1350, 70),
      };
      for (const [name, data] of Object.entries(pictures)) writeFileSync(join(files, name), data);
      const reel = videoOf({ width: 1080, height: 1920, seconds: 5 });
      writeFileSync(join(files, 'reel.mp4'), reel);
      const library = page.getByRole('region', { name: 'Media library' });
      await library
        .getByLabel('Upload files')
        .setInputFiles([...Object.keys(pictures), 'reel.mp4'].map((name) => join(files, name)));
      await expect(library.getByRole('list', { name: 'Media' }).getByRole('listitem')).toHaveCount(4, {
        timeout: 30_000,
      });
      await expect(library.getByRole('listitem', { name: 'reel.mp4' })).toContainText('MP4 video · 0:05 · 1080×1920');

      // The tall picture is outside Instagram's 4:5 to 1.91:1: said before saving, and cropped to 4:5 there.
      await publishNow(page, 'Three looks for spring', ['look-1.jpg', 'look-2.jpg', 'look-3.jpg'], async (dialog) => {
        const problems = dialog.getByRole('list', { name: 'Problems' });
        await expect(problems).toContainText('Instagram: image 2 is 1080×1920; its shape must be 4:5 to 1.91:1');
        await expect(dialog.getByRole('button', { name: 'Schedule', exact: true })).toBeDisabled();
        await dialog.getByLabel('Change the shape of look-2.jpg').selectOption({ label: 'Crop to 4:5' });
        const chosen = dialog.getByRole('list', { name: 'Chosen media' });
        await expect(chosen.getByRole('listitem', { name: 'Image 2: look-2 (4:5).jpg' })).toContainText('1080×1350');
      });
      await openClientPage(page, 'Client Studio');
      await publishNow(page, 'Behind the scenes', ['reel.mp4'], async (dialog) => {
        // The video picked in this window plays in the composer, with its length.
        const item = dialog
          .getByRole('list', { name: 'Chosen media' })
          .getByRole('listitem', { name: 'Video 1: reel.mp4' });
        await expect(item.locator('video')).toHaveCount(1);
        await expect(item).toContainText('0:05');
      });

      // Instagram fetched every file from the host's links, and has each post once.
      const fetched = ig.fetchedUrls();
      expect(fetched).toHaveLength(4);
      for (const url of fetched) expect(url).toMatch(new RegExp(`^${host.url}/public-media/v1/[A-Za-z0-9_-]{43}$`));
      const media = ig.media();
      expect(media.map((m) => [m.caption, m.mediaType, m.productType])).toEqual([
        ['Behind the scenes', 'VIDEO', 'REELS'],
        ['Three looks for spring', 'CAROUSEL_ALBUM', 'FEED'],
      ]);
      const inOrder = Object.values(pictures);
      const children = media[1]!.children;
      expect(children.map((c, n) => c.data?.equals(inOrder[n]!))).toEqual([true, false, true]);
      expect(probeImage(children[1]!.data!)).toMatchObject({ width: 1080, height: 1350 });
      expect(media[0]!.data?.equals(reel)).toBe(true);
      // The links do not outlive their use for a guesser: a made-up one is refused.
      expect((await fetch(`${host.url}/public-media/v1/${'A'.repeat(43)}`)).status).toBe(404);
    } finally {
      const code = await desk?.stop();
      await host?.stop();
      await ig?.close();
      expect(code, desk?.output()).toBe(0);
    }
  },
);

test('on a single desk, the composer says an Instagram post needs a team host before it is saved', async ({
  page,
  host,
  dataDir,
}) => {
  const ig = await startInstagramServer();
  try {
    await scriptedAgency(page, host, dataDir, [instagramIntegration(ig)], {
      timezone: null,
      client: { email: 'studio@clients.example', displayName: 'Client Studio' },
    });
    await openScriptedClient(page, 'Client Studio');
    await connectWithNewLink(page, 'Instagram');

    await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
    const dialog = composer(page);
    await dialog.getByRole('checkbox', { name: 'Instagram @client.studio', exact: true }).check();
    const notice = dialog.getByRole('note', { name: 'Needs a team host' });
    await expect(notice).toContainText('Instagram fetches the post');
    await expect(notice).toContainText('only a team host has: from this desk alone it cannot be published');
    await dialog.getByRole('checkbox', { name: 'Instagram @client.studio', exact: true }).uncheck();
    await expect(notice).toHaveCount(0);
  } finally {
    await ig.close();
  }
});
