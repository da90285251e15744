import { useState } from 'react';
import { aspectRatios, type AspectRatio, type MediaItem } from '../../../../src-shared/media';
import type { PostGroup, PostMedia } from '../../../../src-shared/posts';
import type { MediaInfo } from '../../../../src-shared/platform-rules';
import { act, useContract } from '../../data/queries';
import type { ErrorObject } from '../../../../src-shared/errors';
import { describeMedia } from '../../media/mediaText';
import { Thumbnail } from '../../media/Thumbnail';
import { UploadZone } from '../../media/UploadZone';
import { localUrlOf, useUploads } from '../../media/useUploads';
import { Action } from '../../ui/Action';
import { ErrorAlert } from '../../ui/ErrorAlert';

/** A post takes at most this many library items (the contract's `mediaIds`). */
export const MAX_POST_MEDIA = 20;

const asPostMedia = (m: MediaItem | PostMedia): PostMedia => ({
  id: m.id,
  kind: m.kind,
  mimeType: m.mimeType,
  size: m.size,
  width: m.width,
  height: m.height,
  durationMs: m.durationMs,
  fileName: m.fileName,
  altText: m.altText,
  hasThumbnail: m.hasThumbnail,
});

/** What the platform rules look at (src-shared/platform-rules): all of it is known for library items. */
export const mediaInfoOf = (m: PostMedia): MediaInfo => ({
  mimeType: m.mimeType,
  size: m.size,
  kind: m.kind,
  width: m.width,
  height: m.height,
  durationMs: m.durationMs,
});

/** A list of library items, in order, and what a person does to it: the post's own, or a thread part's. */
export interface PostMediaList {
  items: readonly PostMedia[];
  add: (m: MediaItem | PostMedia) => void;
  remove: (id: string) => void;
  move: (id: string, by: -1 | 1) => void;
  replace: (id: string, m: MediaItem) => void;
  setAlt: (id: string, altText: string) => void;
}

type Update = (next: (all: PostMedia[]) => PostMedia[]) => void;

/**
 * What a person does to a list of media kept in some state: `change` for what changes the post
 * (adding, removing, order, a reshaped copy), `quiet` for alt text (saved on the library item itself).
 */
export function mediaListOf(items: readonly PostMedia[], change: Update, quiet: Update = change): PostMediaList {
  return {
    items,
    add: (m) =>
      change((all) =>
        all.some((x) => x.id === m.id) || all.length >= MAX_POST_MEDIA ? all : [...all, asPostMedia(m)],
      ),
    remove: (id) => change((all) => all.filter((m) => m.id !== id)),
    move: (id, by) =>
      change((all) => {
        const i = all.findIndex((m) => m.id === id);
        const j = i + by;
        if (i < 0 || j < 0 || j >= all.length) return all;
        const next = [...all];
        [next[i], next[j]] = [next[j]!, next[i]!];
        return next;
      }),
    replace: (id, m) => change((all) => all.map((x) => (x.id === id ? asPostMedia(m) : x))),
    setAlt: (id, altText) => quiet((all) => all.map((m) => (m.id === id ? { ...m, altText } : m))),
  };
}

/** The post's media: library items in order (posts refer to them by `mediaIds`). */
export function usePostMedia(existing: PostGroup | null, onChange: () => void) {
  const [items, setItems] = useState<PostMedia[]>(() => existing?.media ?? []);
  const startIds = (existing?.media ?? []).map((m) => m.id).join(',');
  const list = mediaListOf(
    items,
    (next) => {
      setItems(next);
      onChange();
    },
    setItems,
  );
  return { ...list, changed: items.map((m) => m.id).join(',') !== startIds };
}

/** One chosen file: its preview, what it is, its alt text (kept with the file), order, crop and remove. */
function ChosenItem({
  workspaceId,
  m,
  index,
  count,
  media,
}: {
  workspaceId: string;
  m: PostMedia;
  index: number;
  count: number;
  media: PostMediaList;
}) {
  const [error, setError] = useState<ErrorObject | null>(null);
  const [busy, setBusy] = useState(false);
  const [savedAlt, setSavedAlt] = useState(m.altText);

  async function saveAlt() {
    if (m.altText.trim() === savedAlt) return;
    const res = await act('media.update', { workspaceId, mediaId: m.id, patch: { altText: m.altText.trim() } });
    if (res.ok) setSavedAlt(res.data.altText);
    setError(res.ok ? null : res.error);
  }

  async function reshape(value: string) {
    const [mode, aspect] = value.split(' ') as ['crop' | 'pad', AspectRatio];
    setBusy(true);
    const res = await act('media.reshape', { workspaceId, mediaId: m.id, aspect, mode });
    setBusy(false);
    if (res.ok) media.replace(m.id, res.data);
    setError(res.ok ? null : res.error);
  }

  const name = `${m.kind} ${index + 1} (${m.fileName})`;
  return (
    <li className="media-item" aria-label={`${m.kind === 'video' ? 'Video' : 'Image'} ${index + 1}: ${m.fileName}`}>
      <Thumbnail workspaceId={workspaceId} media={m} localUrl={localUrlOf(m.id)} controls />
      <div className="media-fields">
        <span>
          {m.fileName} <span className="muted">· {describeMedia(m)}</span>
        </span>
        <input
          type="text"
          aria-label={`Alt text for ${m.fileName}`}
          placeholder={m.kind === 'video' ? 'Alt text (describe the video)' : 'Alt text (describe the image)'}
          maxLength={1500}
          value={m.altText}
          onChange={(e) => media.setAlt(m.id, e.target.value)}
          onBlur={() => void saveAlt()}
        />
        <div className="button-row">
          <Action small label={`Move ${name} earlier`} disabled={index === 0} onClick={() => media.move(m.id, -1)}>
            ↑
          </Action>
          <Action small label={`Move ${name} later`} disabled={index === count - 1} onClick={() => media.move(m.id, 1)}>
            ↓
          </Action>
          {m.kind === 'image' && (
            <select
              aria-label={`Change the shape of ${m.fileName}`}
              value=""
              disabled={busy}
              onChange={(e) => void reshape(e.target.value)}
            >
              <option value="">Shape…</option>
              {aspectRatios.map((a) => (
                <option key={`crop ${a}`} value={`crop ${a}`}>
                  Crop to {a}
                </option>
              ))}
              {aspectRatios.map((a) => (
                <option key={`pad ${a}`} value={`pad ${a}`}>
                  Pad to {a}
                </option>
              ))}
            </select>
          )}
          <Action small label={`Remove ${m.fileName}`} onClick={() => media.remove(m.id)}>
            Remove
          </Action>
        </div>
        {error && <ErrorAlert error={error} />}
      </div>
    </li>
  );
}

/**
 * The composer's images and videos (issue 14 item 9): chosen from the client's library or uploaded
 * into it (with progress), each with alt text, in order, cropped or padded to a platform's shape.
 * A thread's part has its own (`part`: its number), named after it so each list is told apart.
 */
export function PostMediaPicker({
  workspaceId,
  userId,
  media,
  part,
}: {
  workspaceId: string;
  userId: string;
  media: PostMediaList;
  part?: number;
}) {
  const uploads = useUploads(workspaceId, userId, (item) => media.add(item));
  const library = useContract('media.list', { workspaceId, userId, limit: 200 }, { enabled: userId !== '' });
  const choices = (library.data ?? []).filter((item) => !media.items.some((m) => m.id === item.id));
  const full = media.items.length >= MAX_POST_MEDIA;
  const forPart = part === undefined ? '' : ` for part ${part}`;
  return (
    <fieldset className="plain post-media">
      <legend>Images and video{forPart}</legend>
      {media.items.length > 0 && (
        <ol className="media-list" aria-label={`Chosen media${forPart}`}>
          {media.items.map((m, i) => (
            <ChosenItem key={m.id} workspaceId={workspaceId} m={m} index={i} count={media.items.length} media={media} />
          ))}
        </ol>
      )}
      {userId === '' ? (
        <p className="hint">Choose a client to add images or video from their library.</p>
      ) : (
        <>
          {!full && <UploadZone uploads={uploads} label={`Upload images or video${forPart}`} />}
          <details className="library-choices">
            <summary>
              Choose from {'the library'} ({choices.length})
            </summary>
            {library.error && <ErrorAlert error={library.error} />}
            {choices.length === 0 ? (
              <p className="muted">Nothing else in this client&apos;s library.</p>
            ) : (
              <ul className="media-list">
                {choices.map((item) => (
                  <li key={item.id} className="media-item">
                    <Thumbnail workspaceId={workspaceId} media={item} localUrl={localUrlOf(item.id)} />
                    <div className="media-fields">
                      <span>{item.fileName}</span>
                      <span className="muted">{describeMedia(item)}</span>
                    </div>
                    <Action
                      small
                      disabled={full}
                      label={`Add ${item.fileName}${forPart}`}
                      onClick={() => media.add(item)}
                    >
                      Add
                    </Action>
                  </li>
                ))}
              </ul>
            )}
          </details>
        </>
      )}
    </fieldset>
  );
}
