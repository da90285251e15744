import { useState, type ReactNode } from 'react';
import type { Platform } from '../../../../src-shared/contract';
import type { PostMedia } from '../../../../src-shared/posts';
import { countText, PLATFORM_RULES, pollDuration } from '../../../../src-shared/platform-rules';
import { Thumbnail } from '../../media/Thumbnail';
import { localUrlOf } from '../../media/useUploads';
import { atHandle, platformName } from '../posts';
import type { Target, TargetCheck } from './checks';
import type { PollDraft } from './PollField';

/*
 * How the post will look on each target (issue 14 item 9): the account's name and handle, the
 * text with its links, mentions and hashtags marked as the platform marks them, the images or
 * video (a carousel with its dots where the platform shows one: Instagram, Threads, Facebook),
 * and the count against the platform's limit. Instagram shows the media first and the caption
 * under it; the others the text first. Under the post comes what its platform takes of the
 * follow-ups (issue 14 item 4): the thread's parts, each counted on its own, the poll, or the
 * first comment.
 */

/** What follows the post, as the composer holds it. */
export interface FollowUpDrafts {
  thread: readonly { text: string; media: readonly PostMedia[] }[];
  firstComment: string;
  poll: PollDraft | null;
}

/** A count against a limit, as the platform counts. */
function Count({ count, max }: { count: number; max: number }) {
  return (
    <span className={count > max ? 'preview-count over' : 'preview-count'}>
      {count} / {max}
    </span>
  );
}

/** The thread's parts, the poll or the first comment, where the target's platform takes them. */
function FollowUps({
  workspaceId,
  check,
  name,
  followUps,
}: {
  workspaceId: string;
  check: TargetCheck;
  name: string;
  followUps: FollowUpDrafts;
}) {
  const p = check.target.platform;
  const rules = PLATFORM_RULES[p];
  const options = followUps.poll?.options.filter((o) => o.trim()) ?? [];
  return (
    <>
      {rules.poll && followUps.poll && (
        <div className="preview-poll">
          <ol aria-label={`Poll on ${check.target.short}`}>
            {options.map((o, i) => (
              <li key={i}>{o}</li>
            ))}
          </ol>
          <span className="muted">Poll · runs for {pollDuration(followUps.poll.durationMinutes)}</span>
        </div>
      )}
      {rules.followUp.kind === 'thread' && followUps.thread.length > 0 && (
        <ol className="preview-thread" aria-label={`Thread on ${check.target.short}`}>
          {followUps.thread.map(({ text, media }, i) => (
            <li key={i} aria-label={`Part ${i + 2} of ${followUps.thread.length + 1}`}>
              <p className="preview-text">
                {text ? <RichText text={text} /> : <span className="muted">(no text)</span>}
              </p>
              <PreviewMedia
                workspaceId={workspaceId}
                platform={p}
                media={media}
                where={`${check.target.short}, part ${i + 2}`}
              />
              <Count count={countText(p, text)} max={check.max} />
            </li>
          ))}
        </ol>
      )}
      {rules.followUp.kind === 'first_comment' && followUps.firstComment.trim() && (
        <div className="preview-comment" aria-label={`First comment on ${check.target.short}`}>
          <p className="preview-text">
            <strong>{name}</strong> <RichText text={followUps.firstComment} />
          </p>
          <Count count={countText(p, followUps.firstComment)} max={rules.followUp.maxCommentLength} />
        </div>
      )}
    </>
  );
}

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

/** One image or video of a preview (a carousel's slide, a grid's cell); a video picked here plays from its file. */
function Slide({ workspaceId, media }: { workspaceId: string; media: PostMedia }) {
  return (
    <Thumbnail workspaceId={workspaceId} media={media} localUrl={localUrlOf(media.id)} className="preview-slide" />
  );
}

function Carousel({ workspaceId, media, where }: { workspaceId: string; media: readonly PostMedia[]; where: string }) {
  const [at, setAt] = useState(0);
  const index = Math.min(at, media.length - 1);
  const current = media[index]!;
  return (
    <div className="preview-carousel" role="group" aria-roledescription="carousel" aria-label={`Carousel on ${where}`}>
      <Slide key={current.id} workspaceId={workspaceId} media={current} />
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
        <Slide key={m.id} workspaceId={workspaceId} media={m} />
      ))}
    </div>
  );
}

export function Previews({
  workspaceId,
  checks,
  textOf,
  media,
  followUps,
}: {
  workspaceId: string;
  checks: readonly TargetCheck[];
  textOf: (t: Target) => string;
  media: readonly PostMedia[];
  followUps: FollowUpDrafts;
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
              <footer>
                <Count count={c.count} max={c.max} />
              </footer>
              <FollowUps workspaceId={workspaceId} check={c} name={name} followUps={followUps} />
            </article>
          );
        })
      )}
    </aside>
  );
}
