/** A Graph API answer as the Meta server tests read it. */
export interface GraphAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * A Graph call as the docs' curl examples make it: GET and DELETE with a query string, POST with
 * a form; with a multipart `body`, the parameters go in the query string beside it.
 */
export async function graphCall(
  serverUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string>,
  token?: string,
  body?: FormData,
): Promise<GraphAnswer> {
  const all = token ? { ...params, access_token: token } : params;
  const url = new URL(`${serverUrl}${path}`);
  let sent: URLSearchParams | FormData | undefined = body;
  if (method === 'POST' && !body) sent = new URLSearchParams(all);
  else for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  const response = await fetch(url, { method, body: sent });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

/** graphCall on a test file's server (read at each call: a fresh one per test), or on the other one given last. */
export const graphOn =
  (server: () => { url: string }) =>
  (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: Record<string, string>,
    token?: string,
    other?: { url: string },
  ) =>
    graphCall((other ?? server()).url, method, path, params, token);
