import type { Channel, RequestOf, ResponseOf, Result } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import type { MediaItem } from '../../../src-shared/media';

/*
 * A file into a client's media library in chunks (issue 14 items 2 and 3): `media.beginUpload`,
 * then `media.uploadChunk` from where the engine says it got to, then `media.finishUpload`, which
 * probes the file and adds it (or refuses it naming the file and the rule). Progress is the
 * engine's own `received` of `size`. A cut upload resumes: a chunk that failed is asked for again
 * from `media.getUpload`'s `received`, and the upload's id is remembered per file (its name, size
 * and date), so the same file picked again after the app was closed carries on where it stopped.
 */

export type ContractCall = <C extends Channel>(channel: C, request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;

/** What remembers unfinished uploads between sessions (localStorage in the app). */
export interface UploadMemory {
  get(key: string): string | null;
  set(key: string, uploadId: string): void;
  remove(key: string): void;
}

export interface UploadTarget {
  workspaceId: string;
  userId: string;
  altText?: string;
}

/** How often a chunk is tried again after a failure that may be the connection (not a refusal). */
const CHUNK_TRIES = 3;

/** The bytes of part of a file as base64 (the contract carries chunks as base64). */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const memoryKey = (target: UploadTarget, file: File) =>
  `postroom.upload.${target.workspaceId}.${target.userId}.${file.name}.${file.size}.${file.lastModified}`;

/** Refusals are final; anything else (the connection, the app restarting) may pass on a second try. */
const isFinal = (error: ErrorObject) => error.code !== 'internal' && error.code !== 'conflict';

export class UploadFailed extends Error {
  constructor(readonly error: ErrorObject) {
    super(error.message);
  }
}

/** Uploads `file`, telling `onProgress(received, size)` as the engine takes each chunk; resolves to the new item. */
export async function uploadFile(
  call: ContractCall,
  file: File,
  target: UploadTarget,
  onProgress: (received: number, size: number) => void,
  memory?: UploadMemory,
): Promise<MediaItem> {
  const key = memoryKey(target, file);
  const fail = (error: ErrorObject): never => {
    throw new UploadFailed(error);
  };
  let upload: ResponseOf<'media.getUpload'> | null = null;
  const kept = memory?.get(key);
  if (kept) {
    const found = await call('media.getUpload', { workspaceId: target.workspaceId, uploadId: kept });
    if (found.ok && found.data.size === file.size) upload = found.data;
    else memory?.remove(key);
  }
  if (!upload) {
    const begun = await call('media.beginUpload', {
      workspaceId: target.workspaceId,
      userId: target.userId,
      fileName: file.name.slice(0, 255) || 'file',
      size: file.size,
      ...(target.altText ? { altText: target.altText } : {}),
    });
    if (!begun.ok) return fail(begun.error);
    upload = begun.data;
    memory?.set(key, upload.uploadId);
  }
  const { uploadId, size, chunkBytes } = upload;
  let received = upload.received;
  onProgress(received, size);
  let tries = 0;
  while (received < size) {
    const dataBase64 = await blobToBase64(file.slice(received, Math.min(size, received + chunkBytes)));
    const sent = await call('media.uploadChunk', {
      workspaceId: target.workspaceId,
      uploadId,
      offset: received,
      dataBase64,
    });
    if (sent.ok) {
      received = sent.data.received;
      tries = 0;
      onProgress(received, size);
      continue;
    }
    // Cut off, or the engine has a different idea of where the file got to: ask it, and go on from there.
    if (isFinal(sent.error) || ++tries >= CHUNK_TRIES) {
      if (isFinal(sent.error)) memory?.remove(key);
      return fail(sent.error);
    }
    const where = await call('media.getUpload', { workspaceId: target.workspaceId, uploadId });
    if (!where.ok) return fail(sent.error);
    received = where.data.received;
  }
  const finished = await call('media.finishUpload', { workspaceId: target.workspaceId, uploadId });
  memory?.remove(key);
  if (!finished.ok) return fail(finished.error);
  return finished.data;
}

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
const storage = () => (globalThis as { localStorage?: KeyValueStore }).localStorage;

/** The app's memory of unfinished uploads: localStorage, where there is one. */
export const browserUploadMemory: UploadMemory = {
  get: (key) => storage()?.getItem(key) ?? null,
  set: (key, id) => storage()?.setItem(key, id),
  remove: (key) => storage()?.removeItem(key),
};
