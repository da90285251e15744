import type { MediaItem } from '../../../src-shared/media';
import { formatBytes } from '../format';

/** "0:05", "1:02:03": a video's length as a player shows it. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

type Described = Pick<MediaItem, 'kind' | 'mimeType' | 'size' | 'width' | 'height' | 'durationMs'>;

/** "JPEG image · 1080×1350 · 240.1 KB", "MP4 video · 0:05 · 1080×1920 · 2.4 MB". */
export function describeMedia(m: Described): string {
  const type = (m.mimeType.split('/')[1] ?? m.mimeType).replace('quicktime', 'mov').toUpperCase();
  return [
    `${type} ${m.kind}`,
    m.durationMs !== null && formatDuration(m.durationMs),
    m.width && m.height && `${m.width}×${m.height}`,
    formatBytes(m.size),
  ]
    .filter(Boolean)
    .join(' · ');
}

export const usedByText = (n: number) =>
  n === 0 ? 'Not used by any post' : `Used by ${n} ${n === 1 ? 'post' : 'posts'}`;
