import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../engine/kernel/clock';
import { hasFile, mediaFilePath } from '../engine/files/store';
import { PlatformError, type MediaUpload, type PublicMediaHost } from '../engine/platforms/types';
import { sendError } from '../server/loopback-guard';

/*
 * A post's media at the team host's public URL (issue 14 item 5, D101): Instagram and Threads fetch
 * every image and video themselves from an address, at the moment their container is made (a reel
 * a little later, while it is processed). Each file of a delivery gets its own link,
 * `<public URL>/public-media/v1/<token>`, where the token is 256 random bits (unguessable: the path
 * is the only secret, as in a signed bucket URL) and is good for `PUBLIC_MEDIA_TTL_MS`. The links
 * are kept in memory only: a platform fetches within minutes, and a retry after a restart asks for
 * new links. An unknown, forged or expired token is one and the same 404, so a guesser learns nothing.
 */

/** How long a link works: Instagram fetches at once, a reel within minutes; the back-off's next try makes new links. */
export const PUBLIC_MEDIA_TTL_MS = 60 * 60_000;
/** The path the links live under (a prefix the REST API never uses). */
export const PUBLIC_MEDIA_PATH = '/public-media/v1/';
/** base64url of 32 random bytes. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface Link {
  sha256: string;
  mimeType: string;
  expiresAt: number;
}

export class PublicMediaLinks implements PublicMediaHost {
  private readonly links = new Map<string, Link>();

  constructor(
    private readonly options: {
      /** The host's public origin (`https://postroom.agency.example`). */
      publicUrl: string;
      dataDir: string;
      clock: Clock;
      ttlMs?: number;
    },
  ) {}

  /** A fresh link to one file of a post; the file is the library's own (content-addressed by its SHA-256). */
  async urlFor(media: MediaUpload): Promise<string> {
    const now = this.options.clock.now().getTime();
    this.prune(now);
    const sha256 = media.sha256 ?? createHash('sha256').update(media.data).digest('hex');
    if (!hasFile(this.options.dataDir, sha256))
      throw new PlatformError('a file of this post is missing from the media library; edit the post', false);
    const token = randomBytes(32).toString('base64url');
    this.links.set(token, {
      sha256,
      mimeType: media.mimeType,
      expiresAt: now + (this.options.ttlMs ?? PUBLIC_MEDIA_TTL_MS),
    });
    return new URL(PUBLIC_MEDIA_PATH + token, this.options.publicUrl).href;
  }

  /** The file a token names while it is valid, else null (unknown, forged and expired alike). */
  resolve(token: string): Link | null {
    if (!TOKEN.test(token)) return null;
    const link = this.links.get(token);
    if (!link) return null;
    if (link.expiresAt <= this.options.clock.now().getTime()) {
      this.links.delete(token);
      return null;
    }
    return link;
  }

  /** How many links are live (tests; they never pile up: expired ones go at each new link). */
  get size(): number {
    return this.links.size;
  }

  private prune(now: number): void {
    for (const [token, link] of this.links) if (link.expiresAt <= now) this.links.delete(token);
  }

  /** `GET /public-media/v1/:token`: the file, streamed from the data folder, or one 404 for anything else. */
  register(app: FastifyInstance): void {
    app.get<{ Params: { token: string } }>(`${PUBLIC_MEDIA_PATH}:token`, async (request, reply) => {
      const link = this.resolve(request.params.token);
      const path = link ? mediaFilePath(this.options.dataDir, link.sha256) : null;
      const size = path
        ? await stat(path).then(
            (s) => s.size,
            () => null,
          )
        : null;
      if (!link || !path || size === null)
        return sendError(reply, {
          code: 'not_found',
          message: 'this media link is unknown or has expired (Postroom makes new links each time it publishes)',
        });
      return (
        reply
          .header('content-type', link.mimeType)
          .header('content-length', String(size))
          .header('cache-control', 'private, no-store')
          // Fetched by the platform's servers, not shown in a page of this origin.
          .header('cross-origin-resource-policy', 'cross-origin')
          .header('x-robots-tag', 'noindex')
          .send(createReadStream(path))
      );
    });
  }
}
