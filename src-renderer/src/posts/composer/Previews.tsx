import { PLATFORM_RULES, type MediaInfo } from '../../../../src-shared/platform-rules';
import { atHandle, platformName } from '../posts';
import type { Target, TargetCheck } from './checks';
import type { MediaItem } from './MediaPicker';

/** How the post will look on each target: author, text, images. */
export function Previews({
  checks,
  textOf,
  media,
  mediaInfo,
  editing,
}: {
  checks: readonly TargetCheck[];
  textOf: (t: Target) => string;
  media: readonly MediaItem[];
  mediaInfo: readonly MediaInfo[];
  editing: boolean;
}) {
  return (
    <aside className="composer-previews" aria-label="Previews">
      <h3 className="subheading">Previews</h3>
      {checks.length === 0 ? (
        <p className="muted">Choose where to post to see how it will look.</p>
      ) : (
        checks.map((c) => (
          <article
            key={c.target.platformId}
            className={c.over ? 'preview over' : 'preview'}
            aria-label={`Preview on ${c.target.short}`}
          >
            <header className="preview-header">
              <strong>{c.target.connection?.displayName || platformName(c.target.platform)}</strong>{' '}
              {c.target.connection && <span className="muted">{atHandle(c.target.connection.handle)}</span>}
              <span className="preview-platform">{platformName(c.target.platform)}</span>
            </header>
            <p className="preview-text">{textOf(c.target) || <span className="muted">(no text)</span>}</p>
            {mediaInfo.length > 0 && (
              <div className="preview-media">
                {editing ? (
                  <span className="muted">
                    {mediaInfo.length} {mediaInfo.length === 1 ? 'image' : 'images'}
                  </span>
                ) : (
                  media
                    .slice(0, PLATFORM_RULES[c.target.platform].maxImages)
                    .map((m) => <img key={m.key} src={m.previewUrl} alt={m.altText} />)
                )}
              </div>
            )}
          </article>
        ))
      )}
    </aside>
  );
}
