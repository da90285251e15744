import { useState, type ReactNode } from 'react';
import type { Platform } from '../../../../src-shared/contract';
import type { PostMedia } from '../../../../src-shared/posts';
import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { Thumbnail } from '../../media/Thumbnail';
import { localUrlOf } from '../../media/useUploads';
import { atHandle, platformName } from '../posts';
import type { Target, TargetCheck } from './checks';

/*
 * How the post will look on each target (issue 14 item 9): the account's name and handle, the
 * text with its links, mentions and hashtags marked as the platform marks them, the images or
 * video (a carousel with its dots where the platform shows one: Instagram, Threads, Facebook),
 * and the count against the platform's limit. Instagram shows the media first and the caption
 * under it; the others the text first.
 */

/** Platforms that show several images as a carousel to swipe, one at a time. */
const CAROUSEL: ReadonlySet<Platform> = new Set(['instagram', 'threads', 'facebook']);
/** Platforms whose posts lead with the media, the caption after it. */
const MEDIA_FIRST: ReadonlySet<Platform> = new Set(['instagram']);

const TOKEN = /(https?:\/\/[^\s]+|@[\w.@-]*\w|#\w+)/gu;

/** The text with links, @mentions and #hashtags marked. */
export function RichText({ text }: { text: string }) {
  const parts = text.split(TOKEN);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <span key={i} className={part.startsWith('http') ? 'preview-link' : 'preview-tag'}>
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </>
  );
}

function Carousel({ workspaceId, media, where }: { workspaceId: string; media: readonly PostMedia[]; where: string }) {
  const [at, setAt] = useState(0);
  const index = Math.min(at, media.length - 1);
  const current = media[index]!;
  return (
    <div className="preview-carousel" role="group" aria-roledescription="carousel" aria-label={`Carousel on ${where}`}>
      <Thumbnail
        key={current.id}
        workspaceId={workspaceId}
        media={current}
        localUrl={localUrlOf(current.id)}
        className="preview-slide"
      />
      <div className="preview-carousel-nav">
        <button
          type="button"
          className="button small subtle"
          aria-label="Previous"
          disabled={index === 0}
          onClick={() => setAt(index - 1)}
        >
          ‹
        </button>
        <span aria-live="polite">
          {index + 1} / {media.length}
        </span>
        <span className="preview-dots" aria-hidden>
          {media.map((m, i) => (
            <span key={m.id} className={i === index ? 'dot on' : 'dot'} />
          ))}
        </span>
        <button
          type="button"
          className="button small subtle"
          aria-label="Next"
          disabled={index === media.length - 1}
          onClick={() => setAt(index + 1)}
        >
          ›
        </button>
      </div>
    </div>
  );
}

function PreviewMedia({
  workspaceId,
  platform,
  media,
  where,
}: {
  workspaceId: string;
  platform: Platform;
  media: readonly PostMedia[];
  where: string;
}) {
  if (media.length === 0) return null;
  if (CAROUSEL.has(platform) && media.length > 1)
    return (
      <Carousel workspaceId={workspaceId} media={media.slice(0, PLATFORM_RULES[platform].maxImages)} where={where} />
    );
  const shown = media.filter((m) => m.kind === 'video').slice(0, 1);
  const list = shown.length > 0 ? shown : media.slice(0, PLATFORM_RULES[platform].maxImages);
  return (
    <div className={`preview-media count-${Math.min(list.length, 4)}`}>
      {list.map((m) => (
        <Thumbnail
          key={m.id}
          workspaceId={workspaceId}
          media={m}
          localUrl={localUrlOf(m.id)}
          className="preview-slide"
        />
      ))}
    </div>
  );
}

export function Previews({
  workspaceId,
  checks,
  textOf,
  media,
}: {
  workspaceId: string;
  checks: readonly TargetCheck[];
  textOf: (t: Target) => string;
  media: readonly PostMedia[];
}) {
  return (
    <aside className="composer-previews" aria-label="Previews">
      <h3 className="subheading">Previews</h3>
      {checks.length === 0 ? (
        <p className="muted">Choose where to post to see how it will look.</p>
      ) : (
        checks.map((c) => {
          const p = c.target.platform;
          const name = c.target.connection?.displayName || platformName(p);
          const text = textOf(c.target);
          const where = c.target.short;
          const body: ReactNode = (
            <p className="preview-text">
              {MEDIA_FIRST.has(p) && c.target.connection && (
                <strong className="preview-caption-name">{c.target.connection.handle} </strong>
              )}
              {text ? <RichText text={text} /> : <span className="muted">(no text)</span>}
            </p>
          );
          const pictures = <PreviewMedia workspaceId={workspaceId} platform={p} media={media} where={where} />;
          return (
            <article
              key={c.target.platformId}
              className={`preview preview-${p}${c.over ? ' over' : ''}`}
              aria-label={`Preview on ${where}`}
            >
              <header className="preview-header">
                <span className="preview-avatar" aria-hidden>
                  {name.slice(0, 1).toUpperCase()}
                </span>
                <strong>{name}</strong>{' '}
                {c.target.connection && <span className="muted">{atHandle(c.target.connection.handle)}</span>}
                <span className="preview-platform">{platformName(p)}</span>
              </header>
              {MEDIA_FIRST.has(p) ? (
                <>
                  {pictures}
                  {body}
                </>
              ) : (
                <>
                  {body}
                  {pictures}
                </>
              )}
              <footer className={c.over ? 'preview-count over' : 'preview-count'}>
                {c.count} / {c.max}
              </footer>
            </article>
          );
        })
      )}
    </aside>
  );
}
