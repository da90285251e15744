import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { metaOAuth } from '../meta-oauth';
import { checkSignInServer, type PlatformModule } from '../module';
import { FACEBOOK_API_BASE, facebookAdapter, facebookSignIn } from './adapter';

const oauth = metaOAuth(FACEBOOK_API_BASE, facebookSignIn, facebookAdapter);

/** Facebook (Meta Graph): takes no idempotency key, so after a crash the account's own posts are searched (findPublished). */
export const facebook: PlatformModule = {
  name: PLATFORM_RULES.facebook.name,
  adapter: facebookAdapter,
  idempotencyWindowMs: null,
  defaultApiBase: FACEBOOK_API_BASE,
  oauth,
  rules: PLATFORM_RULES.facebook,
  checkIntegration: (integration) => checkSignInServer(oauth, integration),
};
