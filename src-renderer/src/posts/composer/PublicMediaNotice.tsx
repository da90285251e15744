import { needsPublicMedia } from '../../../../src-shared/platform-rules';
import { useAppState } from '../../data/session';
import type { Target } from './checks';

/**
 * Instagram and Threads fetch a post's images and videos from a public address, which only a team
 * host has (D101): on a single desk the composer says so before the post is saved, naming the
 * targets it concerns, instead of letting the delivery fail at its time.
 */
export function PublicMediaNotice({ targets, mediaCount }: { targets: readonly Target[]; mediaCount: number }) {
  const onTeamHost = useAppState()?.host !== undefined;
  const concerned = targets.filter((t) => needsPublicMedia(t.platform, mediaCount));
  if (onTeamHost || concerned.length === 0) return null;
  const names = concerned.map((t) => t.short).join(' and ');
  return (
    <p className="notice notice-bad" role="note" aria-label="Needs a team host">
      {names} {concerned.length === 1 ? 'fetches' : 'fetch'} the post&apos;s images and video from a public web address,
      which only a team host has: from this desk alone {concerned.length === 1 ? 'it' : 'they'} cannot be published.
      Publish it through your agency&apos;s team host, or remove{' '}
      {concerned.length === 1 ? 'that account' : 'those accounts'}.
    </p>
  );
}
