import { z } from 'zod';
import { requiredText } from './required-text';

/** Schemas of managed users (clients), shared by the contract and the REST API (seed 000, seed 002). */

export const ManagedUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  timezone: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deactivated: z.boolean(),
  deactivatedAt: z.string().nullable(),
  /** A raised daily post limit (enterprise plan); null: the plan's. */
  dailyPostLimit: z.number().nullable(),
});
export type ManagedUser = z.infer<typeof ManagedUser>;

export const UserId = z.string().min(1).max(64);

/*
 * Messages say what to do, in the words of the form's labels: they are shown beside the field
 * in the app and returned as `details.fields` by the REST API.
 */
const EMAIL = "Enter the client's email address, such as name@example.com.";
const NAME = "Enter the client's name.";
const Email = z.email(EMAIL).max(254, 'An email address has at most 254 characters.');
const DisplayName = requiredText(NAME, 100, 'Shorten the name to at most 100 characters.');
const ExternalId = requiredText(
  'Enter the external ID, or leave it out.',
  200,
  'Shorten the external ID to at most 200 characters.',
);
const Timezone = z
  .string()
  .min(1, 'Choose a time zone, such as Europe/Paris.')
  .max(64, 'Choose a time zone from the list, such as Europe/Paris.');
const QUEUED_POSTS = 'Choose whether queued posts keep their local times or their moment.';
const DAILY_LIMIT = 'The daily post limit is a whole number from 1 to 10,000; leave it empty for the plan’s.';

export const CreateClientInput = z.strictObject({
  email: z.string({ error: EMAIL }).pipe(Email),
  displayName: z.string({ error: NAME }).pipe(DisplayName),
  externalId: ExternalId.nullish(),
  timezone: Timezone.optional(),
});
export type CreateClientInput = z.input<typeof CreateClientInput>;

/** What a client's queued posts keep when the client's time zone changes (D96). */
export const queuedPostsRules = ['keep_local_time', 'keep_moment'] as const;
export type QueuedPostsRule = (typeof queuedPostsRules)[number];

/** What may change of a client (each field on its own, for forms). */
export const ClientPatch = z.strictObject({
  email: Email.optional(),
  displayName: DisplayName.optional(),
  externalId: ExternalId.nullable().optional(),
  timezone: Timezone.optional(),
  /**
   * With a new time zone, what the client's queued posts keep (D96): their wall-clock time
   * (`keep_local_time`: 09:00 stays 09:00 in the new zone) or their moment (`keep_moment`).
   * Required when the zone changes and posts are queued; refused otherwise as nothing to decide.
   */
  queuedPosts: z.enum(queuedPostsRules, { error: QUEUED_POSTS }).optional(),
  /** Enterprise only: raise (or restore, with null) this client's daily post limit. */
  dailyPostLimit: z
    .number({ error: DAILY_LIMIT })
    .int(DAILY_LIMIT)
    .min(1, DAILY_LIMIT)
    .max(10_000, DAILY_LIMIT)
    .nullable()
    .optional(),
});

export const UpdateClientInput = ClientPatch.refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateClientInput = z.input<typeof UpdateClientInput>;

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const ListClientsQuery = z.strictObject({
  email: z.string().max(254).optional(),
  /** Part of the client's name or email, in any case (issue 10 item 6). */
  search: z.string().trim().max(200, 'Search for at most 200 characters.').optional(),
  deactivated: booleanish.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  perPage: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListClientsQuery = z.input<typeof ListClientsQuery>;
