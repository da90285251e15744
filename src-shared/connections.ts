import { z } from 'zod';
import { Platform } from './contract-platforms';

/** A client's social account as every caller sees it (SPEC §3 Connection); tokens never leave main. */
export const Connection = z.object({
  id: z.string(),
  platformId: z.string(),
  platform: Platform,
  accountId: z.string(),
  handle: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'needs_reauth', 'revoked']),
  connectedAt: z.string(),
  tokenExpiresAt: z.string().nullable(),
  /** The server's own text limit where it sets one (a Mastodon instance); null: the platform's. */
  maxTextLength: z.number().nullable(),
  /** The server's own poll bounds where it sets them (a Mastodon instance); null: the platform's. */
  pollLimits: z
    .object({ maxOptions: z.number(), maxOptionLength: z.number(), minMinutes: z.number(), maxMinutes: z.number() })
    .nullable(),
});
export type Connection = z.infer<typeof Connection>;

export const ConnectionLink = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
});
export type ConnectionLink = z.infer<typeof ConnectionLink>;

/** An organisation page a connection may post as (LinkedIn: `urn:li:organization:<id>`), by name. */
export const PostAsPage = z.object({ urn: z.string(), name: z.string() });
export type PostAsPage = z.infer<typeof PostAsPage>;

/** `PATCH /api/v1/connections/:platformId`: who the connection posts as (null: the account itself). */
export const UpdateConnectionInput = z.strictObject({ postAs: z.string().max(200).nullable() });
export type UpdateConnectionInput = z.infer<typeof UpdateConnectionInput>;

/** A connection's settings as the caller may see and change them. */
export const ConnectionSettings = z.object({
  platformId: z.string(),
  postAs: z.string().nullable(),
  mode: z.enum(['owner', 'member']).nullable(),
  canReauthenticate: z.boolean(),
  canChangePostAs: z.boolean(),
  whoMayReconnect: z.array(z.string()),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;
