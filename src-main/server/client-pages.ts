import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine';
import { ConnectRoutes } from './connect-routes';
import { html, page, PAGE_CSP } from './pages';
import type { Site } from './site';
import { registerUpgradePage } from './upgrade-page';
import { registerApprovalPage } from './approval-page';

/**
 * Every page a client or an invitee opens, in one place (issue 12: "every page … on the public
 * URL"): connection links and OAuth callbacks (ConnectRoutes), invitations, upgrade links (seed 004's
 * `upgrade_url`) and approval links (issue 13).
 * The loopback server of a single desk and a team host both register exactly these.
 */
export interface ClientPages {
  close(): Promise<void>;
}

export function registerClientPages(app: FastifyInstance, engine: Engine, site: Site): ClientPages {
  const connect = new ConnectRoutes(engine, site);
  connect.register(app);
  app.get('/invitations/:code', async (request, reply) => {
    const code = String((request.params as { code: string }).code)
      .slice(0, 200)
      .replace(/[^A-Za-z0-9_-]/g, '');
    const how =
      site.kind === 'host'
        ? `<p>Open Postroom on your computer, choose <b>Join a team host</b>, enter this address:</p>` +
          `<p><code>${html(site.baseUrl())}</code></p><p>and this invitation code:</p>`
        : `<p>Open Postroom on this computer, choose <b>Join with an invitation</b> and paste this code:</p>`;
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(
        page(
          'Join on Postroom',
          `<h1>You're invited to Postroom</h1>${how}<p><code style="font-size:1.2em">${code}</code></p>`,
        ),
      );
  });
  registerUpgradePage(app, engine);
  registerApprovalPage(app, engine, site);
  return { close: () => connect.close() };
}
