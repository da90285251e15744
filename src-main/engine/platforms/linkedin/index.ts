import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { checkSignInServer, type PlatformModule } from '../module';
import { LINKEDIN_API_BASE, linkedinAdapter } from './adapter';
import { linkedinOAuth } from './oauth';

/** LinkedIn (Posts API, OpenID Connect sign-in): takes no idempotency key either. */
export const linkedin: PlatformModule = {
  name: PLATFORM_RULES.linkedin.name,
  adapter: linkedinAdapter,
  idempotencyWindowMs: null,
  defaultApiBase: LINKEDIN_API_BASE,
  oauth: linkedinOAuth,
  rules: PLATFORM_RULES.linkedin,
  checkIntegration: (integration) => checkSignInServer(linkedinOAuth, integration),
};
