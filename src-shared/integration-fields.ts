import type { Platform } from './contract-platforms';

/** The fields of an integration a person may have to fill in. */
export type IntegrationField = 'clientId' | 'clientSecret' | 'instanceUrl';

/**
 * What each platform needs before a client can connect an account with it (issue 10 item 7, D107).
 * Mastodon needs only its instance: Postroom registers itself there (`POST /api/v1/apps`).
 * Bluesky needs nothing (AT Protocol OAuth with a loopback client, or an app password). X signs in
 * a public client with PKCE, so its client ID is enough; LinkedIn and Meta's platforms exchange the
 * code with the app's secret. The message is said beside the empty field, saying where to find it.
 */
export const INTEGRATION_REQUIRED = {
  bluesky: {},
  mastodon: {
    instanceUrl: "Enter the instance's address, such as https://mastodon.social: Postroom registers itself there.",
  },
  x: { clientId: 'Enter the client ID of your X app (X developer portal → your app → Keys and tokens).' },
  linkedin: {
    clientId: 'Enter the client ID of your LinkedIn app (LinkedIn developer portal → your app → Auth).',
    clientSecret: 'Enter the client secret of your LinkedIn app (LinkedIn developer portal → your app → Auth).',
  },
  threads: {
    clientId: "Enter your Threads app's ID (Meta for Developers → your app → Use cases → Threads).",
    clientSecret: "Enter your Threads app's secret (Meta for Developers → your app → Use cases → Threads).",
  },
  instagram: {
    clientId: "Enter your Instagram app's ID (Meta for Developers → your app → Instagram → API setup).",
    clientSecret: "Enter your Instagram app's secret (Meta for Developers → your app → Instagram → API setup).",
  },
  facebook: {
    clientId: "Enter your Facebook app's ID (Meta for Developers → your app → App settings → Basic).",
    clientSecret: "Enter your Facebook app's secret (Meta for Developers → your app → App settings → Basic).",
  },
} as const satisfies Record<Platform, Partial<Record<IntegrationField, string>>>;

/** The fields a platform's integration must have, each with what to say when it is empty. */
export function requiredFields(platform: Platform): [IntegrationField, string][] {
  return Object.entries(INTEGRATION_REQUIRED[platform]) as [IntegrationField, string][];
}

/** An integration as stored: which of its fields are filled in (the secret only as "has one"). */
export interface IntegrationFilled {
  platform: Platform;
  clientId: string | null;
  instanceUrl: string | null;
  hasSecret: boolean;
}

const filled: Record<IntegrationField, (i: IntegrationFilled) => boolean> = {
  clientId: (i) => Boolean(i.clientId),
  clientSecret: (i) => i.hasSecret,
  instanceUrl: (i) => Boolean(i.instanceUrl),
};

/**
 * A platform is ready when the workspace has an integration for it with every required field:
 * only then can a client connect it through a link. Integrations saved before the fields were
 * required (an empty Mastodon one was once accepted) are not ready.
 */
export const isIntegrationReady = (i: IntegrationFilled): boolean =>
  requiredFields(i.platform).every(([field]) => filled[field](i));

/** The platforms a connection link can offer, by name, each once. */
export function readyPlatforms(integrations: readonly IntegrationFilled[]): Platform[] {
  return [...new Set(integrations.filter(isIntegrationReady).map((i) => i.platform))].sort();
}

/** What a person is told when no platform is ready, so no link is made that connects nothing. */
export const NO_PLATFORM_READY =
  'No platform is set up yet, so a connection link would offer nothing to connect. Add an integration in ' +
  'Settings → Integrations first (Mastodon needs only its instance address; Bluesky needs nothing).';
