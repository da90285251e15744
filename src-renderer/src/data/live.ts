import type { AppState, EventName, EventPayload } from '../../../src-shared/contract';
import { useStore } from '../store';
import { openConnection } from './contract';
import { invalidate, refreshedBy } from './freshness';
import { queryClient } from './queries';
import { APP_STATE_KEY, setAppState } from './session';

/*
 * Keeps the renderer live: the bridge's pushed events mark the right queries stale, the app state
 * follows `state.changed`, and a socket that comes back refreshes everything it may have missed.
 */

let started = false;

export function startLive(): void {
  if (started || useStore.getState().fatal) return;
  let connection;
  try {
    connection = openConnection();
  } catch (err) {
    useStore.setState({ fatal: err instanceof Error ? err.message : String(err) });
    return;
  }
  started = true;
  const { bridge } = connection;

  for (const event of Object.keys(refreshedBy) as EventName[]) {
    bridge.on(event, (payload: EventPayload<EventName>) => {
      const workspaceId = 'workspaceId' in payload ? payload.workspaceId : undefined;
      void invalidate(queryClient, refreshedBy[event], workspaceId);
    });
  }
  bridge.on('state.changed', setAppState);
  bridge.on('network.status', ({ online }) => useStore.setState({ online }));
  bridge.on('keychain.status', ({ locked }) => useStore.setState({ keychainLocked: locked }));
  bridge.on('disk.status', ({ full }) => useStore.setState({ diskFull: full }));
  bridge.on('delivery.problem', (problem) => useStore.getState().addProblem(problem));
  bridge.on('approval.decided', (d) => d.byClient && useStore.getState().addDecision(d));

  followAppState();
  connection.onStatus((status, reconnected) => {
    useStore.setState({ connection: status });
    if (status === 'unauthorized')
      useStore.setState({
        fatal: 'This page’s link is no longer valid. Open the link that "postroom serve" printed when it started.',
      });
    if (status === 'open' && reconnected) void queryClient.invalidateQueries();
  });
  useStore.setState({ connection: connection.status() });
}

/**
 * Another person signed in (or nobody is): nothing cached for the last one stays, and the UI
 * starts over. Another workspace: views of the old one close.
 */
function followAppState() {
  let last: AppState | undefined;
  queryClient.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.query.queryKey[0] !== APP_STATE_KEY[0]) return;
    const next = event.query.state.data as AppState | undefined;
    if (!next || next === last) return;
    const before = last;
    last = next;
    if (before?.profile?.id !== next.profile?.id)
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== APP_STATE_KEY[0] });
    useStore.getState().followState(before, next);
  });
}
