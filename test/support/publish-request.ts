import type { MediaUpload, PublishRequest } from '../../src-main/engine/platforms/types';

/**
 * An adapter test's `post(text, media?, extra?)`: a publish request with the parts fixed for the
 * whole file (its idempotency key, and the team host's public media or the Page to post as where
 * the platform needs them); no media unless given; `extra` changes any part for one test.
 */
export const publishRequests =
  (fixed: Omit<PublishRequest, 'text' | 'media'>) =>
  (text: string, media: MediaUpload[] = [], extra: Partial<PublishRequest> = {}): PublishRequest => ({
    text,
    media,
    ...fixed,
    ...extra,
  });
