import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Platform } from '../../src-shared/contract';
import { PLATFORM_RULES } from '../../src-shared/platform-rules';
import {
  CallbackError,
  connectionPageModel,
  connectWithAppPassword,
  OAuthFlows,
} from '../engine/connections/connections';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/kernel/errors';
import { installLoopbackGuards } from './loopback-guard';
import { html, PAGE_CSP, sendPage, untilHtml } from './pages';
import type { Site } from './site';
import { resolveConnectionLink, type LinkProblem } from '../engine/queries/connection-links';
import { getLogoData } from '../engine/queries/workspaces';
import { BLUESKY_CLIENT_METADATA_PATH, hostClientMetadata } from '../engine/platforms/bluesky/client-metadata';

/** A platform as people call it (its rules carry the name the composer shows too). */
const platformName = (platform: Platform) => PLATFORM_RULES[platform].name;

const LINK_PROBLEMS: Record<LinkProblem, { status: number; title: string; text: string }> = {
  unknown: {
    status: 404,
    title: 'Link not found',
    text: 'This connection link does not exist. Ask your agency for a new one.',
  },
  expired: {
    status: 410,
    title: 'Link expired',
    text: 'This connection link has expired. Ask your agency for a fresh one.',
  },
  revoked: {
    status: 410,
    title: 'Link revoked',
    text: 'This connection link was revoked by your agency. Ask them for a new one.',
  },
  client_inactive: {
    status: 410,
    title: 'Account paused',
    text: 'This account is paused at your agency, so nothing can be connected right now.',
  },
};

/** The page a connection link that opens nothing answers with: what happened and whom to ask. */
function problemPage(reply: FastifyReply, problem: LinkProblem) {
  const p = LINK_PROBLEMS[problem];
  return sendPage(reply, p.status, p.title, `<h1>${p.title}</h1><p>${p.text}</p>`);
}

const CALLBACK_PAGES: Record<CallbackError['kind'], { status: number; title: string }> = {
  forged: { status: 400, title: 'Sign-in not recognised' },
  repeated: { status: 409, title: 'Already used' },
  expired: { status: 410, title: 'Sign-in expired' },
  denied: { status: 200, title: 'Nothing was connected' },
  provider_error: { status: 502, title: 'The platform refused' },
};

function blueskyForm(token: string, problem: string | null, csrfField: string): string {
  const appPasswordHelp =
    'Create an app password in Bluesky (Settings → Privacy and security → App passwords) and enter it here. ' +
    'Never enter your account password.';
  return `<h1>Connect Bluesky</h1>${problem ? `<p role="alert">${html(problem)}</p>` : ''}
<h2>Sign in with Bluesky</h2>
<p>Enter your handle: Bluesky asks you to sign in and to allow access. Postroom never sees your password.</p>
<form method="post" action="/connect/${encodeURIComponent(token)}/bluesky/oauth">${csrfField}
<p><label>Handle <input name="handle" autocomplete="username" placeholder="you.bsky.social" required></label></p>
<p><button type="submit">Continue with Bluesky</button></p></form>
<h2>Or use an app password</h2>
<p>${appPasswordHelp}</p>
<form method="post" action="/connect/${encodeURIComponent(token)}/bluesky">${csrfField}
<p><label>Handle <input name="identifier" autocomplete="username" required></label></p>
<p><label>App password <input name="appPassword" type="password" autocomplete="off" required></label></p>
<p><button type="submit">Connect Bluesky</button></p></form>`;
}

/**
 * The Bluesky form's page: "Continue with Bluesky" is answered with a redirect to the account's
 * authorization server, which browsers check against form-action, so that may be any https origin
 * (or a PDS on this machine).
 */
const BLUESKY_FORM_CSP = PAGE_CSP.replace(
  "form-action 'self'",
  "form-action 'self' https: http://localhost:* http://127.0.0.1:*",
);

async function sendBlueskyForm(
  site: Site,
  reply: FastifyReply,
  status: number,
  token: string,
  problem: string | null,
): Promise<FastifyReply> {
  // Its forms post to this server, which refuses a foreign Origin; under no-referrer, browsers send
  // `Origin: null` with a form's POST. same-origin still keeps the link out of other sites' Referer.
  // On a team host each form also carries a CSRF token bound to this browser (issue 12 item 6).
  const csrfField = site.forms ? await site.forms.field(reply) : '';
  return sendPage(
    reply,
    status,
    'Connect Bluesky',
    blueskyForm(token, problem, csrfField),
    BLUESKY_FORM_CSP,
    'same-origin',
  );
}

/**
 * Connection pages and the OAuth callback (SPEC §5). Pages carry no script; the callback lives at
 * `/oauth/callback` on the loopback server, or on a fixed port of its own for providers that match
 * the registered redirect URI exactly.
 */
export class ConnectRoutes {
  readonly flows: OAuthFlows;
  private readonly fixedListeners = new Map<number, FastifyInstance>();

  private readonly baseUrl: () => string;

  constructor(
    private readonly engine: Engine,
    private readonly site: Site,
  ) {
    this.baseUrl = () => site.baseUrl();
    this.flows = engine.oauthFlows;
    // Re-authentications started in the app come back through the same callback.
    engine.callbackUriFor = (workspaceId, platform) => this.redirectUriFor(workspaceId, platform);
  }

  /**
   * The callback URI for a platform. On a team host: the public URL's callback, which web apps
   * register exactly. On a desk (RFC 8252): loopback, on the platform's registered fixed port
   * (listening there first) or ours.
   */
  async redirectUriFor(workspaceId: string, platform: Platform): Promise<string> {
    if (this.site.kind === 'host') return `${this.baseUrl()}/oauth/callback`;
    const { fixedPort } = OAuthFlows.redirectPolicy(this.engine.ctx.db, workspaceId, platform);
    const port = fixedPort ?? Number(new URL(this.baseUrl()).port);
    if (fixedPort !== null) await this.listenOn(fixedPort);
    return `http://127.0.0.1:${port}/oauth/callback`;
  }

  register(app: FastifyInstance): void {
    app.get('/connect/:token', async (request, reply) => this.linkPage(request, reply));
    const forms = this.site.forms ? { preHandler: this.site.forms.check } : {};
    app.post('/connect/:token/bluesky', forms, async (request, reply) => this.blueskyAppPassword(request, reply));
    app.get('/connect/:token/bluesky/oauth', async (request, reply) =>
      this.blueskyOAuth(request, reply, request.query),
    );
    app.post('/connect/:token/bluesky/oauth', forms, async (request, reply) =>
      this.blueskyOAuth(request, reply, request.body),
    );
    app.get('/connect/:token/:platform', async (request, reply) => this.start(request, reply));
    app.get('/oauth/callback', async (request, reply) => this.callback(request, reply));
    // A team host is a Bluesky web client: its client_id is this document's URL (client-metadata.ts).
    if (this.site.kind === 'host')
      app.get(BLUESKY_CLIENT_METADATA_PATH, async (_request, reply) =>
        reply
          .header('cache-control', 'public, max-age=600')
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(hostClientMetadata(this.baseUrl())),
      );
  }

  /** The connection link behind a token of the URL, at the engine's time, or why it opens nothing. */
  private resolveLink(token: string) {
    return resolveConnectionLink(this.engine.ctx.db, token, this.engine.ctx.clock.now());
  }

  private linkParams(request: FastifyRequest) {
    return z.object({ token: z.string().max(200), platform: Platform.optional() }).safeParse(request.params);
  }

  private async linkPage(request: FastifyRequest, reply: FastifyReply) {
    const params = this.linkParams(request);
    const resolved = params.success ? this.resolveLink(params.data.token) : { problem: 'unknown' as const };
    if ('problem' in resolved) return problemPage(reply, resolved.problem);
    const model = connectionPageModel(this.engine.ctx.db, resolved.link);
    const logo =
      getLogoData(this.engine.ctx.db, model.workspace.id, 'square') ??
      getLogoData(this.engine.ctx.db, model.workspace.id, 'image');
    const logoHtml = logo
      ? `<img class="logo" alt="${html(model.workspace.name)} logo" ` +
        `src="data:${logo.mimeType};base64,${logo.data.toString('base64')}">`
      : '';
    const token = encodeURIComponent(params.success ? params.data.token : '');
    const buttons = model.platforms.length
      ? '<ul>' +
        model.platforms
          .map((p) => `<li><a class="button" href="/connect/${token}/${p}">Connect ${platformName(p)}</a></li>`)
          .join('') +
        '</ul>'
      : '<p>No platform is set up yet. Your agency has to add one first.</p>';
    return sendPage(
      reply,
      200,
      `Connect your accounts — ${model.workspace.name}`,
      `${logoHtml}<h1>${html(model.workspace.name)}</h1><p>Hello ${html(model.clientName)}: ` +
        `choose the accounts ${html(model.workspace.name)} may post to for you.</p>${buttons}` +
        `<p class="note">This link works until ${untilHtml(model.expiresAt, model.workspace.timezone)}.</p>`,
    );
  }

  private async start(request: FastifyRequest, reply: FastifyReply) {
    const params = this.linkParams(request);
    if (!params.success || !params.data.platform)
      return sendPage(reply, 404, 'Link not found', '<h1>Link not found</h1>');
    const { token, platform } = params.data;
    const resolved = this.resolveLink(token);
    if ('problem' in resolved) return problemPage(reply, resolved.problem);
    if (platform === 'bluesky') return sendBlueskyForm(this.site, reply, 200, token, null);
    try {
      const redirectUri = await this.redirectUriFor(resolved.link.workspace_id, platform);
      return reply.redirect(await this.flows.start(token, platform, redirectUri), 303);
    } catch (err) {
      const message =
        err instanceof AppError ? err.message : 'The platform could not be reached. Try again in a moment.';
      return sendPage(
        reply,
        err instanceof AppError ? 400 : 502,
        'Cannot connect',
        `<h1>Cannot connect ${platformName(platform)}</h1><p>${html(message)}</p>`,
      );
    }
  }

  private async callback(request: FastifyRequest, reply: FastifyReply) {
    // On a host the browser came back to the public URL (perhaps through a proxy): that is the redirect URI.
    const url = new URL(request.url, this.site.kind === 'host' ? this.baseUrl() : `http://${request.headers.host}`);
    try {
      const connected = await this.flows.complete(url);
      const workspace = this.engine.ctx.db
        .prepare<[string], { workspace_id: string }>(`SELECT workspace_id FROM connections WHERE id = ?`)
        .get(connected.connectionId)!;
      this.engine.announce('connectPage.signedIn', workspace.workspace_id);
      return sendPage(
        reply,
        200,
        'Connected',
        `<h1>Connected</h1><p>Your ${platformName(connected.platform)} account <b>${html(connected.displayName)}</b> ` +
          'is connected. You can close this window.</p>',
      );
    } catch (err) {
      if (err instanceof CallbackError) {
        const p = CALLBACK_PAGES[err.kind];
        return sendPage(reply, p.status, p.title, `<h1>${p.title}</h1><p>${html(err.message)}</p>`);
      }
      this.engine.logError('oauth callback failed', err);
      return sendPage(
        reply,
        502,
        'Something went wrong',
        '<h1>Something went wrong</h1>' +
          '<p>The account could not be connected. Start again from your connection link.</p>',
      );
    }
  }

  /**
   * Bluesky through AT Protocol OAuth: resolves the handle, starts the flow,
   * sends the browser to the account's server.
   */
  private async blueskyOAuth(request: FastifyRequest, reply: FastifyReply, input: unknown) {
    const params = this.linkParams(request);
    const token = params.success ? params.data.token : '';
    const resolved = this.resolveLink(token);
    if ('problem' in resolved) return problemPage(reply, resolved.problem);
    const form = z.object({ handle: z.string().trim().min(3).max(253) }).safeParse(input);
    if (!form.success) return sendBlueskyForm(this.site, reply, 400, token, 'Enter your Bluesky handle.');
    try {
      const redirectUri = await this.redirectUriFor(resolved.link.workspace_id, 'bluesky');
      return reply.redirect(await this.flows.startBluesky(token, form.data.handle, redirectUri), 303);
    } catch (err) {
      if (err instanceof AppError) return sendBlueskyForm(this.site, reply, 400, token, err.message);
      this.engine.logError('bluesky oauth start failed', err);
      return sendBlueskyForm(
        this.site,
        reply,
        502,
        token,
        'Bluesky could not be reached for this handle. Check it, or try again in a moment.',
      );
    }
  }

  /** Bluesky through an app password posted from the link's form (never the account password). */
  private async blueskyAppPassword(request: FastifyRequest, reply: FastifyReply) {
    const params = this.linkParams(request);
    const token = params.success ? params.data.token : '';
    const resolved = this.resolveLink(token);
    if ('problem' in resolved) return problemPage(reply, resolved.problem);
    const form = z
      .object({ identifier: z.string().trim().min(3).max(253), appPassword: z.string().min(4).max(100) })
      .safeParse(request.body);
    if (!form.success) return sendBlueskyForm(this.site, reply, 400, token, 'Enter your handle and an app password.');
    try {
      const target = {
        workspaceId: resolved.link.workspace_id,
        managedUserId: resolved.link.managed_user_id,
        startedBy: null,
      };
      const connected = await this.engine.perform('connectPage.appPassword', target.workspaceId, () =>
        connectWithAppPassword(this.engine.ctx, target, form.data.identifier, form.data.appPassword),
      );
      return sendPage(
        reply,
        200,
        'Connected',
        `<h1>Connected</h1><p>Your Bluesky account <b>${html(connected.displayName)}</b> ` +
          'is connected. You can close this window.</p>',
      );
    } catch (err) {
      if (err instanceof AppError) return sendBlueskyForm(this.site, reply, 400, token, err.message);
      throw err;
    }
  }

  /** A provider that matches redirect URIs exactly gets its callback on the registered port. */
  private async listenOn(port: number): Promise<void> {
    if (this.fixedListeners.has(port) || Number(new URL(this.baseUrl()).port) === port) return;
    const app = Fastify({ logger: false, bodyLimit: 1024 });
    let bound = port;
    installLoopbackGuards(app, () => bound);
    app.get('/oauth/callback', async (request, reply) => this.callback(request, reply));
    await app.listen({ host: '127.0.0.1', port });
    bound = (app.server.address() as AddressInfo).port;
    this.fixedListeners.set(port, app);
  }

  async close(): Promise<void> {
    await Promise.all([...this.fixedListeners.values()].map((app) => app.close()));
    this.fixedListeners.clear();
  }
}
