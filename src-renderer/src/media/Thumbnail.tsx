import type { PostMedia } from '../../../src-shared/posts';
import { useContract } from '../data/queries';
import { formatDuration } from './mediaText';

/**
 * A library item's small picture: the engine's JPEG thumbnail for images; for a video, its own
 * bytes when this window still has the picked file (`localUrl`, a playable preview), else a tile
 * with its length.
 */
export function Thumbnail({
  workspaceId,
  media,
  localUrl,
  className = 'media-thumb',
  controls,
}: {
  workspaceId: string;
  media: Pick<PostMedia, 'id' | 'kind' | 'hasThumbnail' | 'altText' | 'durationMs' | 'fileName'>;
  localUrl?: string;
  className?: string;
  /** A video plays in place (the composer's preview). */
  controls?: boolean;
}) {
  const thumb = useContract(
    'media.thumbnail',
    { workspaceId, mediaId: media.id },
    { enabled: media.hasThumbnail && media.kind === 'image' },
  );
  if (media.kind === 'video') {
    const length = media.durationMs !== null ? formatDuration(media.durationMs) : '';
    return localUrl ? (
      <span className={`${className} video-thumb`}>
        <video src={localUrl} controls={controls} muted preload="metadata" aria-label={`Video ${media.fileName}`} />
        <span className="video-length">{length}</span>
      </span>
    ) : (
      <span
        className={`${className} video-thumb video-tile`}
        role="img"
        aria-label={`Video ${media.fileName}, ${length}`}
      >
        ▶ <span className="video-length">{length}</span>
      </span>
    );
  }
  const src = thumb.data ? `data:${thumb.data.mimeType};base64,${thumb.data.dataBase64}` : undefined;
  return src ? (
    <img src={src} alt={media.altText} className={className} />
  ) : (
    <span className={`${className} video-tile`} role="img" aria-label={media.altText || media.fileName} />
  );
}
