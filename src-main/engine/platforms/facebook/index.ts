import { metaPlatformModule } from '../meta-oauth';
import { FACEBOOK_API_BASE, facebookAdapter, facebookSignIn } from './adapter';

/** Facebook (Meta Graph). */
export const facebook = metaPlatformModule('facebook', FACEBOOK_API_BASE, facebookSignIn, facebookAdapter);
