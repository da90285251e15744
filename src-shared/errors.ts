import { z } from 'zod';

/** Error codes of SPEC §7, shared by the REST API, the contract and the UI. */
export const errorCodes = [
  'unauthorized',
  'forbidden',
  'not_found',
  'parameter_missing',
  'validation_failed',
  'payload_too_large',
  'daily_limit_reached',
  'user_limit_reached',
  'client_limit_reached',
  'social_account_required',
  'invalid_platform',
  'rate_limited',
  'conflict',
  'keychain_unavailable',
  /** A social platform failed (5xx) or could not be reached: nothing is wrong on this side; try again. */
  'platform_unavailable',
  'unsupported_database_version',
  /** Another Postroom (serve, the desktop app) holds this data folder's lock. */
  'data_folder_in_use',
  /** The disk (or the database's size limit) is full: nothing was written; free space and try again. */
  'disk_full',
  /** The database file failed its integrity check at open; the latest automatic backup can be restored. */
  'database_damaged',
  /** The OS keychain is locked: secrets cannot be read or written until it is unlocked. */
  'keychain_locked',
  /**
   * A team host's secrets key (file or systemd credential) is missing, readable by others, too short, or not the one
   * its secrets were sealed with.
   */
  'secrets_key_invalid',
  /** A scheduled time more than a few minutes in the past: confirm with `publishNow` to publish now. */
  'time_in_past',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * How to fix an error, with exactly the fields of seed 004's OpenAPI (`UpgradePlanAction`,
 * `ConnectSocialAccountAction`); `label` is ours, for the button (SPEC §7: extra fields may follow).
 * Both links are pages the client or the owner opens in a browser, valid until `expires_at`.
 */
export const UpgradePlanAction = z.object({
  type: z.literal('upgrade_plan'),
  current_plan: z.string(),
  current_plan_display_name: z.string(),
  /** The least plan that unlocks what was refused. */
  required_plan: z.string(),
  required_plan_display_name: z.string(),
  upgrade_url: z.string(),
  expires_at: z.string(),
  label: z.string().optional(),
});
export const ConnectSocialAccountAction = z.object({
  type: z.literal('connect_social_account'),
  /** The platform to connect (`mastodon`, `x`, …). */
  provider: z.string(),
  connection_url: z.string(),
  expires_at: z.string(),
  label: z.string().optional(),
});
export const ErrorAction = z.discriminatedUnion('type', [UpgradePlanAction, ConnectSocialAccountAction]);
export type ErrorAction = z.infer<typeof ErrorAction>;

export const ErrorObject = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  action: ErrorAction.optional(),
});
export type ErrorObject = z.infer<typeof ErrorObject>;

/** The one error shape of SPEC §7: `{"error": {code, message, details?, action?}}`. */
export const ErrorBody = z.object({ error: ErrorObject });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** HTTP status for each code, so every transport maps errors the same way. */
export const httpStatusOf: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  parameter_missing: 400,
  validation_failed: 400,
  payload_too_large: 413,
  daily_limit_reached: 403,
  user_limit_reached: 422,
  client_limit_reached: 422,
  social_account_required: 422,
  invalid_platform: 400,
  rate_limited: 429,
  conflict: 409,
  keychain_unavailable: 503,
  platform_unavailable: 503,
  unsupported_database_version: 500,
  data_folder_in_use: 409,
  disk_full: 507,
  database_damaged: 500,
  keychain_locked: 503,
  secrets_key_invalid: 500,
  time_in_past: 422,
  internal: 500,
};

/**
 * Turns zod issues into the `validation_failed` error with per-field details, so a
 * malformed request from any caller reads the same.
 */
export function validationError(issues: readonly z.core.$ZodIssue[]): ErrorObject {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join('.') || '_';
    fields[path] ??= issue.message;
  }
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.map(String).join('.')}: ` : '';
  return {
    code: 'validation_failed',
    message: `${where}${first?.message ?? 'invalid input'}`,
    details: { fields },
  };
}
