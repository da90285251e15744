import { useEffect, useRef, useState } from 'react';
import type { ErrorObject } from '../../../../src-shared/errors';
import { fileToUpload } from '../../files';
import { formatBytes } from '../../format';
import { Field } from '../../ui/Field';
import { Action } from '../../ui/Action';

export interface MediaItem {
  key: number;
  fileName: string;
  dataBase64: string;
  mimeType: string;
  size: number;
  altText: string;
  /** A blob: URL for thumbnails (revoked when the image is removed or the composer closes). */
  previewUrl: string;
}

export const MAX_MEDIA = 10;
let mediaKeys = 0;

/** The images of a new post: read from picked files, with alt text, thumbnails freed when gone. */
export function useMedia(onError: (error: ErrorObject | null) => void) {
  const [media, setMedia] = useState<MediaItem[]>([]);
  const previewUrls = useRef(new Set<string>());
  useEffect(() => {
    const urls = previewUrls.current;
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, []);

  async function add(files: FileList | null) {
    if (!files || files.length === 0) return;
    const picked = [...files].slice(0, Math.max(0, MAX_MEDIA - media.length));
    try {
      const read = await Promise.all(
        picked.map(async (file) => {
          const upload = await fileToUpload(file);
          const previewUrl = URL.createObjectURL(file);
          previewUrls.current.add(previewUrl);
          const type = file.type || 'application/octet-stream';
          return {
            key: ++mediaKeys,
            fileName: file.name,
            dataBase64: upload.dataBase64,
            mimeType: type,
            size: file.size,
            altText: '',
            previewUrl,
          };
        }),
      );
      setMedia((m) => [...m, ...read]);
      onError(
        files.length > picked.length
          ? { code: 'validation_failed', message: `At most ${MAX_MEDIA} images fit in one post.` }
          : null,
      );
    } catch (err) {
      onError({ code: 'internal', message: err instanceof Error ? err.message : 'the file could not be read' });
    }
  }

  function remove(m: MediaItem) {
    URL.revokeObjectURL(m.previewUrl);
    previewUrls.current.delete(m.previewUrl);
    setMedia((all) => all.filter((x) => x.key !== m.key));
  }

  const setAlt = (m: MediaItem, altText: string) =>
    setMedia((all) => all.map((x) => (x.key === m.key ? { ...x, altText } : x)));

  return { media, add, remove, setAlt };
}

/** The images field: pick files, see them, describe them, remove them. */
export function MediaPicker({ media, add, remove, setAlt }: ReturnType<typeof useMedia>) {
  return (
    <Field label="Images">
      {(control) => (
        <>
          <input
            {...control}
            type="file"
            multiple
            accept="image/png,image/jpeg,image/webp,image/gif"
            disabled={media.length >= MAX_MEDIA}
            onChange={(e) => {
              void add(e.target.files);
              e.target.value = '';
            }}
          />
          {media.length > 0 && (
            <ul className="media-list" aria-label="Chosen images">
              {media.map((m) => (
                <li key={m.key} className="media-item">
                  <img src={m.previewUrl} alt="" className="media-thumb" />
                  <div className="media-fields">
                    <span>
                      {m.fileName}{' '}
                      <span className="muted">
                        · {m.mimeType}, {formatBytes(m.size)}
                      </span>
                    </span>
                    <input
                      type="text"
                      aria-label={`Alt text for ${m.fileName}`}
                      placeholder="Alt text (describe the image)"
                      maxLength={1500}
                      value={m.altText}
                      onChange={(e) => setAlt(m, e.target.value)}
                    />
                  </div>
                  <Action small label={`Remove ${m.fileName}`} onClick={() => remove(m)}>
                    Remove
                  </Action>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Field>
  );
}
