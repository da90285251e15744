import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { metaOAuth } from '../meta-oauth';
import { checkSignInServer, type PlatformModule } from '../module';
import { INSTAGRAM_API_BASE, instagramAdapter, instagramSignIn } from './adapter';

const oauth = metaOAuth(INSTAGRAM_API_BASE, instagramSignIn, instagramAdapter);

/** Instagram (Meta Graph): takes no idempotency key, so after a crash the account's own posts are searched (findPublished). */
export const instagram: PlatformModule = {
  name: PLATFORM_RULES.instagram.name,
  adapter: instagramAdapter,
  idempotencyWindowMs: null,
  defaultApiBase: INSTAGRAM_API_BASE,
  oauth,
  rules: PLATFORM_RULES.instagram,
  checkIntegration: (integration) => checkSignInServer(oauth, integration),
};
