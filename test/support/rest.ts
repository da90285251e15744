/** An answer of the REST API as the tests read it. */
export interface RestAnswer {
  status: number;
  headers: Headers;
  /** The answer's content type, as sent. */
  type: string | null;
  text: string;
  /** The JSON body; null when the answer is not JSON (a CSV export, an empty answer). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields its route documents
  body: any;
}

/**
 * A REST call as an agency's script makes it: the key in `x-publora-key` (none when null), a JSON
 * body, and any other headers (they win over the key's).
 */
export async function restCall(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RestAnswer> {
  const { key, body, headers = {} } = options;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key ? { 'x-publora-key': key } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return {
    status: res.status,
    headers: res.headers,
    type,
    text,
    body: text && type?.includes('json') ? JSON.parse(text) : null,
  };
}

/** restCall with the key and the body as arguments, as the REST route tests write their calls. */
export const callWithKey = (
  baseUrl: string,
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => restCall(baseUrl, method, path, { key, body, headers });

/**
 * `POST /api/workspaces/add` with the install admin key, as seed 001's script adds a workspace and
 * its integrations; the new workspace's API key. Throws with the answer when it is refused.
 */
export async function addWorkspaceWithAdminKey(
  baseUrl: string,
  adminKey: string,
  workspace: { name: string; planId?: string; integrations: unknown[] },
): Promise<{ workspaceId: string; apiKey: string }> {
  const form = new FormData();
  form.append('name', workspace.name);
  if (workspace.planId) form.append('planId', workspace.planId);
  form.append('integrations', JSON.stringify(workspace.integrations));
  const added = await fetch(`${baseUrl}/api/workspaces/add`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}` },
    body: form,
  });
  const text = await added.text();
  if (added.status !== 200) throw new Error(`the workspace was not added (${added.status}): ${text}`);
  return (JSON.parse(text) as { data: { workspaceId: string; apiKey: string } }).data;
}

/** A client made with the workspace key, as a script makes one; its id. Throws with the answer when refused. */
export async function createClientOverRest(
  baseUrl: string,
  key: string,
  client: { email: string; displayName: string },
): Promise<string> {
  const created = await restCall(baseUrl, 'POST', '/api/v1/workspace/users', { key, body: client });
  if (created.status !== 201) throw new Error(`the client was not created (${created.status}): ${created.text}`);
  return (created.body as { id: string }).id;
}

/** A client made with the workspace key and a connection link for it, as an agency sends a client. */
export async function clientWithConnectionLink(
  baseUrl: string,
  key: string,
  client: { email: string; displayName: string },
): Promise<{ userId: string; connectionUrl: string }> {
  const userId = await createClientOverRest(baseUrl, key, client);
  const link = await restCall(baseUrl, 'POST', `/api/v1/workspace/users/${userId}/connection-url`, { key });
  return { userId, connectionUrl: (link.body as { connectionUrl: string }).connectionUrl };
}
