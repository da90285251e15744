import { defineChannels } from '../kernel/channels';
import {
  appendChunk,
  beginUpload,
  cancelUpload,
  deleteMedia,
  finishUpload,
  getMedia,
  getUpload,
  listMedia,
  mediaThumbnail,
  reshapeMedia,
  updateMedia,
  uploadMedia,
} from './library';

/** Each client's media library (issue 14 item 2): uploads whole or in chunks, alt text, crops, deletion. */
export const mediaChannels = defineChannels()({
  'media.list': {
    handle: (host, req) =>
      listMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, { kind: req.kind, limit: req.limit }),
  },
  'media.get': { handle: (host, req) => getMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.mediaId) },
  'media.thumbnail': {
    handle: async (host, req) => {
      const thumb = await mediaThumbnail(host.ctx, host.memberPrincipal(req.workspaceId), req.mediaId);
      return thumb ? { mimeType: thumb.mimeType, dataBase64: thumb.data.toString('base64') } : null;
    },
  },
  'media.upload': {
    handle: (host, req) =>
      uploadMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, {
        fileName: req.file.fileName,
        data: Buffer.from(req.file.dataBase64, 'base64'),
        altText: req.altText,
      }),
  },
  'media.beginUpload': {
    handle: (host, req) =>
      beginUpload(host.ctx, host.memberPrincipal(req.workspaceId), req.userId, {
        fileName: req.fileName,
        size: req.size,
        altText: req.altText,
      }),
  },
  'media.getUpload': {
    handle: (host, req) => getUpload(host.ctx, host.memberPrincipal(req.workspaceId), req.uploadId),
  },
  'media.uploadChunk': {
    handle: (host, req) =>
      appendChunk(
        host.ctx,
        host.memberPrincipal(req.workspaceId),
        req.uploadId,
        req.offset,
        Buffer.from(req.dataBase64, 'base64'),
      ),
  },
  'media.finishUpload': {
    handle: (host, req) => finishUpload(host.ctx, host.memberPrincipal(req.workspaceId), req.uploadId),
  },
  'media.cancelUpload': {
    handle: (host, req) => {
      cancelUpload(host.ctx, host.memberPrincipal(req.workspaceId), req.uploadId);
      return { cancelled: true as const };
    },
  },
  'media.update': {
    handle: (host, req) => updateMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.mediaId, req.patch),
  },
  'media.delete': {
    handle: (host, req) => {
      deleteMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.mediaId);
      return { deleted: true as const };
    },
  },
  'media.reshape': {
    handle: (host, req) =>
      reshapeMedia(host.ctx, host.memberPrincipal(req.workspaceId), req.mediaId, {
        aspect: req.aspect,
        mode: req.mode,
      }),
  },
});
