import { describe, expect, it } from 'vitest';
import { type LinkedInServer, LINKEDIN_VIDEO_PART_BYTES, startLinkedInServer } from '../support/linkedin-server';
import { type MastodonServer, startMastodonServer } from '../support/mastodon-server';
import { videoOf } from '../support/media-fixtures';
import { type XServer, startXServer } from '../support/x-server';
import { closeAfterTest } from '../support/closers';

/*
 * The video uploads of the local X, Mastodon and LinkedIn, made as each platform's documentation
 * shows them: X's chunked INIT/APPEND/FINALIZE/STATUS, Mastodon's asynchronous media, LinkedIn's
 * multi-part initializeUpload/finalizeUpload.
 */

/** A real MP4 padded to at least `bytes` with a `free` box. */
function videoBytes(seconds: number, bytes = 0): Buffer {
  return videoOf({ width: 1280, height: 720, seconds, minBytes: bytes });
}

describe('X chunked media upload', () => {
  async function x(): Promise<XServer> {
    const server = await startXServer();
    closeAfterTest(() => server.close());
    return server;
  }
  const auth = (server: XServer) => ({ Authorization: `Bearer ${server.token}` });
  function form(fields: Record<string, string | Blob>): FormData {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.set(k, v);
    return f;
  }

  it('takes a video in chunks (the quickstart’s command= form), processes it, then lets a post use it', async () => {
    const server = await x();
    server.setProcessingPolls(1);
    const file = videoBytes(12, 2_500_000);
    const post = (f: FormData) =>
      fetch(`${server.url}/2/media/upload`, { method: 'POST', headers: auth(server), body: f });
    const init = (await (
      await post(
        form({
          command: 'INIT',
          media_type: 'video/mp4',
          total_bytes: String(file.length),
          media_category: 'amplify_video',
        }),
      )
    ).json()) as { data: { id: string; media_key: string; expires_after_secs: number } };
    const id = init.data.id;
    expect(init.data.media_key).toBe(`7_${id}`);
    const chunk = 1024 * 1024;
    for (let i = 0; i * chunk < file.length; i++) {
      const res = await post(
        form({
          command: 'APPEND',
          media_id: id,
          segment_index: String(i),
          media: new Blob([file.subarray(i * chunk, (i + 1) * chunk)]),
        }),
      );
      expect(res.status).toBe(200);
    }
    const finalized = (await (await post(form({ command: 'FINALIZE', media_id: id }))).json()) as {
      data: { processing_info: { state: string; check_after_secs: number } };
    };
    expect(finalized.data.processing_info).toMatchObject({ state: 'pending', check_after_secs: 1 });

    const tweet = (mediaIds: string[]) =>
      fetch(`${server.url}/2/tweets`, {
        method: 'POST',
        headers: { ...auth(server), 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Our launch video', media: { media_ids: mediaIds } }),
      });
    expect((await tweet([id])).status).toBe(400);
    const status = async () =>
      (
        (await (
          await fetch(`${server.url}/2/media/upload?command=STATUS&media_id=${id}`, { headers: auth(server) })
        ).json()) as { data: { processing_info: { state: string } } }
      ).data.processing_info.state;
    expect(await status()).toBe('in_progress');
    expect(await status()).toBe('succeeded');
    expect((await tweet([id])).status).toBe(201);
    expect(server.tweets()[0]?.mediaIds).toEqual([id]);
    expect(server.media(id)?.data.equals(file)).toBe(true);
  });

  it(
    'takes the dedicated initialize/append/finalize endpoints, ' +
      'and refuses a size mismatch, an unknown category and a long video',
    async () => {
      const server = await x();
      const init = async (body: Record<string, unknown>) =>
        fetch(`${server.url}/2/media/upload/initialize`, {
          method: 'POST',
          headers: { ...auth(server), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await init({ media_type: 'video/mp4', total_bytes: 10, media_category: 'tweet_movie' })).status).toBe(
        400,
      );
      expect(
        (await init({ media_type: 'video/mp4', total_bytes: 600 * 1024 * 1024, media_category: 'tweet_video' })).status,
      ).toBe(400);

      const long = videoBytes(141);
      const { data } = (await (
        await init({ media_type: 'video/mp4', total_bytes: long.length + 1, media_category: 'tweet_video' })
      ).json()) as { data: { id: string } };
      await fetch(`${server.url}/2/media/upload/${data.id}/append`, {
        method: 'POST',
        headers: auth(server),
        body: form({ segment_index: '0', media: new Blob([long]) }),
      });
      const mismatch = await fetch(`${server.url}/2/media/upload/${data.id}/finalize`, {
        method: 'POST',
        headers: auth(server),
      });
      expect(mismatch.status).toBe(400);
      expect(((await mismatch.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
        /size mismatch/,
      );

      const again = (await (
        await init({ media_type: 'video/mp4', total_bytes: long.length, media_category: 'tweet_video' })
      ).json()) as { data: { id: string } };
      await fetch(`${server.url}/2/media/upload/${again.data.id}/append`, {
        method: 'POST',
        headers: auth(server),
        body: form({ segment_index: '0', media: new Blob([long]) }),
      });
      await fetch(`${server.url}/2/media/upload/${again.data.id}/finalize`, { method: 'POST', headers: auth(server) });
      let state = '';
      let error: unknown;
      for (let i = 0; i < 5 && state !== 'failed' && state !== 'succeeded'; i++) {
        const body = (await (
          await fetch(`${server.url}/2/media/upload?command=STATUS&media_id=${again.data.id}`, {
            headers: auth(server),
          })
        ).json()) as { data: { processing_info: { state: string; error?: unknown } } };
        state = body.data.processing_info.state;
        error = body.data.processing_info.error;
      }
      expect(state).toBe('failed');
      expect(error).toMatchObject({ code: 1, name: 'InvalidMedia' });
    },
  );
});

describe('Mastodon asynchronous media', () => {
  async function mastodon(): Promise<{ server: MastodonServer; token: string }> {
    const server = await startMastodonServer({ videoProcessingPolls: 1 });
    closeAfterTest(() => server.close());
    return { server, token: server.issueToken().accessToken };
  }
  const upload = (server: MastodonServer, token: string, data: Buffer, type = 'video/mp4') => {
    const f = new FormData();
    f.set('file', new Blob([data], { type }), 'clip.mp4');
    f.set('description', 'A clip');
    return fetch(`${server.url}/api/v2/media`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: f,
    });
  };

  it('answers 202 for a video however small, 206 while processed, 200 when done; a status takes it then', async () => {
    const { server, token } = await mastodon();
    const res = await upload(server, token, videoBytes(6));
    expect(res.status).toBe(202);
    const media = (await res.json()) as { id: string; type: string; url: string | null };
    expect(media).toMatchObject({ type: 'video', url: null });
    const headers = { Authorization: `Bearer ${token}` };
    const status = (body: Record<string, string | string[]>) =>
      fetch(`${server.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await status({ status: 'Clip', 'media_ids[]': [media.id] })).status).toBe(422);
    expect((await fetch(`${server.url}/api/v1/media/${media.id}`, { headers })).status).toBe(206);
    const done = await fetch(`${server.url}/api/v1/media/${media.id}`, { headers });
    expect(done.status).toBe(200);
    expect(
      ((await done.json()) as { meta: { original: { width: number; duration: number } } }).meta.original,
    ).toMatchObject({ width: 1280, duration: 6 });
    const put = await fetch(`${server.url}/api/v1/media/${media.id}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'Our kitchen' }),
    });
    expect(put.status).toBe(200);
    expect((await status({ status: 'Clip', 'media_ids[]': [media.id] })).status).toBe(200);
    expect(server.media(media.id)?.description).toBe('Our kitchen');
    // Once attached, the media is no longer the user's to read or update.
    expect((await fetch(`${server.url}/api/v1/media/${media.id}`, { headers })).status).toBe(404);
  });

  it('answers 422 for a video whose processing failed, and refuses a video with images', async () => {
    const { server, token } = await mastodon();
    const headers = { Authorization: `Bearer ${token}` };
    const broken = (await (await upload(server, token, Buffer.from('not a video'))).json()) as { id: string };
    expect((await fetch(`${server.url}/api/v1/media/${broken.id}`, { headers })).status).toBe(206);
    const failed = await fetch(`${server.url}/api/v1/media/${broken.id}`, { headers });
    expect(failed.status).toBe(422);
    expect(await failed.json()).toEqual({ error: 'Error processing thumbnail for uploaded media' });

    const video = (await (await upload(server, token, videoBytes(4))).json()) as { id: string };
    await fetch(`${server.url}/api/v1/media/${video.id}`, { headers });
    await fetch(`${server.url}/api/v1/media/${video.id}`, { headers });
    const image = (await (await upload(server, token, Buffer.from('image'), 'image/png')).json()) as { id: string };
    const mixed = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'x', media_ids: [video.id, image.id] }),
    });
    expect(mixed.status).toBe(422);
  });
});

describe('LinkedIn multi-part video upload', () => {
  async function linkedin(): Promise<LinkedInServer> {
    const server = await startLinkedInServer();
    closeAfterTest(() => server.close());
    return server;
  }
  const rest = (server: LinkedInServer) => ({
    Authorization: `Bearer ${server.accessToken}`,
    'LinkedIn-Version': '202506',
    'X-Restli-Protocol-Version': '2.0.0',
    'content-type': 'application/json',
  });
  /** A video's status (`GET /rest/videos/{urn}`): each read moves its processing on. */
  const videoStatus = async (server: LinkedInServer, urn: string) => {
    const answer = await fetch(`${server.url}/rest/videos/${encodeURIComponent(urn)}`, { headers: rest(server) });
    return ((await answer.json()) as { status: string }).status;
  };

  it('gives an upload URL per 4 MiB part, takes their etags at finalize, processes and posts the video', async () => {
    const server = await linkedin();
    const owner = `urn:li:person:${server.sub}`;
    const file = videoBytes(20, LINKEDIN_VIDEO_PART_BYTES * 2 + 1000);
    const init = await fetch(`${server.url}/rest/videos?action=initializeUpload`, {
      method: 'POST',
      headers: rest(server),
      body: JSON.stringify({
        initializeUploadRequest: { owner, fileSizeBytes: file.length, uploadCaptions: false, uploadThumbnail: false },
      }),
    });
    const { value } = (await init.json()) as {
      value: {
        video: string;
        uploadToken: string;
        uploadInstructions: { uploadUrl: string; firstByte: number; lastByte: number }[];
      };
    };
    expect(value.uploadInstructions.map((p) => [p.firstByte, p.lastByte])).toEqual([
      [0, LINKEDIN_VIDEO_PART_BYTES - 1],
      [LINKEDIN_VIDEO_PART_BYTES, 2 * LINKEDIN_VIDEO_PART_BYTES - 1],
      [2 * LINKEDIN_VIDEO_PART_BYTES, file.length - 1],
    ]);
    const short = await fetch(value.uploadInstructions[0]?.uploadUrl ?? '', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${server.accessToken}` },
      body: file.subarray(0, 10),
    });
    expect(short.status).toBe(400);
    const etags: string[] = [];
    for (const part of value.uploadInstructions) {
      const res = await fetch(part.uploadUrl, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${server.accessToken}`, 'content-type': 'application/octet-stream' },
        body: file.subarray(part.firstByte, part.lastByte + 1),
      });
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag') ?? '');
    }
    const finalize = (ids: string[]) =>
      fetch(`${server.url}/rest/videos?action=finalizeUpload`, {
        method: 'POST',
        headers: rest(server),
        body: JSON.stringify({
          finalizeUploadRequest: { video: value.video, uploadToken: value.uploadToken, uploadedPartIds: ids },
        }),
      });
    expect((await finalize([...etags].reverse())).status).toBe(400);
    expect((await finalize(etags)).status).toBe(200);

    const postVideo = () =>
      fetch(`${server.url}/rest/posts`, {
        method: 'POST',
        headers: rest(server),
        body: JSON.stringify({
          author: owner,
          commentary: 'Watch this',
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          content: { media: { title: 'Launch', id: value.video } },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
        }),
      });
    expect((await postVideo()).status).toBe(422);
    expect(await videoStatus(server, value.video)).toBe('PROCESSING');
    expect(await videoStatus(server, value.video)).toBe('AVAILABLE');
    expect((await postVideo()).status).toBe(201);
    expect(server.posts()[0]?.media[0]).toMatchObject({ id: value.video, mimeType: 'video/mp4' });
    expect(server.video(value.video)?.data?.equals(file)).toBe(true);
  });

  it('refuses a file under 75 KB, and fails processing for one that is not a video', async () => {
    const server = await linkedin();
    const owner = `urn:li:person:${server.sub}`;
    const init = (size: number) =>
      fetch(`${server.url}/rest/videos?action=initializeUpload`, {
        method: 'POST',
        headers: rest(server),
        body: JSON.stringify({ initializeUploadRequest: { owner, fileSizeBytes: size } }),
      });
    expect((await init(1000)).status).toBe(422);
    const junk = Buffer.alloc(100 * 1024, 7);
    const { value } = (await (await init(junk.length)).json()) as {
      value: { video: string; uploadInstructions: { uploadUrl: string }[] };
    };
    const put = await fetch(value.uploadInstructions[0]?.uploadUrl ?? '', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${server.accessToken}` },
      body: junk,
    });
    await fetch(`${server.url}/rest/videos?action=finalizeUpload`, {
      method: 'POST',
      headers: rest(server),
      body: JSON.stringify({
        finalizeUploadRequest: { video: value.video, uploadToken: '', uploadedPartIds: [put.headers.get('etag')] },
      }),
    });
    expect(await videoStatus(server, value.video)).toBe('PROCESSING');
    expect(await videoStatus(server, value.video)).toBe('PROCESSING_FAILED');
  });
});
