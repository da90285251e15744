import type { ReactNode } from 'react';
import type { Workspace } from '../../../src-shared/contract';
import { ReviewPage } from '../approvals/ReviewPage';
import { ClientPage } from '../clients/ClientPage';
import { ClientsPage } from '../clients/ClientsPage';
import { CalendarPage } from '../posts/calendar/CalendarPage';
import { DraftsPage } from '../posts/DraftsPage';
import { PostPage } from '../posts/PostPage';
import { QueuePage } from '../posts/QueuePage';
import type { View } from '../store';
import { TeamPage } from '../team/TeamPage';
import { ActivityPage } from '../workspace/ActivityPage';
import { ApiPage } from '../workspace/ApiPage';
import { OverviewPage } from '../workspace/OverviewPage';
import { PlanPage } from '../workspace/PlanPage';
import { SettingsPage } from '../workspace/SettingsPage';

interface Place {
  workspace: Workspace;
  clientId: string;
  postId: string;
}

/*
 * What each view shows. Keys make a page start fresh for another workspace, client or post
 * (a key revealed on one workspace's API page must not show on another's).
 */
const pages: Record<View, (p: Place) => ReactNode> = {
  overview: ({ workspace }) => <OverviewPage workspace={workspace} />,
  clients: ({ workspace }) => <ClientsPage workspace={workspace} />,
  client: ({ workspace, clientId }) => (
    <ClientPage key={`${workspace.id}:${clientId}`} workspace={workspace} clientId={clientId} />
  ),
  queue: ({ workspace }) => <QueuePage workspace={workspace} />,
  drafts: ({ workspace }) => <DraftsPage workspace={workspace} />,
  calendar: ({ workspace }) => <CalendarPage workspace={workspace} />,
  review: ({ workspace }) => <ReviewPage workspace={workspace} />,
  post: ({ workspace, postId }) => <PostPage key={`${workspace.id}:${postId}`} workspace={workspace} postId={postId} />,
  team: ({ workspace }) => <TeamPage workspace={workspace} />,
  plan: ({ workspace }) => <PlanPage workspace={workspace} />,
  activity: ({ workspace }) => <ActivityPage workspace={workspace} />,
  api: ({ workspace }) => <ApiPage key={workspace.id} workspace={workspace} />,
  settings: ({ workspace }) => <SettingsPage workspace={workspace} />,
};

/** The page of `view`; a client or post page with nothing chosen shows its list instead. */
export function Page({
  view,
  workspace,
  clientId,
  postId,
}: {
  view: View;
  workspace: Workspace;
  clientId: string | null;
  postId: string | null;
}) {
  const shown = view === 'client' && !clientId ? 'clients' : view === 'post' && !postId ? 'queue' : view;
  return pages[shown]({ workspace, clientId: clientId ?? '', postId: postId ?? '' });
}
