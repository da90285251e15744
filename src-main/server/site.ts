import type { FastifyReply, preHandlerHookHandler } from 'fastify';

/**
 * Which server the engine's routes and pages are served by (SPEC §5, §6, §12): this computer's
 * loopback server (a single desk), or a team host on its public URL. The routes and pages are the
 * same; what differs is written here, once.
 */
export interface Site {
  readonly kind: 'desk' | 'host';
  /** Where the pages and the API are reached: `http://127.0.0.1:<port>`, or the host's public URL. */
  baseUrl(): string;
  /**
   * Protection of the pages' forms against cross-site posts: on a host, a CSRF token in each form
   * (a person's browser reaches it from anywhere); on loopback the Origin guard is the protection.
   */
  readonly forms: FormProtection | null;
}

export interface FormProtection {
  /** The hidden field to put in a form, bound to this browser (sets its cookie on the reply). */
  field(reply: FastifyReply): Promise<string>;
  /** Refuses a form post without a valid token (a preHandler: the body is parsed by then). */
  readonly check: preHandlerHookHandler;
}
