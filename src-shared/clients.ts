import { z } from 'zod';

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

const Email = z.email('a valid email is required').max(254);
const DisplayName = z.string().trim().min(1, 'displayName is required').max(100);
const ExternalId = z.string().trim().min(1).max(200);
const Timezone = z.string().min(1).max(64);

export const CreateClientInput = z.strictObject({
  email: z.string({ error: 'email is required' }).pipe(Email),
  displayName: z.string({ error: 'displayName is required' }).pipe(DisplayName),
  externalId: ExternalId.nullish(),
  timezone: Timezone.optional(),
});
export type CreateClientInput = z.input<typeof CreateClientInput>;

/** What may change of a client (each field on its own, for forms). */
export const ClientPatch = z.strictObject({
  email: Email.optional(),
  displayName: DisplayName.optional(),
  externalId: ExternalId.nullable().optional(),
  timezone: Timezone.optional(),
  /** Enterprise only: raise (or restore, with null) this client's daily post limit. */
  dailyPostLimit: z.number().int().min(1).max(10_000).nullable().optional(),
});

export const UpdateClientInput = ClientPatch.refine((v) => Object.keys(v).length > 0, 'nothing to update');
export type UpdateClientInput = z.input<typeof UpdateClientInput>;

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const ListClientsQuery = z.strictObject({
  email: z.string().max(254).optional(),
  deactivated: booleanish.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  perPage: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListClientsQuery = z.input<typeof ListClientsQuery>;
