import { metaPlatformModule } from '../meta-oauth';
import { INSTAGRAM_API_BASE, instagramAdapter, instagramSignIn } from './adapter';

/** Instagram (Meta Graph). */
export const instagram = metaPlatformModule('instagram', INSTAGRAM_API_BASE, instagramSignIn, instagramAdapter);
