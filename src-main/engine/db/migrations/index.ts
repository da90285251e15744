import type { Migration } from '../migration';
import { migration001 } from './001-initial';
import { migration002 } from './002-clients-and-team';
import { migration003 } from './003-connections';
import { migration004 } from './004-posts';
import { migration005 } from './005-credential-mode';
import { migration006 } from './006-connection-limits';
import { migration007 } from './007-linkedin-organization-pages';
import { migration008 } from './008-verify-before-publish';
import { migration009 } from './009-queue-index';
import { migration010 } from './010-team-host';
import { migration011 } from './011-media-library';
import { migration012 } from './012-approvals';
import { migration013 } from './013-post-search';
import { migration014 } from './014-review-index';
import { migration015 } from './015-mastodon-apps';
import { migration016 } from './016-threads';
import { migration017 } from './017-approval-settings';
import { migration018 } from './018-polls';
import { migration019 } from './019-group-summaries';
import { migration020 } from './020-poll-limits';
import { migration021 } from './021-summary-in-place';

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
  migration017,
  migration018,
  migration019,
  migration020,
  migration021,
];
