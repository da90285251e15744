import { PLATFORM_RULES } from '../../../../src-shared/platform-rules';
import { checkSignInServer, type PlatformModule } from '../module';
import { X_API_BASE, xAdapter } from './adapter';
import { xOAuth } from './oauth';

/** X (API v2): takes no idempotency key, so a publish cut short is looked for with findPublished. */
export const x: PlatformModule = {
  name: PLATFORM_RULES.x.name,
  adapter: xAdapter,
  idempotencyWindowMs: null,
  defaultApiBase: X_API_BASE,
  oauth: xOAuth,
  rules: PLATFORM_RULES.x,
  checkIntegration: (integration) => checkSignInServer(xOAuth, integration),
};
