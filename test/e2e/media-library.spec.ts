import { mkdirSync, writeFileSync } from 'node:fs';
import { jpegOf, videoOf } from '../support/media-fixtures';
import { CLIENT, composer, compose, connectThroughLink, go, test } from './agency';
import { expect } from './fixtures';

/*
 * Issue 14 items 2 and 9 in Chromium, as a person does it: a client's media library fed by picking
 * files (a photo, a 9 MB video that goes in three chunks with its progress bar moving, and a
 * cut-off picture refused beside the drop zone with the file and the rule), alt text kept with the
 * file, the composer choosing the photo from the library, "used by 1 post", and delete refused
 * while the post uses the photo but done for the unused video.
 */

test('media library: upload with progress, refusals, alt text, use in a post, delete only when unused', async ({
  page,
  // Set up (the client, its Mastodon) and closed by the fixture; the test reads nothing of it.
  agency: _agency,
}) => {
  await connectThroughLink(page, ['Mastodon']);
  const photo = test.info().outputPath('storefront.jpg');
  const clip = test.info().outputPath('opening.mp4');
  const broken = test.info().outputPath('cut-off.jpg');
  mkdirSync(test.info().outputPath(), { recursive: true });
  writeFileSync(photo, jpegOf(1080, 1350));
  writeFileSync(clip, videoOf({ width: 1080, height: 1920, seconds: 5, minBytes: 9 * 1024 * 1024 }));
  writeFileSync(broken, jpegOf(800, 800, 90).subarray(0, 2000));

  const library = page.getByRole('region', { name: 'Media library' });
  await expect(library).toContainText('No images or videos yet.');
  // Every value the video's progress bar takes, as the page shows it.
  await page.evaluate(`(() => {
    const seen = [];
    window.progressSeen = seen;
    new MutationObserver(() => {
      const value = document.querySelector('progress[aria-label="Uploading opening.mp4"]')?.getAttribute('value');
      if (value && seen[seen.length - 1] !== value) seen.push(value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  await library.getByLabel('Upload files').setInputFiles([photo, clip, broken]);

  const uploads = library.getByRole('list', { name: 'Uploads' });
  await expect(uploads.getByRole('listitem').filter({ hasText: 'opening.mp4' })).toContainText('Added to the library', {
    timeout: 30_000,
  });
  await expect(library.getByRole('progressbar', { name: 'Uploading opening.mp4' })).toHaveAttribute('value', '100');
  const seen = await page.evaluate<string[]>('window.progressSeen');
  // 9 MB in 4 MiB chunks: the bar stood part-way at least once before it was full.
  expect(
    seen.some((v) => Number(v) > 0 && Number(v) < 100),
    `progress seen: ${seen.join(', ')}`,
  ).toBe(true);

  // The cut-off picture is refused beside the drop zone, naming the file and the rule.
  const refused = library.getByRole('alert', { name: 'Files refused' });
  await expect(refused).toContainText('cut-off.jpg: the image ends early (the file is cut off)');

  const grid = library.getByRole('list', { name: 'Media' });
  await expect(grid.getByRole('listitem')).toHaveCount(2);
  const photoCard = grid.getByRole('listitem', { name: 'storefront.jpg' });
  const clipCard = grid.getByRole('listitem', { name: 'opening.mp4' });
  await expect(photoCard).toContainText('JPEG image · 1080×1350');
  await expect(photoCard).toContainText('Not used by any post');
  await expect(photoCard.locator('img.library-thumb')).toBeVisible();
  await expect(clipCard).toContainText('MP4 video · 0:05 · 1080×1920 · 9.0 MB');

  // Alt text is kept with the file.
  await photoCard.getByLabel('Alt text for storefront.jpg').fill('The bakery at dawn, lights on');
  await photoCard.getByRole('button', { name: 'Save alt text' }).click();
  await expect(photoCard.getByRole('status')).toHaveText('Alt text saved.');
  // Away and back: what shows is what the engine kept.
  await go(page, 'Clients');
  await page
    .getByRole('list', { name: 'Clients' })
    .getByRole('button', { name: new RegExp(CLIENT) })
    .click();
  await expect(photoCard.getByLabel('Alt text for storefront.jpg')).toHaveValue('The bakery at dawn, lights on');

  // The composer takes the photo from the library (its alt text with it).
  await page.getByRole('main').getByRole('button', { name: 'New post' }).click();
  const dialog = composer(page);
  await compose(dialog, ['Mastodon @agency'], 'Open from 7 tomorrow');
  await dialog.getByText(/^Choose from the library/).click();
  await dialog.getByRole('button', { name: 'Add storefront.jpg' }).click();
  const chosen = dialog.getByRole('list', { name: 'Chosen media' });
  await expect(chosen.getByLabel('Alt text for storefront.jpg')).toHaveValue('The bakery at dawn, lights on');
  await expect(dialog.getByRole('article', { name: 'Preview on Mastodon' }).getByRole('img')).toHaveAttribute(
    'alt',
    'The bakery at dawn, lights on',
  );
  await dialog.getByRole('button', { name: 'Save draft', exact: true }).click();
  await expect(dialog).toBeHidden();
  await go(page, 'Clients');
  await page
    .getByRole('list', { name: 'Clients' })
    .getByRole('button', { name: new RegExp(CLIENT) })
    .click();
  await expect(photoCard).toContainText('Used by 1 post');

  // Delete is refused while a post uses the photo, with the reason; the unused video goes.
  await photoCard.getByRole('button', { name: 'Delete storefront.jpg' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete file' }).click();
  await expect(photoCard.getByRole('alert')).toContainText('storefront.jpg is used by 1 post');
  await expect(grid.getByRole('listitem')).toHaveCount(2);
  await clipCard.getByRole('button', { name: 'Delete opening.mp4' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete file' }).click();
  await expect(grid.getByRole('listitem')).toHaveCount(1);
  await expect(grid).not.toContainText('opening.mp4');

  // Dropping a file on the drop zone uploads it the same way.
  const dropped = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob('${jpegOf(800, 600).toString('base64')}'), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
    return transfer;
  })()`);
  await library.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(grid.getByRole('listitem', { name: 'dropped.jpg' })).toContainText('JPEG image · 800×600');
});
