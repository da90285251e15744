import { useRole } from '../data/session';
import { can } from '../permissions';
import { useStore } from '../store';
import { Action } from '../ui/Action';

/** "New post", for those who may draft: opens the composer, for `clientId` when given. */
export function NewPostButton({ clientId }: { clientId?: string | undefined }) {
  const openComposer = useStore((s) => s.openComposer);
  if (!can(useRole(), 'post.draft')) return null;
  return (
    <Action tone="primary" opensDialog onClick={() => openComposer(clientId ? { clientId } : {})}>
      New post
    </Action>
  );
}
