import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { metaOAuth } from '../meta-oauth';
import { checkSignInServer, type PlatformModule } from '../module';
import { THREADS_API_BASE, threadsAdapter, threadsSignIn } from './adapter';

const oauth = metaOAuth(THREADS_API_BASE, threadsSignIn, threadsAdapter);

/** Threads (Meta Graph): takes no idempotency key, so after a crash the account's own posts are searched (findPublished). */
export const threads: PlatformModule = {
  name: PLATFORM_RULES.threads.name,
  adapter: threadsAdapter,
  idempotencyWindowMs: null,
  defaultApiBase: THREADS_API_BASE,
  oauth,
  rules: PLATFORM_RULES.threads,
  checkIntegration: (integration) => checkSignInServer(oauth, integration),
};
