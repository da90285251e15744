import * as oauth from 'oauth4webapi';
import { discover, getIdSubject, httpOptions, type OAuthPlatform } from '../oauth';

/** LinkedIn's sign-in is OpenID Connect; its redirect URIs are registered exactly. */
export const linkedinOAuth: OAuthPlatform = {
  // Organisation pages only where the agency turned them on (LinkedIn refuses unapproved scopes).
  scope: (i) =>
    `openid profile email w_member_social${i.organization_pages ? ' w_organization_social r_organization_admin' : ''}`,
  redirect: 'fixed',
  server: (i) => discover(i.issuer_url ?? 'https://www.linkedin.com/oauth'),
  async account(as, client, tokens, integration) {
    const url = new URL(as.userinfo_endpoint ?? 'https://api.linkedin.com/v2/userinfo');
    const response = await oauth.userInfoRequest(as, client, tokens.access_token, httpOptions(url));
    const claims = getIdSubject(tokens);
    const info = await oauth.processUserInfoResponse(as, client, claims ?? oauth.skipSubjectCheck, response);
    void integration;
    const name = typeof info.name === 'string' ? info.name : info.sub;
    return { accountId: info.sub, handle: typeof info.email === 'string' ? info.email : info.sub, displayName: name };
  },
};
