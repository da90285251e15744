/*
 * The curl examples on the API page, filled with the real base URL and key. They are meant to be
 * pasted into a POSIX shell as they are, so every value is single-quoted.
 */

/** What stands for the key until it is revealed. */
export const KEY_PLACEHOLDER = 'YOUR_API_KEY';
/** What stands for a platform id when the chosen client has no connected account. */
export const PLATFORM_PLACEHOLDER = 'PLATFORM_ID';
/** What stands for the client when there is none to choose. */
export const USER_PLACEHOLDER = 'USER_ID';

/** A word for sh/bash: single quotes, with any single quote inside closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const lines = (parts: string[]) => parts.join(' \\\n  ');

const base = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

/** `GET /api/v1/workspace/users`: the clients the key may see, as a JSON list. */
export function listClientsExample(baseUrl: string, apiKey: string | null): string {
  return lines([
    `curl -s ${shellQuote(`${base(baseUrl)}/api/v1/workspace/users`)}`,
    `-H ${shellQuote(`x-publora-key: ${apiKey ?? KEY_PLACEHOLDER}`)}`,
  ]);
}

/** `POST /api/v1/post-groups` for one client: without scheduledTime the post group is a draft. */
export function createPostGroupExample(
  baseUrl: string,
  apiKey: string | null,
  userId: string | null,
  platformIds: string[],
): string {
  const body = JSON.stringify({
    text: 'Hello',
    platformIds: platformIds.length > 0 ? platformIds : [PLATFORM_PLACEHOLDER],
  });
  return lines([
    `curl -s -X POST ${shellQuote(`${base(baseUrl)}/api/v1/post-groups`)}`,
    `-H ${shellQuote(`x-publora-key: ${apiKey ?? KEY_PLACEHOLDER}`)}`,
    `-H ${shellQuote(`x-publora-user-id: ${userId ?? USER_PLACEHOLDER}`)}`,
    `-H ${shellQuote('content-type: application/json')}`,
    `-d ${shellQuote(body)}`,
  ]);
}
