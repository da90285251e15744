import type { FacebookServer } from './facebook-server';
import type { InstagramServer } from './instagram-server';
import type { ThreadsServer } from './threads-server';

/** A workspace's Instagram, Facebook and Threads integrations, their apps on the local Meta servers. */
export const metaIntegrations = (ig: InstagramServer, fb: FacebookServer, th: ThreadsServer) => [
  { platform: 'instagram' as const, clientId: ig.clientId, clientSecret: ig.clientSecret, instanceUrl: ig.url },
  { platform: 'facebook' as const, clientId: fb.appId, clientSecret: fb.appSecret, instanceUrl: fb.url },
  { platform: 'threads' as const, clientId: th.clientId, clientSecret: th.clientSecret, instanceUrl: th.url },
];
