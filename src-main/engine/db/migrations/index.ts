import type { Migration, MigrationStep } from '../migration';
import { createInitialSchema } from './001-initial';
import { addClientsAndTeam } from './002-clients-and-team';
import { addConnections } from './003-connections';
import { addPosts } from './004-posts';
import { addCredentialModes } from './005-credential-mode';
import { addConnectionTextLimits } from './006-connection-limits';
import { addOrganizationPagesOptIn } from './007-linkedin-organization-pages';
import { addVerifyBeforePublish } from './008-verify-before-publish';
import { indexTheQueue } from './009-queue-index';
import { addTeamHost } from './010-team-host';
import { moveMediaIntoLibrary } from './011-media-library';
import { addApprovals } from './012-approvals';
import { indexPostText } from './013-post-search';
import { indexPostsByApproval } from './014-review-index';
import { addMastodonApps } from './015-mastodon-apps';
import { addThreads } from './016-threads';
import { addApprovalSettings } from './017-approval-settings';
import { addPolls } from './018-polls';
import { summarizeGroups } from './019-group-summaries';
import { addConnectionPollLimits } from './020-poll-limits';
import { updateSummariesInPlace } from './021-summary-in-place';

/**
 * Every migration, in order, as [name, step]. A migration's version is its place here, from 1, and
 * its file is `<version, three digits>-<name>.ts` (test/unit/migrations.test.ts checks both).
 * Append only: a released migration is never edited, moved or removed.
 */
const STEPS: readonly (readonly [name: string, step: MigrationStep])[] = [
  ['initial', createInitialSchema],
  ['clients-and-team', addClientsAndTeam],
  ['connections', addConnections],
  ['posts', addPosts],
  ['credential-mode', addCredentialModes],
  ['connection-limits', addConnectionTextLimits],
  ['linkedin-organization-pages', addOrganizationPagesOptIn],
  ['verify-before-publish', addVerifyBeforePublish],
  ['queue-index', indexTheQueue],
  ['team-host', addTeamHost],
  ['media-library', moveMediaIntoLibrary],
  ['approvals', addApprovals],
  ['post-search', indexPostText],
  ['review-index', indexPostsByApproval],
  ['mastodon-apps', addMastodonApps],
  ['threads', addThreads],
  ['approval-settings', addApprovalSettings],
  ['polls', addPolls],
  ['group-summaries', summarizeGroups],
  ['poll-limits', addConnectionPollLimits],
  ['summary-in-place', updateSummariesInPlace],
];

/** The migrations as the database applies them: each step with its name and version. */
export const migrations: readonly Migration[] = STEPS.map(([name, up], i) => ({ version: i + 1, name, up }));
