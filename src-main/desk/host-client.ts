import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorBody, type ErrorCode } from '../../src-shared/errors';
import {
  DESK_PATHS,
  DESK_PROTOCOL_VERSION,
  DeskSession,
  HostInfo,
  type JoinRequest,
  type SignInRequest,
} from '../../src-shared/team-protocol';
import { AppError } from '../engine/kernel/errors';

/*
 * The desk's HTTPS calls to a team host (/work/coord/team-protocol.md): the info check of a typed
 * address, join, sign-in and sign-out. Every failure becomes a SPEC §7 error whose
 * `details.fields` names the field of the desk's form it is about (the address, the invitation
 * code, the password), so the renderer shows it beside that field (issue 12 item 2).
 */

/** How long one request to the host may take before the desk says it cannot be reached. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Bodies the host answers are small (an identity, an error). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** TLS failures that mean "this computer does not trust what answered", as Node's TLS names them. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Network failures that mean nothing answered at that address. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

export interface HostClientOptions {
  /** Extra CA certificates to trust (tests in this process; a desk process reads NODE_EXTRA_CA_CERTS). */
  ca?: string;
}

const hostUrlError = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) =>
  new AppError(code, message, { ...extra, fields: { hostUrl: message } });

/**
 * The host's address as the desk keeps it: its origin (scheme, name, port), without a path.
 * Plain http only to this computer (D89): a password must not cross a network in clear text.
 */
export function hostOrigin(typed: string): string {
  const url = new URL(typed);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback)
    throw hostUrlError(
      'validation_failed',
      `A team host is reached over https:// (your password would cross the network readable). Enter https://${url.host}.`,
    );
  return url.origin;
}

interface Answer {
  status: number;
  body: unknown;
}

function send(url: string, options: HostClientOptions, init: { body?: unknown; token?: string }): Promise<Answer> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: body === undefined && !init.token ? 'GET' : 'POST',
        timeout: REQUEST_TIMEOUT_MS,
        ...(options.ca ? { ca: options.ca } : {}),
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(Object.assign(new Error('answer too large'), { code: 'TOO_LARGE' }));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // not JSON: not a Postroom host, judged by the caller
          }
          done({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A failure to reach `origin` at all, in words a person can act on, on the address field. */
function networkError(origin: string, err: unknown): AppError {
  const code = (err as { code?: string } | null)?.code ?? '';
  const host = new URL(origin).host;
  if (UNTRUSTED_CERTIFICATE.has(code))
    return hostUrlError(
      'validation_failed',
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `The certificate of ${host} is made out to another name, so this computer cannot trust it. Check the address.`
        : `This computer does not trust the certificate of ${host} (${code}). ` +
            "Check the address, or install your agency's certificate authority on this computer.",
      { reason: code },
    );
  if (code === 'EPROTO' || code.startsWith('ERR_SSL'))
    return hostUrlError(
      'validation_failed',
      `${host} does not speak https. Check the address (a team host is https://, with its port if it has one).`,
      { reason: code },
    );
  if (UNREACHABLE.has(code) || code === 'ECONNRESET')
    return hostUrlError(
      'platform_unavailable',
      `No team host answers at ${host}. ` +
        "Check the address and this computer's network, or ask your agency whether the host is running.",
      { reason: code },
    );
  return hostUrlError('platform_unavailable', `${host} could not be reached. Check the address and try again.`, {
    reason: code || 'unknown',
  });
}

async function call(
  origin: string,
  path: string,
  options: HostClientOptions,
  init: { body?: unknown; token?: string },
) {
  try {
    return await send(`${origin}${path}`, options, init);
  } catch (err) {
    throw networkError(origin, err);
  }
}

/** Checks that a typed address is a Postroom team host this desk can talk to; answers its info. */
export async function checkHost(typed: string, options: HostClientOptions = {}): Promise<HostInfo> {
  const origin = hostOrigin(typed);
  const answer = await call(origin, DESK_PATHS.info, options, {});
  const info = HostInfo.safeParse(answer.body);
  if (answer.status !== 200 || !info.success)
    throw hostUrlError(
      'validation_failed',
      `${new URL(origin).host} answers, but it is not a Postroom team host. Check the address.`,
    );
  if (info.data.protocol !== DESK_PROTOCOL_VERSION)
    throw hostUrlError(
      'conflict',
      `This team host speaks desk protocol ${info.data.protocol}, and this Postroom speaks ${DESK_PROTOCOL_VERSION}. ` +
        'Update Postroom (or the host) so both are the same version.',
    );
  return info.data;
}

/** The host's own error (SPEC §7), with a field for errors the host tied to none. */
function hostError(answer: Answer, fieldFor: (code: ErrorCode) => string | null): AppError {
  const parsed = ErrorBody.safeParse(answer.body);
  if (!parsed.success)
    return new AppError('platform_unavailable', `The team host failed to answer (HTTP ${answer.status}). Try again.`);
  const { code, message, details, action } = parsed.data.error;
  const field = fieldFor(code);
  const fields = (details?.fields as Record<string, string> | undefined) ?? (field ? { [field]: message } : undefined);
  return new AppError(code, message, { ...details, ...(fields ? { fields } : {}) }, action);
}

async function identity(
  origin: string,
  path: string,
  body: unknown,
  options: HostClientOptions,
  fieldFor: (code: ErrorCode) => string | null,
): Promise<DeskSession> {
  const answer = await call(origin, path, options, { body });
  if (answer.status !== 200) throw hostError(answer, fieldFor);
  const session = DeskSession.safeParse(answer.body);
  if (!session.success)
    throw new AppError('platform_unavailable', 'The team host answered something this desk does not understand.');
  return session.data;
}

/** Redeems an invitation (or the owner's first sign-in code) on the host: a new account and a desk session. */
export function joinHost(origin: string, input: JoinRequest, options: HostClientOptions = {}): Promise<DeskSession> {
  // A code the host does not know, has revoked or has seen expire: beside the code.
  return identity(origin, DESK_PATHS.join, input, options, (code) =>
    ['not_found', 'validation_failed', 'forbidden', 'conflict', 'unauthorized'].includes(code)
      ? 'invitationCode'
      : null,
  );
}

/** Signs in to the host with an account there: a desk session. */
export function signInToHost(
  origin: string,
  input: SignInRequest,
  options: HostClientOptions = {},
): Promise<DeskSession> {
  return identity(origin, DESK_PATHS.signIn, input, options, (code) =>
    code === 'unauthorized' ? 'password' : code === 'forbidden' ? 'email' : null,
  );
}

/** Ends this desk's session on the host. Already ended counts as done. */
export async function signOutOfHost(origin: string, token: string, options: HostClientOptions = {}): Promise<void> {
  const answer = await call(origin, DESK_PATHS.signOut, options, { token });
  if (answer.status !== 200 && answer.status !== 401) throw hostError(answer, () => null);
}
