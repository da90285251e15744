import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DecisionInput } from '../../src-shared/approvals';
import {
  approvalPageModel,
  approvalPageThumbnail,
  decideByLink,
  type ApprovalLinkProblem,
  type ApprovalPagePost,
} from '../engine/approvals/approvals';
import type { Engine } from '../engine/engine';
import { AppError } from '../engine/kernel/errors';
import { PREVIEW_CSS, previewHtml } from './approval-previews';
import { html, PAGE_CSP, sendPage, untilHtml } from './pages';
import type { Site } from './site';
import { ID_MAX } from './rest-params';

/**
 * The client's approval page (issue 13 item 2): opened from an approval link without an account,
 * on a phone as well. It lists the posts waiting for the client, each as every platform it goes to
 * would show it (approval-previews.ts: name, handle, text with links and mentions, pictures, the
 * platform's counter), its time in the client's zone, and under each post Approve or Request
 * changes with a comment. No script; forms post to this server (on a team host with a CSRF token,
 * D-entries on client pages); pictures come from `/approve/:token/media/:mediaId`, which checks
 * the link on every request.
 */

/** The page's own pictures (the link's thumbnails) may load; nothing else from anywhere. */
const APPROVAL_PAGE_CSP = PAGE_CSP.replace('img-src data:', "img-src 'self' data:");

const PROBLEMS: Record<ApprovalLinkProblem, { status: number; title: string; text: string }> = {
  unknown: {
    status: 404,
    title: 'Link not found',
    text: 'This approval link does not exist. Ask your agency for a new one.',
  },
  expired: {
    status: 410,
    title: 'Link expired',
    text: 'This approval link has expired. Ask your agency for a fresh one.',
  },
  revoked: {
    status: 410,
    title: 'Link revoked',
    text: 'This approval link was revoked by your agency. Ask them for a new one.',
  },
  client_inactive: {
    status: 410,
    title: 'Account paused',
    text: 'This account is paused at your agency, so there is nothing to approve right now.',
  },
};

/** The page's path segments: a link's token, and a post's or a media item's id (Postroom's ids), URL-safe. */
const URL_SAFE = /^[A-Za-z0-9_-]+$/;
const PathId = z.string().min(1).max(ID_MAX.postroom).regex(URL_SAFE);
const Params = z.object({ token: z.string().min(20).max(100).regex(URL_SAFE) });
const DecideParams = Params.extend({ postId: PathId });
const MediaParams = Params.extend({ mediaId: PathId });
const DecideBody = z.object({
  decision: z.enum(['approve', 'requestChanges']),
  comment: z.string().max(5000).optional(),
});

function problemPage(reply: FastifyReply, problem: ApprovalLinkProblem) {
  const p = PROBLEMS[problem];
  return sendPage(reply, p.status, p.title, `<h1>${p.title}</h1><p>${p.text}</p>`);
}

function postHtml(
  token: string,
  post: ApprovalPagePost,
  timezone: string,
  csrfField: string,
  error: string | null,
): string {
  const mediaUrl = (mediaId: string) => `/approve/${encodeURIComponent(token)}/media/${encodeURIComponent(mediaId)}`;
  const previews = post.targets
    .map((t) => previewHtml(t, post.platformTexts[t.platformId] ?? post.text, post.media, mediaUrl, post))
    .join('');
  const comments = post.comments.length
    ? '<h3>Comments</h3><ul>' +
      post.comments.map((c) => `<li><b>${html(c.authorName)}</b>: ${html(c.body)}</li>`).join('') +
      '</ul>'
    : '';
  const action = `/approve/${encodeURIComponent(token)}/${encodeURIComponent(post.id)}`;
  const when = post.scheduledAt ? untilHtml(post.scheduledAt, timezone) : 'No time yet';
  const approveForm =
    `<form method="post" action="${action}">${csrfField}<input type="hidden" name="decision" value="approve">` +
    '<button type="submit">Approve</button></form>';
  return `<section aria-label="Post" id="${html(post.id)}"><h2>${when}</h2>
${previews}${comments}${error ? `<p role="alert">${html(error)}</p>` : ''}
${approveForm}
<form method="post" action="${action}">${csrfField}<input type="hidden" name="decision" value="requestChanges">
<p><label>What should change? <textarea name="comment" rows="3" maxlength="5000" required></textarea></label></p>
<button type="submit">Request changes</button></form></section>`;
}

export function registerApprovalPage(app: FastifyInstance, engine: Engine, site: Site): void {
  const show = async (reply: FastifyReply, token: string, status = 200, notice = '', errorFor?: [string, string]) => {
    const resolved = approvalPageModel(engine.ctx, token);
    if ('problem' in resolved) return problemPage(reply, resolved.problem);
    const { model } = resolved;
    const csrfField = site.forms ? await site.forms.field(reply) : '';
    const posts = model.posts.length
      ? model.posts
          .map((p) => postHtml(token, p, model.timezone, csrfField, errorFor?.[0] === p.id ? errorFor[1] : null))
          .join('')
      : '<p>Nothing is waiting for your approval right now.</p>';
    return sendPage(
      reply,
      status,
      `Approve posts for ${model.clientName}`,
      `${PREVIEW_CSS}<h1>Posts for ${html(model.clientName)}</h1><p class="note">From ${html(model.workspaceName)} · ` +
        `this link works until ${untilHtml(model.expiresAt, model.timezone)}</p>${notice}${posts}`,
      APPROVAL_PAGE_CSP,
      // Its forms post here, and under no-referrer browsers send `Origin: null`, which the loopback
      // guard refuses; same-origin still keeps the link out of other sites' Referer.
      'same-origin',
    );
  };

  app.get('/approve/:token', async (request, reply) => {
    const params = Params.safeParse(request.params);
    if (!params.success) return problemPage(reply, 'unknown');
    return show(reply, params.data.token);
  });

  // A picture of a post the link shows; anything else (a forged, revoked or expired link, another
  // post's media) is the same bare 404, with nothing said about why.
  app.get('/approve/:token/media/:mediaId', async (request, reply) => {
    const params = MediaParams.safeParse(request.params);
    const found = params.success
      ? await approvalPageThumbnail(engine.ctx, params.data.token, params.data.mediaId)
      : ({ problem: 'unknown' } as const);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if ('problem' in found) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply
      .code(200)
      .type('image/jpeg')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(found.data);
  });

  const forms = site.forms ? { preHandler: site.forms.check } : {};
  app.post('/approve/:token/:postId', forms, async (request, reply) => {
    const params = DecideParams.safeParse(request.params);
    if (!params.success) return problemPage(reply, 'unknown');
    const { token, postId } = params.data;
    const body = DecideBody.safeParse(request.body);
    const input = DecisionInput.safeParse(
      body.success ? { decision: body.data.decision, comment: body.data.comment?.trim() || undefined } : {},
    );
    if (!input.success)
      return show(reply, token, 400, '', [postId, 'Write what should change, then choose Request changes.']);
    try {
      const outcome = decideByLink(engine.ctx, token, postId, input.data);
      if ('problem' in outcome) return problemPage(reply, outcome.problem);
      engine.announce('approvalPage.decided', outcome.workspaceId);
      engine.approvalDecided(outcome, true);
      const said =
        input.data.decision === 'approve' ? 'Approved. Thank you!' : 'Sent: your agency will make the changes.';
      return show(reply, token, 200, `<p role="status"><b>${said}</b></p>`);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'not_found' || err.code === 'conflict'))
        return show(reply, token, err.code === 'not_found' ? 404 : 409, `<p role="alert">${html(err.message)}</p>`);
      throw err;
    }
  });
}
