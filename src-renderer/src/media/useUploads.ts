import { useState } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import type { MediaItem } from '../../../src-shared/media';
import { call } from '../data/contract';
import { invalidate } from '../data/freshness';
import { queryClient } from '../data/queries';
import { browserUploadMemory, uploadFile, UploadFailed } from './upload';

/** One file on its way into the library, as the progress list shows it. */
export interface UploadRow {
  key: number;
  fileName: string;
  received: number;
  size: number;
  state: 'uploading' | 'done' | 'refused';
  error?: ErrorObject;
  item?: MediaItem;
}

let keys = 0;
/**
 * Picked videos stay playable in this window: the library keeps no preview of a video, but the
 * file the person picked is still here (blob: URLs, for this session only).
 */
const localUrls = new Map<string, string>();
export const localUrlOf = (mediaId: string) => localUrls.get(mediaId);

/**
 * Uploads picked or dropped files into a client's library one after the other, each with its
 * progress; a refused file stays in the list with the engine's reason (the file and the rule).
 */
export function useUploads(workspaceId: string, userId: string, onAdded?: (item: MediaItem) => void) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const update = (key: number, patch: Partial<UploadRow>) =>
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function add(files: FileList | File[] | null) {
    if (!files) return;
    const picked = [...files].map((file) => ({ file, key: ++keys }));
    setRows((all) => [
      ...all.filter((r) => r.state === 'uploading'),
      ...picked.map(({ file, key }) => ({
        key,
        fileName: file.name,
        received: 0,
        size: file.size,
        state: 'uploading' as const,
      })),
    ]);
    for (const { file, key } of picked) {
      try {
        const item = await uploadFile(
          call,
          file,
          { workspaceId, userId },
          (received, size) => update(key, { received, size }),
          browserUploadMemory,
        );
        if (item.kind === 'video') localUrls.set(item.id, URL.createObjectURL(file));
        update(key, { state: 'done', item, received: file.size });
        onAdded?.(item);
      } catch (err) {
        const error: ErrorObject =
          err instanceof UploadFailed
            ? err.error
            : {
                code: 'internal',
                message: `${file.name}: ${err instanceof Error ? err.message : 'could not be read'}`,
              };
        update(key, { state: 'refused', error });
      }
    }
    void invalidate(queryClient, ['media.list', 'activity.list'], workspaceId);
  }

  return { rows, add, busy: rows.some((r) => r.state === 'uploading') };
}
