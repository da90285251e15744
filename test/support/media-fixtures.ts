import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jpeg from 'jpeg-js';
import { createFile } from 'mp4box';

/** A real baseline JPEG of the given size (a flat grey picture), encoded with `jpeg-js`. */
export function jpegOf(width: number, height: number, quality = 50): Buffer {
  const data = Buffer.alloc(width * height * 4, 0x80);
  return Buffer.from(jpeg.encode({ data, width, height }, quality).data);
}

/**
 * A real MP4 (or QuickTime, `ftyp qt`) file with one H.264 video track of the given picture size
 * and duration, written by `mp4box`: one-second samples of filler bytes. Its boxes are what a
 * parser reads (duration, dimensions, codec); it is not meant to be played.
 */
export function videoOf(options: {
  width: number;
  height: number;
  seconds: number;
  quickTime?: boolean;
  /** Pads the file to at least this size with a `free` box (a large upload that is still a valid file). */
  minBytes?: number;
}): Buffer {
  const file = createFile();
  const timescale = 1000;
  const track = file.addTrack({
    timescale,
    width: options.width,
    height: options.height,
    type: 'avc1',
    // AVCDecoderConfigurationRecord: version 1, High profile (100), level 3.1, 4-byte NAL lengths, no SPS/PPS.
    avcDecoderConfigRecord: new Uint8Array([1, 100, 0, 31, 0xff, 0xe0, 0]).buffer,
    duration: Math.round(options.seconds * timescale),
    ...(options.quickTime ? { brands: ['qt  '] } : {}),
  } as Parameters<typeof file.addTrack>[0]);
  const whole = Math.ceil(options.seconds);
  for (let i = 0; i < whole; i++) {
    const duration = Math.round(Math.min(1, options.seconds - i) * timescale);
    file.addSample(track, new Uint8Array(64), { duration, is_sync: i === 0 } as Parameters<typeof file.addSample>[2]);
  }
  const out = file.getBuffer() as unknown as { buffer?: ArrayBuffer; byteLength: number };
  const video = Buffer.from(out.buffer ?? (out as unknown as ArrayBuffer));
  const missing = (options.minBytes ?? 0) - video.length;
  if (missing <= 0) return video;
  const free = Buffer.alloc(Math.max(missing, 8));
  free.writeUInt32BE(free.length, 0);
  free.write('free', 4, 'latin1');
  return Buffer.concat([video, free]);
}

export interface MediaHost {
  readonly url: string;
  /** Serves these bytes at an unguessable path until the host closes; its public URL. */
  put(data: Buffer, contentType: string): string;
  /** Paths requested so far (what the platform's crawler fetched). */
  requests(): string[];
  close(): Promise<void>;
}

/**
 * A stand-in for the public host that serves a post's media to Meta's crawler: unguessable paths,
 * the bytes with their type and length, 404 for anything else.
 */
export async function startMediaHost(): Promise<MediaHost> {
  const files = new Map<string, { data: Buffer; contentType: string }>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const file = files.get(path);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
    res.end(req.method === 'HEAD' ? undefined : file.data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    put(data, contentType) {
      const extension = contentType.split('/')[1]?.replace('jpeg', 'jpg').replace('quicktime', 'mov') ?? 'bin';
      const path = `/m/${randomBytes(16).toString('base64url')}.${extension}`;
      files.set(path, { data, contentType });
      return `${url}${path}`;
    },
    requests: () => [...requests],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A real PNG of random noise (it hardly compresses: about 3 bytes a pixel), for size limits. */
export async function noisyPng(width: number, height: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 64 } },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();
}
