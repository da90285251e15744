import { z } from 'zod';

export const platforms = ['bluesky', 'mastodon', 'x', 'linkedin', 'threads', 'instagram', 'facebook'] as const;
export const Platform = z.enum(platforms);
export type Platform = z.infer<typeof Platform>;
